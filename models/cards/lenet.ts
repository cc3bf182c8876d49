import { CIFAR10_LABELS, type ModelCard } from '../card';
import { CIFAR10_32, shippedLine, unpinned } from './zoo-common';

const paper = { title: 'Gradient-Based Learning Applied to Document Recognition (LeCun et al. 1998)', url: 'http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf' };
const labels = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
// MNIST digits padded from 28x28 to 32x32, one channel.
const preprocess = { size: [32, 32] as [number, number], resize: 'squash' as const, cropFraction: 1, channels: 1 as const, mean: [0.1307, 0.1307, 0.1307] as [number, number, number], std: [0.3081, 0.3081, 0.3081] as [number, number, number] };

export const lenet5Mnist: ModelCard<'lenet'> = {
  id: 'lenet5-mnist',
  name: 'LeNet-5 (1998, as in the paper), MNIST',
  family: 'lenet',
  year: 1998,
  paper,
  preprocess,
  labels,
  params: 60_850,
  macs: 328_096,
  weights: unpinned('convcam', ''),
  config: { variant: 'lecun1998', numClasses: 10, inChannels: 1 },
};

export const lenet5ModernMnist: ModelCard<'lenet'> = {
  id: 'lenet5-modern-mnist',
  name: 'LeNet-5 (modern: ReLU, max-pool), MNIST',
  family: 'lenet',
  year: 1998,
  paper,
  preprocess,
  labels,
  params: 61_706,
  macs: 416_520,
  weights: unpinned('convcam', ''),
  config: { variant: 'modern', numClasses: 10, inChannels: 1 },
};

/** The modern variant on colour CIFAR-10 (3 input channels): small enough to train in seconds. */
export const lenet5ModernCifar10: ModelCard<'lenet'> = {
  ...lenet5ModernMnist,
  id: 'lenet5-modern-cifar10',
  name: 'LeNet-5 (modern), CIFAR-10',
  preprocess: CIFAR10_32,
  labels: CIFAR10_LABELS,
  params: 62_006,
  macs: 651_720,
  weights: shippedLine('lenet5-modern-cifar10', '070cd1a953d0a54096d27ace58d4149c2de33aa618c45f74ba2ae711b2c8f4d6', 64_866),
  config: { variant: 'modern', numClasses: 10, inChannels: 3 },
  adapted: 'The modern reading of LeNet-5: ReLU instead of the scaled tanh, max-pooling instead of trainable subsampling, full C3 connections; 3 input channels.',
};

/** The 1998 network on colour CIFAR-10: the paper's S2 trainable subsampling and C3 table, on 3 input channels. */
export const lenet5Cifar10: ModelCard<'lenet'> = {
  ...lenet5Mnist,
  id: 'lenet5-cifar10',
  name: 'LeNet-5 (1998, as in the paper), CIFAR-10',
  preprocess: CIFAR10_32,
  labels: CIFAR10_LABELS,
  params: 61_150,
  macs: 563_296,
  weights: shippedLine('lenet5-cifar10', '836595466ecaa4c7689a45353bcc6d5a2ba7f8392237c88f54690c953b397320', 64_558),
  config: { variant: 'lecun1998', numClasses: 10, inChannels: 3 },
  adapted: 'Nothing scaled down: the 1998 layers as published (C1-S2-C3-S4-C5-F6, scaled tanh, the C3 connection table), with 3 input channels for colour, and a linear 10-way output instead of the RBF units.',
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'lenet'>[] = [lenet5Mnist, lenet5ModernMnist, lenet5Cifar10, lenet5ModernCifar10];
