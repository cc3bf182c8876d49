import type { ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { TORCHVISION_224, unpinned } from './zoo-common';

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

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'alexnet'>[] = [alexnetImagenet];
