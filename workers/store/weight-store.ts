// Converted weights in IndexedDB, so a downloaded or trained model starts offline and at
// once. Summaries and tensors live in two stores written in one transaction: a model is
// either wholly stored or not at all.
import type { CachedModel } from '../contracts/inference-protocol';
import { openDb, withQuota, type StoredTensor } from './db';
import { sha256Hex } from './fetch-weights';

export type { StoredTensor } from './db';

/**
 * The sha256 of a trained model's weights as stored: each tensor's name, shape and float32
 * bytes, by name, so the same weights give the same digest however they arrived (saved by the
 * trainer, or exported and imported back). Zoo imports keep the sha256 of their source file,
 * the figure their publishers pin.
 */
export async function storedDigest(tensors: readonly StoredTensor[]): Promise<string> {
  const enc = new TextEncoder();
  const parts = [...tensors]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((t) => [enc.encode(`${t.name}:${t.shape.join('x')};`), new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)]);
  return sha256Hex(await new Blob(parts as BlobPart[]).arrayBuffer());
}

export async function listCached(): Promise<CachedModel[]> {
  return (await openDb()).getAll('models');
}

export async function getCached(modelId: string): Promise<{ meta: CachedModel; tensors: StoredTensor[]; file?: ArrayBuffer } | null> {
  const d = await openDb();
  const tx = d.transaction(['models', 'tensors'], 'readonly');
  const [meta, t] = await Promise.all([tx.objectStore('models').get(modelId), tx.objectStore('tensors').get(modelId), tx.done]);
  return meta && t ? { meta, tensors: t.tensors, ...(t.file ? { file: t.file } : {}) } : null;
}

/**
 * Stores a model's summary and tensors in one transaction; a download's received part
 * (hub-download.ts) is deleted in the same one, so either the model is stored and its part
 * gone, or nothing changed.
 */
export async function putCached(meta: CachedModel, tensors: StoredTensor[], file?: ArrayBuffer): Promise<void> {
  const d = await openDb();
  await withQuota(`${meta.modelId} (${(meta.storedBytes / 2 ** 20).toFixed(1)} MiB)`, async () => {
    const tx = d.transaction(['models', 'tensors', 'partials', 'partChunks'], 'readwrite');
    await Promise.all([
      tx.objectStore('tensors').put({ modelId: meta.modelId, tensors, ...(file ? { file } : {}) }),
      tx.objectStore('models').put(meta),
      tx.objectStore('partials').delete(meta.modelId),
      tx.objectStore('partChunks').delete(chunkRange(meta.modelId)),
      tx.done,
    ]);
  });
}

/** The keys of a model's partial-download chunks. */
export const chunkKey = (modelId: string, index: number) => `${modelId}#${String(index).padStart(6, '0')}`;
export const chunkRange = (modelId: string) => IDBKeyRange.bound(`${modelId}#`, `${modelId}#\uffff`);

export async function deleteCached(modelId: string): Promise<void> {
  const d = await openDb();
  const tx = d.transaction(['models', 'tensors'], 'readwrite');
  await Promise.all([tx.objectStore('models').delete(modelId), tx.objectStore('tensors').delete(modelId), tx.done]);
}
