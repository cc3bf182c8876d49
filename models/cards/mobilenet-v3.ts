import type { ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { hubPinned, timmPreprocess } from './zoo-common';

/** Measured by models/profile.ts (tests/unit/zoo.test.ts checks it). */
const MACS_SMALL = 56_510_400;

export const mobilenetV3LargeImagenet: ModelCard<'mobilenet-v3'> = {
  id: 'mobilenet-v3-large-imagenet',
  name: 'MobileNetV3-Large, ImageNet',
  family: 'mobilenet-v3',
  year: 2019,
  paper: { title: 'Searching for MobileNetV3 (Howard et al.)', url: 'https://arxiv.org/abs/1905.02244' },
  preprocess: timmPreprocess('mobilenetv3_large_100.ra_in1k', 224, 0.875, 'bicubic'),
  labels: IMAGENET_LABELS,
  params: 5_483_032,
  macs: 216_589_760,
  weights: hubPinned('timm/mobilenetv3_large_100.ra_in1k', 'f425af34cc1cead2b5d6211f789a1f30b94835dc32f9c0fcc5a916e4fd2dde85', 22_058_321, 'Apache-2.0'),
  published: { top1: 75.77, source: "timm's results-imagenet.csv (ImageNet-1k val at 224)" },
  config: { widthMult: 1, numClasses: 1000 },
};

export const mobilenetV3SmallImagenet: ModelCard<'mobilenet-v3'> = {
  id: 'mobilenet-v3-small-imagenet',
  name: 'MobileNetV3-Small, ImageNet',
  family: 'mobilenet-v3',
  year: 2019,
  paper: mobilenetV3LargeImagenet.paper,
  preprocess: timmPreprocess('mobilenetv3_small_100.lamb_in1k', 224, 0.875, 'bicubic'),
  labels: IMAGENET_LABELS,
  params: 2_542_856,
  macs: MACS_SMALL,
  weights: hubPinned('timm/mobilenetv3_small_100.lamb_in1k', '46d2c063b18125884c48937afa4c49e18128869e52e8db96df48bf0a4d7ff697', 10_300_000, 'Apache-2.0', true),
  published: { top1: 67.66, source: "timm's results-imagenet.csv (ImageNet-1k val at 224)" },
  config: { variant: 'small', widthMult: 1, numClasses: 1000 },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'mobilenet-v3'>[] = [mobilenetV3LargeImagenet, mobilenetV3SmallImagenet];
