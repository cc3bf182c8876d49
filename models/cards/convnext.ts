import { CIFAR10_LABELS, type ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { CIFAR10_32, hubPinned, shippedLine, timmPreprocess, unpinned } from './zoo-common';

export const convnextTinyImagenet: ModelCard<'convnext'> = {
  id: 'convnext-tiny-imagenet',
  name: 'ConvNeXt-Tiny, ImageNet',
  family: 'convnext',
  year: 2022,
  paper: { title: 'A ConvNet for the 2020s (Liu et al.)', url: 'https://arxiv.org/abs/2201.03545' },
  preprocess: timmPreprocess('convnext_tiny.fb_in1k', 224, 0.875, 'bicubic'),
  labels: IMAGENET_LABELS,
  params: 28_589_128,
  macs: 4_455_531_264,
  weights: hubPinned('timm/convnext_tiny.fb_in1k', '08b9dc9c3a3a29421de7996761e176501896d1ae7fc3085cf56a643772329276', 114_000_000, 'Apache-2.0', true),
  published: { top1: 82.1, source: 'A ConvNet for the 2020s (Liu et al., arXiv:2201.03545), Table 1, ImageNet-1k at 224' },
  config: { dims: [96, 192, 384, 768], depths: [3, 3, 9, 3], numClasses: 1000 },
};

export const convnextCifar10: ModelCard<'convnext'> = {
  id: 'convnext-cifar10',
  name: 'ConvNeXt (24-48-96-192, depths 1-1-3-1), CIFAR-10',
  family: 'convnext',
  year: 2022,
  paper: convnextTinyImagenet.paper,
  preprocess: CIFAR10_32,
  labels: CIFAR10_LABELS,
  params: 671_266,
  macs: 8_753_280,
  weights: shippedLine('convnext-cifar10', '03835a9c91b04c5956893aa1bd78b3a0281d330c749925b583ac7c519bc41b64', 713_000),
  adapted: 'Widths 24-48-96-192 and depths 1-1-3-1, the paper\'s 1:1:3:1 stage ratio (Tiny: 96-192-384-768, 3-3-9-3), and a 2x2 stride-2 patchify stem so that 32x32 input gives 16x16 (4x4 stride 4 on 224 gives 56); 7x7 depthwise convs, LayerNorm, 4x inverted bottleneck, GELU and layer scale as in the paper.',
  config: { dims: [24, 48, 96, 192], depths: [1, 1, 3, 1], stemPatch: 2, numClasses: 10 },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'convnext'>[] = [convnextTinyImagenet, convnextCifar10];
