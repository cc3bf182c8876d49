import { CIFAR10_LABELS, type ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { CIFAR10_32, TORCHVISION_224, shippedLine, unpinned } from './zoo-common';

export const googlenetImagenet: ModelCard<'googlenet'> = {
  id: 'googlenet-imagenet',
  name: 'GoogLeNet / Inception v1 (torchvision), ImageNet',
  family: 'googlenet',
  year: 2014,
  paper: { title: 'Going Deeper with Convolutions (Szegedy et al.)', url: 'https://arxiv.org/abs/1409.4842' },
  preprocess: TORCHVISION_224,
  labels: IMAGENET_LABELS,
  params: 6_624_904,
  macs: 1_498_376_192,
  weights: unpinned('torchvision', 'BSD-3-Clause (torchvision)'),
  // torchvision's pretrained GoogLeNet expects transform_input=True.
  config: { numClasses: 1000, transformInput: true },
};

export const googlenetCifar10: ModelCard<'googlenet'> = {
  id: 'googlenet-cifar10',
  name: 'GoogLeNet (1/4 width), CIFAR-10',
  family: 'googlenet',
  year: 2014,
  paper: googlenetImagenet.paper,
  preprocess: CIFAR10_32,
  labels: CIFAR10_LABELS,
  params: 355_138,
  macs: 7_482_368,
  weights: shippedLine('googlenet-cifar10', '4912c58e314ec427c44605e2b33690b34c74e5f6eb0696396081f1ea1c92f5a0', 421_072),
  adapted: 'All nine Inception modules with their 1x1 reductions at 1/4 width, and conv1 3x3 stride 1 instead of 7x7 stride 2, so the Inception stages run at 8, 4 and 2 pixels (28, 14 and 7 on ImageNet); no auxiliary classifiers, BatchNorm as in torchvision.',
  config: { widthDiv: 4, conv1: [3, 1, 1], numClasses: 10 },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'googlenet'>[] = [googlenetImagenet, googlenetCifar10];
