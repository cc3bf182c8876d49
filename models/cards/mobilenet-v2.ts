import type { ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { TORCHVISION_224, unpinned } from './zoo-common';

export const mobilenetV2Imagenet: ModelCard<'mobilenet-v2'> = {
  id: 'mobilenet-v2-imagenet',
  name: 'MobileNetV2, ImageNet',
  family: 'mobilenet-v2',
  year: 2018,
  paper: { title: 'MobileNetV2: Inverted Residuals and Linear Bottlenecks (Sandler et al.)', url: 'https://arxiv.org/abs/1801.04381' },
  preprocess: TORCHVISION_224,
  labels: IMAGENET_LABELS,
  params: 3_504_872,
  macs: 300_774_272,
  weights: unpinned('torchvision', 'BSD-3-Clause (torchvision)'),
  config: { widthMult: 1, numClasses: 1000 },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'mobilenet-v2'>[] = [mobilenetV2Imagenet];
