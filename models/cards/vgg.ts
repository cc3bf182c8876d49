import type { ModelCard, WeightSource } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { TORCHVISION_224, cifarLine, hubPinned, shippedLine, timmPreprocess, unpinned } from './zoo-common';

const paper = { title: 'Very Deep Convolutional Networks for Large-Scale Image Recognition (Simonyan & Zisserman)', url: 'https://arxiv.org/abs/1409.1556' };

export const vgg16Imagenet: ModelCard<'vgg'> = {
  id: 'vgg16-imagenet',
  name: 'VGG-16, ImageNet',
  family: 'vgg',
  year: 2014,
  paper,
  preprocess: timmPreprocess('vgg16.tv_in1k', 224, 0.875, 'bilinear'),
  labels: IMAGENET_LABELS,
  params: 138_357_544,
  macs: 15_470_264_320,
  weights: hubPinned('timm/vgg16.tv_in1k', '57b026918159a6bf9faf8405c3a551903768e7138989d9c6224a14227203fad8', 553_000_000, 'BSD-3-Clause', true),
  published: { top1: 71.59, source: "torchvision's VGG16_Weights.IMAGENET1K_V1 (acc@1 71.592), the weights timm's tv_in1k carries" },
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
export const vgg16Cifar10 = vggCifar(16, [16, 16, 'M', 32, 32, 'M', 64, 64, 64, 'M', 128, 128, 128, 'M', 128, 128, 128, 'M'], 957_210, 19_940_608, shippedLine('vgg16-cifar10', '80788edffcd7ab9b4dcc2383ee37795ca297904ae073e0467ca1386e67daff18', 989_616));

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'vgg'>[] = [vgg16Imagenet, vgg19Imagenet, vgg11Cifar10, vgg16Cifar10];
