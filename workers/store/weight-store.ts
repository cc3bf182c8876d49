// Converted weights in IndexedDB, so a downloaded or trained model starts offline and at
// once. Summaries and tensors live in two stores written in one transaction: a model is
// either wholly stored or not at all.
import type { CachedModel } from '../contracts/inference-protocol';
import { openDb, withQuota, type StoredTensor } from './db';

export { StorageFullError, type StoredTensor } from './db';

export async function listCached(): Promise<CachedModel[]> {
  return (await openDb()).getAll('models');
}

export async function getCached(modelId: string): Promise<{ meta: CachedModel; tensors: StoredTensor[] } | null> {
  const d = await openDb();
  const tx = d.transaction(['models', 'tensors'], 'readonly');
  const [meta, t] = await Promise.all([tx.objectStore('models').get(modelId), tx.objectStore('tensors').get(modelId), tx.done]);
  return meta && t ? { meta, tensors: t.tensors } : null;
}

export async function putCached(meta: CachedModel, tensors: StoredTensor[]): Promise<void> {
  const d = await openDb();
  await withQuota(`${meta.modelId} (${(meta.storedBytes / 2 ** 20).toFixed(1)} MiB)`, async () => {
    const tx = d.transaction(['models', 'tensors'], 'readwrite');
    await Promise.all([tx.objectStore('tensors').put({ modelId: meta.modelId, tensors }), tx.objectStore('models').put(meta), tx.done]);
  });
}

export async function deleteCached(modelId: string): Promise<void> {
  const d = await openDb();
  const tx = d.transaction(['models', 'tensors'], 'readwrite');
  await Promise.all([tx.objectStore('models').delete(modelId), tx.objectStore('tensors').delete(modelId), tx.done]);
}
