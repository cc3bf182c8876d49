// Trained models in and out of the device: export as a PyTorch state dict (safetensors, the
// card in the metadata) and import such a file back, stored like any other model.
import * as tf from '@tensorflow/tfjs-core';
import { buildModel } from '../../models/builders';
import type { ModelCard } from '../../models/card';
import { toTorch } from '../../models/nn';
import { registerUserCard } from '../../models/registry';
import { parseSafetensors, requireFinite, writeSafetensors } from '../../models/safetensors';
import { toTfWeights } from '../../models/weights';
import type { CachedModel } from '../contracts/inference-protocol';
import { WeightsError } from '../store/fetch-weights';
import { cardFor, toStored } from '../store/model-weights';
import { getCached, putCached, storedDigest } from '../store/weight-store';

/** A trained model as safetensors with PyTorch names and layouts, its card in the metadata. */
export async function exportModel(modelId: string): Promise<{ name: string; bytes: ArrayBuffer }> {
  const stored = await getCached(modelId);
  if (!stored) throw new Error(`${modelId} is not stored on this device.`);
  const card = stored.meta.card ?? (await cardFor(modelId));
  const specs = new Map((await buildModel(card)).namedSpecs());
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const t of stored.tensors) {
    const spec = specs.get(t.name);
    if (!spec) throw new Error(`The stored weights hold an unknown tensor ${t.name}.`);
    const torch = tf.tidy(() => toTorch(spec, tf.tensor(t.data, t.shape)));
    tensors[t.name] = { shape: torch.shape, data: (await torch.data()) as Float32Array };
    torch.dispose();
  }
  // PyTorch names and layouts, so torch.load_state_dict takes the file as it is.
  return { name: `${card.id}.safetensors`, bytes: writeSafetensors(tensors, { convcam_card: JSON.stringify(card) }) };
}

/** Reads such a file back: checked whole (card, every name and shape) before it is stored. */
export async function importModel(file: Blob): Promise<CachedModel> {
  const buffer = await file.arrayBuffer();
  let parsed;
  try {
    parsed = parseSafetensors(buffer);
  } catch (e) {
    throw new WeightsError(`This is not a model file exported by ConvCam: ${(e as Error).message}`);
  }
  requireFinite(parsed);
  const raw = parsed.metadata.convcam_card;
  if (!raw) throw new WeightsError('This safetensors file has no ConvCam card in its metadata. Weights of a zoo model are imported in the Models view.');
  let card: ModelCard;
  try {
    card = JSON.parse(raw) as ModelCard;
    if (typeof card.id !== 'string' || typeof card.family !== 'string' || !Array.isArray(card.labels) || !card.preprocess) throw new Error('incomplete');
  } catch {
    throw new WeightsError('The ConvCam card in this file is damaged.');
  }
  const model = await buildModel(card);
  const weights = toTfWeights(model, parsed);
  let tensors;
  try {
    tensors = await toStored(weights);
  } finally {
    weights.forEach((t) => t.dispose());
  }
  registerUserCard(card);
  const storedBytes = tensors.reduce((n, t) => n + t.data.byteLength, 0);
  // The same digest as when it was trained, so the copy is recognised as the same weights.
  const meta: CachedModel = { modelId: card.id, sha256: await storedDigest(tensors), sourceBytes: buffer.byteLength, storedBytes, savedAt: Date.now(), card };
  await putCached(meta, tensors);
  return meta;
}
