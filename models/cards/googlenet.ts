import type { ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { TORCHVISION_224, unpinned } from './zoo-common';

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

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'googlenet'>[] = [googlenetImagenet];
