// The Tour's sections, in the seed's order, and which model each runs: the first of its
// candidates that ships trained (SHIPPED_CIFAR10), else the first candidate with random
// weights, so a family picks up its trained model as soon as it ships. No TF.js: the UI reads it.
import type { Family, ModelCard } from './card';
import { CARDS, SHIPPED_CIFAR10 } from './registry';

export type TourSectionId = 'lenet' | 'alexnet' | 'zfnet' | 'vgg' | 'googlenet' | 'resnet' | 'mobilenet' | 'convnext' | 'norms';

export interface TourSection {
  id: TourSectionId;
  title: string;
  /** The idea the section computes, in one line. */
  idea: string;
  /** Card ids, preferred first. */
  candidates: readonly string[];
  /** False for a section of facts only (LRN against BatchNorm reads two models and runs none). */
  live: boolean;
  /** The paper's own (ImageNet) network, whose facts are read off its definition too (no weights needed). */
  paper?: string;
  /** The families whose ImageNet weights, once stored on the device, the section can run instead. */
  imagenet: readonly Family[];
}

export const TOUR_SECTIONS: readonly TourSection[] = [
  { id: 'lenet', title: 'LeNet-5 (1998)', idea: "C3's partial connection table and S2's trainable subsampling", candidates: ['lenet5-cifar10', 'lenet5-modern-cifar10'], live: true, imagenet: [] },
  { id: 'alexnet', title: 'AlexNet (2012)', idea: 'overlapping pooling, and dropout scaled at training time', candidates: ['alexnet-cifar10'], live: true, paper: 'alexnet-imagenet', imagenet: ['alexnet'] },
  { id: 'zfnet', title: 'ZFNet (2013)', idea: 'a smaller, denser first filter, found by looking at what the layers see', candidates: ['zfnet-cifar10'], live: true, paper: 'zfnet-imagenet', imagenet: ['zfnet'] },
  { id: 'vgg', title: 'VGG (2014)', idea: 'stacked 3×3 convolutions instead of one large one', candidates: ['vgg16-cifar10', 'vgg11-cifar10'], live: true, paper: 'vgg16-imagenet', imagenet: ['vgg'] },
  { id: 'googlenet', title: 'GoogLeNet (2014)', idea: '1×1 reductions before the expensive convolutions', candidates: ['googlenet-cifar10'], live: true, paper: 'googlenet-imagenet', imagenet: ['googlenet'] },
  { id: 'resnet', title: 'ResNet (2015)', idea: 'identity and projection shortcuts', candidates: ['resnet20-cifar10', 'resnet56-cifar10'], live: true, imagenet: ['resnet'] },
  { id: 'mobilenet', title: 'MobileNet (2017)', idea: 'depthwise separable convolutions, and the width and resolution multipliers α and ρ', candidates: ['mobilenet-v1-cifar10', 'mobilenet-v2-cifar10'], live: true, paper: 'mobilenet-v1-1.0-imagenet', imagenet: ['mobilenet-v1', 'mobilenet-v2', 'mobilenet-v3'] },
  { id: 'convnext', title: 'ConvNeXt (2022)', idea: 'the modernised block: 7×7 depthwise, LayerNorm, inverted bottleneck, GELU, layer scale', candidates: ['convnext-cifar10'], live: true, paper: 'convnext-tiny-imagenet', imagenet: ['convnext'] },
  { id: 'norms', title: 'LRN against BatchNorm', idea: "AlexNet's fixed local response normalisation against ResNet's trainable BatchNorm", candidates: ['alexnet-cifar10', 'resnet20-cifar10'], live: false, imagenet: [] },
];

/** The model a section runs and whether its weights are trained. */
export function sectionModel(section: TourSection, shipped: readonly ModelCard[] = SHIPPED_CIFAR10): { card: ModelCard; trained: boolean } {
  const trained = section.candidates.map((id) => shipped.find((c) => c.id === id)).find((c) => c !== undefined);
  if (trained) return { card: trained, trained: true };
  const card = CARDS.find((c) => c.id === section.candidates[0]);
  if (!card) throw new Error(`The Tour's ${section.title} section names an unknown model "${section.candidates[0]}".`);
  return { card, trained: false };
}

/**
 * The ImageNet models of the section's families that can run now (`usable`: built in, or
 * with weights on this device): not shipped with the app, not taught here, and with the
 * 1000 (or TensorFlow Lite's 1001) ImageNet classes. Largest input first, then by name.
 */
export function imagenetChoices(section: TourSection, usable: readonly ModelCard[]): ModelCard[] {
  const seen = new Set<string>();
  return usable
    .filter((c) => section.imagenet.includes(c.family) && !c.weights.embedded && !c.taught && c.labels.length >= 1000 && !seen.has(c.id) && seen.add(c.id))
    .sort((a, b) => b.preprocess.size[0] - a.preprocess.size[0] || a.name.localeCompare(b.name));
}

/** Which weights a section runs, in words: the user's stored ImageNet model, or its CIFAR-10 one. */
export function weightsInWords(card: ModelCard, trained: boolean): string {
  if (card.tflite) return `ImageNet weights imported from the TensorFlow Lite file ${card.tflite.file} (α ${card.tflite.alpha}, ${card.preprocess.size.join('×')} input)`;
  if (card.labels.length >= 1000 && !card.weights.embedded) return `ImageNet weights stored on this device (${card.preprocess.size.join('×')} input)`;
  return trained ? 'CIFAR-10 weights shipped with the app' : 'random weights: no trained model of this family ships yet';
}
