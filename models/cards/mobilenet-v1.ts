import { CIFAR10_LABELS, type ModelCard } from '../card';
import { IMAGENET_LABELS_1001 } from '../imagenet-labels';
import { CIFAR10_32, shippedLine, unpinned } from './zoo-common';

const paper = { title: 'MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications (Howard et al.)', url: 'https://arxiv.org/abs/1704.04861' };
// TF-slim's evaluation: central crop of 87.5%, pixels scaled to [-1, 1].
const preprocess = { size: [224, 224] as [number, number], resize: 'center-crop' as const, cropFraction: 0.875, mean: [0.5, 0.5, 0.5] as [number, number, number], std: [0.5, 0.5, 0.5] as [number, number, number] };

function mobilenet(alpha: 1 | 0.25, params: number, macs: number): ModelCard<'mobilenet-v1'> {
  const a = alpha.toFixed(alpha === 1 ? 1 : 2);
  return {
    id: `mobilenet-v1-${a}-imagenet`,
    name: `MobileNet v1 (alpha ${a}), ImageNet`,
    family: 'mobilenet-v1',
    year: 2017,
    paper,
    preprocess,
    labels: IMAGENET_LABELS_1001,
    params,
    macs,
    weights: unpinned('convcam', ''),
    config: { alpha, numClasses: 1001 },
  };
}

export const mobilenetV1Imagenet = mobilenet(1, 4_233_001, 568_741_376);
export const mobilenetV1Quarter = mobilenet(0.25, 470_329, 41_030_528);

export const mobilenetV1Cifar10: ModelCard<'mobilenet-v1'> = {
  id: 'mobilenet-v1-cifar10',
  name: 'MobileNet v1 (alpha 0.5), CIFAR-10',
  family: 'mobilenet-v1',
  year: 2017,
  paper,
  preprocess: CIFAR10_32,
  labels: CIFAR10_LABELS,
  params: 823_722,
  macs: 12_167_168,
  weights: shippedLine('mobilenet-v1-cifar10', '9184ee7b34adb25d3f177b3e1e75a395a1900b08cb95d02dc27ba5a4f5729802', 936_864),
  adapted: 'Width multiplier alpha 0.5 (16 to 512 channels) and a stride-1 first conv, so 32x32 input is downsampled four times (to 2x2) instead of five; the 13 depthwise-separable blocks as in Table 1.',
  config: { alpha: 0.5, stemStride: 1, numClasses: 10 },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'mobilenet-v1'>[] = [mobilenetV1Imagenet, mobilenetV1Quarter, mobilenetV1Cifar10];
