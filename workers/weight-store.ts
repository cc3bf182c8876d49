// Converted weights in IndexedDB (idb), so a downloaded model starts offline and at once.
// Summaries and tensors live in two stores written in one transaction: a model is either
// wholly stored or not at all.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CachedModel } from './protocol';

export const DB_NAME = 'convcam';
/** Bump with a migration in `upgrade` whenever the stored shape changes. */
export const DB_VERSION = 1;

export interface StoredTensor {
  name: string;
  /** TF.js layout. */
  shape: number[];
  data: Float32Array;
}


interface Schema extends DBSchema {
  models: { key: string; value: CachedModel };
  tensors: { key: string; value: { modelId: string; tensors: StoredTensor[] } };
}

export class StorageFullError extends Error {
  override name = 'StorageFullError';
}

let db: Promise<IDBPDatabase<Schema>> | undefined;

function open(): Promise<IDBPDatabase<Schema>> {
  db ??= openDB<Schema>(DB_NAME, DB_VERSION, {
    upgrade(d, oldVersion) {
      if (oldVersion < 1) {
        d.createObjectStore('models', { keyPath: 'modelId' });
        d.createObjectStore('tensors', { keyPath: 'modelId' });
      }
    },
  });
  return db;
}

export async function listCached(): Promise<CachedModel[]> {
  return (await open()).getAll('models');
}

export async function getCached(modelId: string): Promise<{ meta: CachedModel; tensors: StoredTensor[] } | null> {
  const d = await open();
  const tx = d.transaction(['models', 'tensors'], 'readonly');
  const [meta, t] = await Promise.all([tx.objectStore('models').get(modelId), tx.objectStore('tensors').get(modelId), tx.done]);
  return meta && t ? { meta, tensors: t.tensors } : null;
}

export async function putCached(meta: CachedModel, tensors: StoredTensor[]): Promise<void> {
  const d = await open();
  const tx = d.transaction(['models', 'tensors'], 'readwrite');
  try {
    await Promise.all([tx.objectStore('tensors').put({ modelId: meta.modelId, tensors }), tx.objectStore('models').put(meta), tx.done]);
  } catch (e) {
    const name = (e as DOMException)?.name;
    if (name === 'QuotaExceededError') {
      throw new StorageFullError(
        `Not enough storage for ${meta.modelId} (${(meta.storedBytes / 2 ** 20).toFixed(1)} MiB). Delete cached models or free space, then try again; nothing was saved.`,
      );
    }
    throw e;
  }
}

export async function deleteCached(modelId: string): Promise<void> {
  const d = await open();
  const tx = d.transaction(['models', 'tensors'], 'readwrite');
  await Promise.all([tx.objectStore('models').delete(modelId), tx.objectStore('tensors').delete(modelId), tx.done]);
}
