// Family id -> architecture builder, and loadClassifier, the one way a model is made ready.
// Imports TF.js: only workers and Node tools use it.
import type * as tf from '@tensorflow/tfjs-core';
import type { ModelCard } from './card';
import type { ZooModel } from './layers';
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

/**
 * A classifier: forward() gives logits, features() feeds the head, and every family has the
 * same head API (headName, replaceHead), which fine-tuning uses.
 */
export type Classifier = ZooModel;

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

/** Named weights for a freshly built model (names are mapped against it); they are disposed once loaded. */
export type WeightsOf = (model: Classifier) => Promise<Map<string, tf.Tensor>> | Map<string, tf.Tensor>;

/**
 * Builds the card's architecture, loads its weights (or, with no `weightsOf`, random ones
 * from `seed`) and disposes the loaded copies. Unless it will train (`fuse: false`),
 * BatchNorm and ReLU fold into the convs: fewer kernels per frame, same logits. The inference
 * worker, evaluation, the bench and npm run eval all load models through this.
 */
export async function loadClassifier(card: ModelCard, weightsOf: WeightsOf | null, { fuse = true, seed = 0 } = {}): Promise<Classifier> {
  const model = buildModel(card);
  const weights = weightsOf ? await weightsOf(model) : undefined;
  try {
    model.materialize(weights, seed);
  } finally {
    weights?.forEach((t) => t.dispose());
  }
  if (fuse) model.fuseForInference();
  return model;
}
