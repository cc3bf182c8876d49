import type { ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { TORCHVISION_224, unpinned } from './zoo-common';

export const zfnetImagenet: ModelCard<'zfnet'> = {
  id: 'zfnet-imagenet',
  name: 'ZFNet, ImageNet',
  family: 'zfnet',
  year: 2013,
  paper: { title: 'Visualizing and Understanding Convolutional Networks (Zeiler & Fergus)', url: 'https://arxiv.org/abs/1311.2901' },
  preprocess: TORCHVISION_224,
  labels: IMAGENET_LABELS,
  params: 62_357_608,
  macs: 1_168_032_896,
  weights: unpinned('convcam', ''),
  config: { numClasses: 1000 },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'zfnet'>[] = [zfnetImagenet];
