import type { ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { TORCHVISION_224, unpinned } from './zoo-common';

const paper = { title: 'Very Deep Convolutional Networks for Large-Scale Image Recognition (Simonyan & Zisserman)', url: 'https://arxiv.org/abs/1409.1556' };

export const vgg16Imagenet: ModelCard<'vgg'> = {
  id: 'vgg16-imagenet',
  name: 'VGG-16, ImageNet',
  family: 'vgg',
  year: 2014,
  paper,
  preprocess: TORCHVISION_224,
  labels: IMAGENET_LABELS,
  params: 138_357_544,
  macs: 15_470_264_320,
  weights: unpinned('torchvision', 'BSD-3-Clause (torchvision)'),
  config: { depth: 16, numClasses: 1000 },
};

export const vgg19Imagenet: ModelCard<'vgg'> = {
  id: 'vgg19-imagenet',
  name: 'VGG-19, ImageNet',
  family: 'vgg',
  year: 2014,
  paper,
  preprocess: TORCHVISION_224,
  labels: IMAGENET_LABELS,
  params: 143_667_240,
  macs: 19_632_062_464,
  weights: unpinned('torchvision', 'BSD-3-Clause (torchvision)'),
  config: { depth: 19, numClasses: 1000 },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'vgg'>[] = [vgg16Imagenet, vgg19Imagenet];
