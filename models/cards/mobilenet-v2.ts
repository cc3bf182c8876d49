import { CIFAR10_LABELS, type ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { CIFAR10_32, hubPinned, shippedLine, timmPreprocess, unpinned } from './zoo-common';

export const mobilenetV2Imagenet: ModelCard<'mobilenet-v2'> = {
  id: 'mobilenet-v2-imagenet',
  name: 'MobileNetV2, ImageNet',
  family: 'mobilenet-v2',
  year: 2018,
  paper: { title: 'MobileNetV2: Inverted Residuals and Linear Bottlenecks (Sandler et al.)', url: 'https://arxiv.org/abs/1801.04381' },
  preprocess: timmPreprocess('mobilenetv2_100.ra_in1k', 224, 0.875, 'bicubic'),
  labels: IMAGENET_LABELS,
  params: 3_504_872,
  macs: 300_774_272,
  weights: hubPinned('timm/mobilenetv2_100.ra_in1k', '55ea4fb3a96010b933710ebf44fc965b070d5cd054d3f35e44f2d1320b4a714e', 14_200_000, 'Apache-2.0', true),
  published: { top1: 72.97, source: "timm's results-imagenet.csv (ImageNet-1k val at 224)" },
  config: { widthMult: 1, numClasses: 1000 },
};

export const mobilenetV2Cifar10: ModelCard<'mobilenet-v2'> = {
  id: 'mobilenet-v2-cifar10',
  name: 'MobileNetV2 (width 0.5), CIFAR-10',
  family: 'mobilenet-v2',
  year: 2018,
  paper: mobilenetV2Imagenet.paper,
  preprocess: CIFAR10_32,
  labels: CIFAR10_LABELS,
  params: 700_490,
  macs: 7_001_856,
  weights: shippedLine('mobilenet-v2-cifar10', 'e02d74a9ecfc732d644bddc81d0e894c93390f4eb60f9f1ba6a79d6b4b825677', 896_240),
  adapted: 'Width multiplier 0.5 (the final 1x1 conv keeps 1280 channels, as torchvision does) and the 24-channel stage at stride 1, so 32x32 input is downsampled four times (to 2x2) instead of five; the 17 inverted residual blocks of Table 2.',
  config: { widthMult: 0.5, strides: [2, 1, 1, 2, 2, 1, 2, 1], numClasses: 10 },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'mobilenet-v2'>[] = [mobilenetV2Imagenet, mobilenetV2Cifar10];
