import type { ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { TORCHVISION_224, unpinned } from './zoo-common';

export const mobilenetV3LargeImagenet: ModelCard<'mobilenet-v3'> = {
  id: 'mobilenet-v3-large-imagenet',
  name: 'MobileNetV3-Large, ImageNet',
  family: 'mobilenet-v3',
  year: 2019,
  paper: { title: 'Searching for MobileNetV3 (Howard et al.)', url: 'https://arxiv.org/abs/1905.02244' },
  preprocess: TORCHVISION_224,
  labels: IMAGENET_LABELS,
  params: 5_483_032,
  macs: 216_589_760,
  weights: unpinned('torchvision', 'BSD-3-Clause (torchvision)'),
  config: { widthMult: 1, numClasses: 1000 },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'mobilenet-v3'>[] = [mobilenetV3LargeImagenet];
