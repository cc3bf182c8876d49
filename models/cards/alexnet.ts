import { CIFAR10_LABELS, type ModelCard } from '../card';
import type { AlexNetConfig } from '../families/alexnet';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { CIFAR10_32, TORCHVISION_224, shippedLine, unpinned } from './zoo-common';

export const alexnetImagenet: ModelCard<'alexnet'> = {
  id: 'alexnet-imagenet',
  name: 'AlexNet (torchvision), ImageNet',
  family: 'alexnet',
  year: 2012,
  paper: { title: 'ImageNet Classification with Deep Convolutional Neural Networks (Krizhevsky et al.)', url: 'https://papers.nips.cc/paper/2012/hash/c399862d3b9d6b76c8436e924a68c45b-Abstract.html' },
  preprocess: TORCHVISION_224,
  labels: IMAGENET_LABELS,
  params: 61_100_840,
  macs: 714_188_480,
  weights: unpinned('torchvision', 'BSD-3-Clause (torchvision)'),
  config: { numClasses: 1000 },
};

/**
 * The CIFAR-10 AlexNet's config; zfnet-cifar10 is this with ZFNet's smaller first filter and
 * stride. AlexNet's 11x11 stride 4 on 224 pixels becomes 5x5 stride 2 on 32.
 */
export const ALEXNET_CIFAR10_CONFIG: AlexNetConfig = {
  conv1: [5, 2, 2], lrn: true, widths: [32, 64, 96, 96, 64], pool: 1, hidden: 256, numClasses: 10,
};

export const alexnetCifar10: ModelCard<'alexnet'> = {
  id: 'alexnet-cifar10',
  name: 'AlexNet (paper layout, reduced), CIFAR-10',
  family: 'alexnet',
  year: 2012,
  paper: alexnetImagenet.paper,
  preprocess: CIFAR10_32,
  labels: CIFAR10_LABELS,
  params: 332_490,
  macs: 4_949_504,
  weights: shippedLine('alexnet-cifar10', '05984833844bfa5ceb95626b8eba80a8d001ac60b01bb982aca9b66802a622c2', 340_712),
  adapted: 'Single tower at a quarter to a half of the width (32-64-96-96-64 filters, MLP 256-256), conv1 5x5 stride 2 for 32x32 input instead of 11x11 stride 4 for 224, and the classifier on the 1x1 map; LRN, overlapping 3/2 max-pooling, ReLU and dropout as in the paper.',
  config: ALEXNET_CIFAR10_CONFIG,
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'alexnet'>[] = [alexnetImagenet, alexnetCifar10];
