import type { ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { unpinned } from './zoo-common';

export const convnextTinyImagenet: ModelCard<'convnext'> = {
  id: 'convnext-tiny-imagenet',
  name: 'ConvNeXt-Tiny, ImageNet',
  family: 'convnext',
  year: 2022,
  paper: { title: 'A ConvNet for the 2020s (Liu et al.)', url: 'https://arxiv.org/abs/2201.03545' },
  // torchvision's ConvNeXt_Tiny_Weights transform: resize 236, centre-crop 224.
  preprocess: { size: [224, 224], resize: 'center-crop', cropFraction: 224 / 236, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  labels: IMAGENET_LABELS,
  params: 28_589_128,
  macs: 4_455_531_264,
  weights: unpinned('torchvision', 'BSD-3-Clause (torchvision)'),
  config: { dims: [96, 192, 384, 768], depths: [3, 3, 9, 3], numClasses: 1000 },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'convnext'>[] = [convnextTinyImagenet];
