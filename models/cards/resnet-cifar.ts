import type { ModelCard, WeightSource } from '../card';
import { cifarLine, shippedLine } from './zoo-common';

const paper = { title: 'Deep Residual Learning for Image Recognition (He et al.), section 4.2', url: 'https://arxiv.org/abs/1512.03385' };

function resnetCifar(depth: 20 | 56, params: number, macs: number, weights?: WeightSource): ModelCard<'resnet-cifar'> {
  return cifarLine({
    weights,
    id: `resnet${depth}-cifar10`,
    name: `ResNet-${depth} (option A), CIFAR-10`,
    family: 'resnet-cifar',
    year: 2015,
    paper,
    params,
    macs,
    adapted: `Nothing scaled down: the paper's own CIFAR-10 network (section 4.2), 6n+2 = ${depth} layers with option A (parameter-free) shortcuts.`,
    config: { depth, numClasses: 10 },
  });
}

export const resnet20Cifar10 = resnetCifar(20, 269_722, 40_551_040, shippedLine('resnet20-cifar10', '4a492da98b4fb6c0ca4626cd0a9a998dcd9c538abf76792957ed05f3dd91a8af', 292_056));
export const resnet56Cifar10 = resnetCifar(56, 853_018, 125_485_696, shippedLine('resnet56-cifar10', '9df399fa662213deef67948adddae0410b251ca3690897b0f6534f3db4cf6609', 918_040));

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'resnet-cifar'>[] = [resnet20Cifar10, resnet56Cifar10];
