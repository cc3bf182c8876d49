import type { ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { hubPinned, timmPreprocess } from './zoo-common';

const paper = { title: 'Deep Residual Learning for Image Recognition (He et al.)', url: 'https://arxiv.org/abs/1512.03385' };

const RSB = 'ResNet strikes back (Wightman et al., arXiv:2110.00476), procedure A1, ImageNet-1k val at 224';

function resnet(depth: 18 | 34 | 50, params: number, macs: number, sha256: string, bytes: number, approx: boolean, top1: number): ModelCard<'resnet'> {
  return {
    id: `resnet${depth}-imagenet`,
    name: `ResNet-${depth}, ImageNet`,
    family: 'resnet',
    year: 2015,
    paper,
    preprocess: timmPreprocess(`resnet${depth}.a1_in1k`, 224, 0.95, 'bicubic'),
    labels: IMAGENET_LABELS,
    params,
    macs,
    weights: hubPinned(`timm/resnet${depth}.a1_in1k`, sha256, bytes, 'Apache-2.0', approx),
    published: { top1, source: RSB },
    config: { depth, numClasses: 1000 },
  };
}

export const resnet18Imagenet = resnet(18, 11_689_512, 1_814_073_344, '80c49dee3da4822c009c5a7fe591e9223c5a2cfcf95a4067ca4dfb5a7b89c612', 46_800_000, true, 71.5);
export const resnet34Imagenet = resnet(34, 21_797_672, 3_663_761_408, '829a220f9529d2b1ffdc8719d3273463001e0daf411eaf1916865d9db62c0ed2', 87_000_000, true, 76.4);
export const resnet50Imagenet = resnet(50, 25_557_032, 4_089_184_256, '773525d5821de224f8f30c33377b7a795d7863e08522698200d3217d3f2a41bb', 102_469_840, false, 80.4);

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'resnet'>[] = [resnet18Imagenet, resnet34Imagenet, resnet50Imagenet];
