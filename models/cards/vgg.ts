import type { ModelCard, WeightSource } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { TORCHVISION_224, cifarLine, shippedLine, unpinned } from './zoo-common';

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

/** Table 1's configuration at a quarter of its width (64..512 -> 16..128), with BatchNorm. */
function vggCifar(depth: 11 | 16, cfg: (number | 'M')[], params: number, macs: number, weights?: WeightSource): ModelCard<'vgg'> {
  return cifarLine({
    weights,
    id: `vgg${depth}-cifar10`,
    name: `VGG-${depth} (1/4 width, BatchNorm), CIFAR-10`,
    family: 'vgg',
    year: 2014,
    paper,
    params,
    macs,
    adapted: `VGG-${depth}'s five stages of 3x3 convs at 1/4 width (16 to 128 filters), with BatchNorm after each conv (the paper has none) so that it trains in the short budget; the five 2x2 pools take 32x32 to 1x1, where an MLP of 128-128 replaces the 4096-4096 one.`,
    config: { cfg, batchNorm: true, pool: 1, hidden: 128, numClasses: 10 },
  });
}

export const vgg11Cifar10 = vggCifar(11, [16, 'M', 32, 'M', 64, 64, 'M', 128, 128, 'M', 128, 128, 'M'], 612_810, 9_913_600, shippedLine('vgg11-cifar10', '1d9ce1fba6170d03309db81bfe2eb4a6ba2c06f58111af9303a622a7683b82a4', 634_584));
export const vgg16Cifar10 = vggCifar(16, [16, 16, 'M', 32, 32, 'M', 64, 64, 64, 'M', 128, 128, 128, 'M', 128, 128, 128, 'M'], 957_210, 19_940_608);

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'vgg'>[] = [vgg16Imagenet, vgg19Imagenet, vgg11Cifar10, vgg16Cifar10];
