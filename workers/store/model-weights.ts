// Where a model's weights come from, for both workers: embedded ones from the app
// (precached), all others from IndexedDB. Also finds the card of a model trained here.
import * as tf from '@tensorflow/tfjs-core';
import { findCard, registerUserCard } from '../../models/registry';
import type { ModelCard } from '../../models/card';
import type { Module } from '../../models/nn';
import { parseSafetensors } from '../../models/safetensors';
import { toTfWeights, toTfWeightsAnyNaming } from '../../models/weights';
import { fetchVerified, WeightsError } from './fetch-weights';
import { getCached, listCached, type StoredTensor } from './weight-store';
import type { ProgressListener } from '../contracts/inference-protocol';

/** A built-in card, or the stored card of a model trained (or imported) on this device. */
export async function cardFor(id: string): Promise<ModelCard> {
  try {
    return findCard(id);
  } catch (e) {
    const card = (await listCached()).find((c) => c.modelId === id)?.card;
    if (!card) throw e;
    registerUserCard(card);
    return card;
  }
}

export async function weightsFor(
  card: ModelCard,
  model: Module,
  baseUrl: string,
  onProgress: ProgressListener,
): Promise<{ weights: Map<string, tf.Tensor>; bytes: number; sha256: string }> {
  if (card.weights.embedded) {
    const buffer = await fetchVerified(new URL(card.weights.url, baseUrl).href, card.weights, (loaded, total) =>
      onProgress({ type: 'download', modelId: card.id, loaded, total }),
    );
    onProgress({ type: 'verify', modelId: card.id });
    return { weights: toTfWeights(model, parseSafetensors(buffer)), bytes: buffer.byteLength, sha256: card.weights.sha256 };
  }
  const stored = await getCached(card.id);
  if (!stored) throw new WeightsError(`${card.name} has no weights on this device yet: import them in the Models view.`);
  // Kept as int8: the file is read (dequantised to float32) and mapped as an import is.
  const weights = stored.file ? toTfWeightsAnyNaming(model, card.family, parseSafetensors(stored.file), (card.config as { variant?: string }).variant) : fromStored(stored.tensors);
  return { weights, bytes: stored.meta.storedBytes, sha256: stored.meta.sha256 };
}

export function fromStored(tensors: StoredTensor[]): Map<string, tf.Tensor> {
  return new Map(tensors.map((t) => [t.name, tf.tensor(t.data, t.shape, 'float32')] as const));
}

/** Reads tensors back for storage (async readback: no dataSync on the GPU). */
export async function toStored(named: Iterable<[string, tf.Tensor]>): Promise<StoredTensor[]> {
  const out: StoredTensor[] = [];
  for (const [name, t] of named) out.push({ name, shape: t.shape, data: (await t.data()) as Float32Array });
  return out;
}
