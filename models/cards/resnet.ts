import type { ModelCard } from '../card';
import { IMAGENET_LABELS } from '../imagenet-labels';
import { TORCHVISION_224, unpinned } from './zoo-common';

const paper = { title: 'Deep Residual Learning for Image Recognition (He et al.)', url: 'https://arxiv.org/abs/1512.03385' };

function resnet(depth: 18 | 34 | 50, params: number, macs: number): ModelCard<'resnet'> {
  return {
    id: `resnet${depth}-imagenet`,
    name: `ResNet-${depth}, ImageNet`,
    family: 'resnet',
    year: 2015,
    paper,
    preprocess: TORCHVISION_224,
    labels: IMAGENET_LABELS,
    params,
    macs,
    weights: unpinned('torchvision', 'BSD-3-Clause (torchvision)'),
    config: { depth, numClasses: 1000 },
  };
}

export const resnet18Imagenet = resnet(18, 11_689_512, 1_814_073_344);
export const resnet34Imagenet = resnet(34, 21_797_672, 3_663_761_408);
export const resnet50Imagenet = resnet(50, 25_557_032, 4_089_184_256);

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'resnet'>[] = [resnet18Imagenet, resnet34Imagenet, resnet50Imagenet];
