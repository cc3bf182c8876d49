// Family id -> architecture builder. Imports TF.js: only workers and Node tools use it.
import type { ModelCard } from './card';
import type { Module } from './nn';
import * as airbench from './families/airbench';
import * as lenet from './families/lenet';
import * as alexnet from './families/alexnet';
import * as zfnet from './families/zfnet';
import * as vgg from './families/vgg';
import * as googlenet from './families/googlenet';
import * as resnet from './families/resnet';
import * as resnetCifar from './families/resnet-cifar';
import * as mobilenetV1 from './families/mobilenet-v1';
import * as mobilenetV2 from './families/mobilenet-v2';
import * as mobilenetV3 from './families/mobilenet-v3';
import * as convnext from './families/convnext';

/** A classifier: forward() gives logits; features() feeds the replaceable head. */
export type Classifier = Module & { features(x: import('@tensorflow/tfjs-core').Tensor, ctx: import('./nn').Ctx): import('@tensorflow/tfjs-core').Tensor };

const FAMILIES: Record<string, (config: Record<string, unknown>) => Classifier> = {
  airbench: airbench.build,
  lenet: lenet.build,
  alexnet: alexnet.build,
  zfnet: zfnet.build,
  vgg: vgg.build,
  googlenet: googlenet.build,
  resnet: resnet.build,
  'resnet-cifar': resnetCifar.build,
  'mobilenet-v1': mobilenetV1.build,
  'mobilenet-v2': mobilenetV2.build,
  'mobilenet-v3': mobilenetV3.build,
  convnext: convnext.build,
};

export function buildModel(card: ModelCard): Classifier {
  const build = FAMILIES[card.family];
  if (!build) throw new Error(`No builder for family "${card.family}".`);
  return build(card.config);
}
