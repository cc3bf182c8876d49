import { CIFAR10_LABELS, type ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { ALEXNET_CIFAR10_CONFIG } from './alexnet';
import { CIFAR10_32, TORCHVISION_224, shippedLine, unpinned } from './zoo-common';

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

/** AlexNet's CIFAR-10 network with ZFNet's one change to it: 7x7 stride 2 (for 11x11 stride 4) becomes 3x3 stride 1 (for 5x5 stride 2). */
export const zfnetCifar10: ModelCard<'zfnet'> = {
  id: 'zfnet-cifar10',
  name: 'ZFNet (AlexNet with a smaller first filter), CIFAR-10',
  family: 'zfnet',
  year: 2013,
  paper: zfnetImagenet.paper,
  preprocess: CIFAR10_32,
  labels: CIFAR10_LABELS,
  params: 330_954,
  macs: 21_972_480,
  weights: shippedLine('zfnet-cifar10', 'f68d441342069492c4e6faf136662f52f755e96606b3702b9d914bd30c2629b5', 339_176),
  adapted: 'alexnet-cifar10 with only its first conv changed, 3x3 stride 1 instead of 5x5 stride 2, as ZFNet changed 11x11 stride 4 to 7x7 stride 2; so the later layers see 2x larger maps. The paper\'s other changes (widths, conv2 stride) are left out so that the pair differ in exactly that.',
  config: { ...ALEXNET_CIFAR10_CONFIG, layout: 'alexnet', conv1: [3, 1, 1] },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'zfnet'>[] = [zfnetImagenet, zfnetCifar10];
