// Family id -> architecture builder. Imports TF.js: only workers and Node tools use it.
import type { ModelCard } from './card';
import type { Module } from './nn';
import * as airbench from './families/airbench';

/** A classifier: forward() gives logits; features() feeds the replaceable head. */
export type Classifier = Module & { features(x: import('@tensorflow/tfjs-core').Tensor, ctx: import('./nn').Ctx): import('@tensorflow/tfjs-core').Tensor };

const FAMILIES: Record<string, (config: Record<string, unknown>) => Classifier> = {
  airbench: airbench.build,
};

export function buildModel(card: ModelCard): Classifier {
  const build = FAMILIES[card.family];
  if (!build) throw new Error(`No builder for family "${card.family}".`);
  return build(card.config);
}
