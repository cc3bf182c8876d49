// A card's architecture (buildModel), and loadClassifier, the one way a model is made ready.
// Imports TF.js: only workers and Node tools use it.
import * as tf from '@tensorflow/tfjs-core';
import type { ArchitectureOf, Family, FamilyConfigs, ModelCard } from './card';
import type { ZooModel } from './layers';
import { Linear } from './nn';

/**
 * A classifier: forward() gives logits, features() feeds the head, and every family has the
 * same head API (headName, replaceHead), which fine-tuning uses.
 */
export type Classifier = ZooModel;

interface FamilyModule<F extends Family> {
  build(config: FamilyConfigs[F]): Classifier;
}

/**
 * Builds a card's architecture. The family is `families/<card.family>.ts`, found by name
 * rather than from a list, so a new family needs no entry here; Vite splits each family
 * into its own chunk, so a worker loads only the architectures it runs.
 */
export async function buildModel<F extends Family>(arch: ArchitectureOf<F>): Promise<Classifier> {
  // A trained model's card comes back from IndexedDB: its family must name a file here.
  if (!/^[a-z0-9-]+$/.test(arch.family)) throw new Error(`"${arch.family}" is not a family name.`);
  let mod: FamilyModule<F>;
  try {
    mod = (await import(`./families/${arch.family}.ts`)) as FamilyModule<F>;
  } catch (e) {
    throw new Error(`No architecture for family "${arch.family}": ${(e as Error).message}`);
  }
  const model = mod.build(arch.config);
  // A taught small MLP: its hidden layer is part of the architecture, so loading, export and
  // the parameter count see it like any other layer.
  if ((arch as Partial<ModelCard>).taught?.method === 'mlp') {
    const width = new Map(model.namedSpecs()).get(`${model.headName}.weight`)?.shape[0];
    if (!width) throw new Error(`No head ${model.headName} to put a hidden layer before.`);
    model.attach(TAUGHT_HIDDEN, new Linear(width, width));
  }
  return model;
}

/** The hidden layer's name in a taught MLP (Teach view): ReLU(TAUGHT_HIDDEN(embedding)) feeds the head. */
export const TAUGHT_HIDDEN = 'teach_hidden';

/** Named weights for a freshly built model (names are mapped against it); they are disposed once loaded. */
export type WeightsOf = (model: Classifier) => Promise<Map<string, tf.Tensor>> | Map<string, tf.Tensor>;

/**
 * Builds the card's architecture, loads its weights (or, with no `weightsOf`, random ones
 * from `seed`) and disposes the loaded copies. Unless it will train (`fuse: false`),
 * BatchNorm and ReLU fold into the convs: fewer kernels per frame, same logits. The inference
 * worker, evaluation, the bench and npm run eval all load models through this.
 */
export async function loadClassifier(card: ModelCard, weightsOf: WeightsOf | null, { fuse = true, seed = 0 } = {}): Promise<Classifier> {
  const model = await buildModel(card);
  const weights = weightsOf ? await weightsOf(model) : undefined;
  try {
    model.materialize(weights, seed);
  } finally {
    weights?.forEach((t) => t.dispose());
  }
  if (fuse) model.fuseForInference();
  if (card.taught) normaliseEmbeddings(model);
  return model;
}

/**
 * A taught model (the Teach view) classifies the L2-normalised embedding: logits are
 * head(features(x) / |features(x)|). Its head is the family's own Linear (so the weights export
 * under PyTorch names); only the forward changes, for every family alike.
 */
function normaliseEmbeddings(model: Classifier): void {
  const vars = new Map(model.variables().map((v) => [v.name, v.variable] as const));
  const w = vars.get(`${model.headName}.weight`);
  const b = vars.get(`${model.headName}.bias`);
  if (!w) throw new Error(`No head ${model.headName} to classify normalised embeddings with.`);
  const hw = vars.get(`${TAUGHT_HIDDEN}.weight`);
  const hb = vars.get(`${TAUGHT_HIDDEN}.bias`);
  model.forward = (x, ctx) =>
    tf.tidy(() => {
      const f = model.features(x, ctx);
      const norm = tf.maximum(tf.norm(f, 'euclidean', -1, true), 1e-12);
      let e = tf.div(f, norm) as tf.Tensor2D;
      if (hw && hb) e = tf.relu(tf.add(tf.matMul(e, hw as tf.Tensor2D), hb)) as tf.Tensor2D;
      const z = tf.matMul(e, w as tf.Tensor2D);
      // Some families' heads have no bias (airbench's).
      return b ? tf.add(z, b) : z;
    });
}
