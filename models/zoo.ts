// The model zoo: cards for the classic architectures, listed in registry.ts after the default.
// Their weights are not pinned yet: the user imports them (Models view) into IndexedDB.
// Plain data, no TF.js: the UI may import this.
import type { ModelCard } from './card';
import { lenet5Mnist, lenet5ModernMnist, lenet5ModernCifar10 } from './cards/lenet';
import { alexnetImagenet } from './cards/alexnet';
import { zfnetImagenet } from './cards/zfnet';
import { vgg16Imagenet, vgg19Imagenet } from './cards/vgg';
import { googlenetImagenet } from './cards/googlenet';
import { resnet18Imagenet, resnet34Imagenet, resnet50Imagenet } from './cards/resnet';
import { resnet20Cifar10, resnet56Cifar10 } from './cards/resnet-cifar';
import { mobilenetV1Imagenet, mobilenetV1Quarter } from './cards/mobilenet-v1';
import { mobilenetV2Imagenet } from './cards/mobilenet-v2';
import { mobilenetV3LargeImagenet } from './cards/mobilenet-v3';
import { convnextTinyImagenet } from './cards/convnext';

export const ZOO_CARDS: readonly ModelCard[] = [
  lenet5Mnist,
  lenet5ModernMnist,
  lenet5ModernCifar10,
  alexnetImagenet,
  zfnetImagenet,
  vgg16Imagenet,
  vgg19Imagenet,
  googlenetImagenet,
  resnet18Imagenet,
  resnet34Imagenet,
  resnet50Imagenet,
  resnet20Cifar10,
  resnet56Cifar10,
  mobilenetV1Imagenet,
  mobilenetV1Quarter,
  mobilenetV2Imagenet,
  mobilenetV3LargeImagenet,
  convnextTinyImagenet,
];

export function findZooCard(id: string): ModelCard {
  const card = ZOO_CARDS.find((c) => c.id === id);
  if (!card) throw new Error(`Unknown zoo model "${id}".`);
  return card;
}
