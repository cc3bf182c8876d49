// The app's one IndexedDB database (idb), with a versioned schema. Each store's module
// (weight-store, dataset-store, run-store) opens it through here, so upgrades live in one place.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { CachedModel } from '../contracts/inference-protocol';
import type { DatasetInfo, RunRecord } from '../contracts/train-protocol';
import type { MethodResult, SampleInfo, TeachSet } from '../contracts/teach-protocol';

export const DB_NAME = 'convcam';
/** Bump with a migration in `upgrade` whenever the stored shape changes. */
export const DB_VERSION = 3;

export interface StoredTensor {
  name: string;
  /** TF.js layout. */
  shape: number[];
  data: Float32Array;
}

/** A slice of a dataset split: the records of one CIFAR-10 batch file, NHWC uint8. */
export interface DatasetChunk {
  key: string;
  dataset: string;
  split: 'train' | 'test';
  index: number;
  labels: Uint8Array;
  pixels: Uint8Array;
}

export interface Schema extends DBSchema {
  models: { key: string; value: CachedModel };
  tensors: { key: string; value: { modelId: string; tensors: StoredTensor[] } };
  // v2: on-device training.
  datasets: { key: string; value: DatasetInfo };
  chunks: { key: string; value: DatasetChunk; indexes: { dataset: string } };
  runs: { key: string; value: RunRecord };
  checkpoints: { key: string; value: { runId: string; model: StoredTensor[]; optimizer: StoredTensor[] } };
  // v3: the Teach view's own dataset (workers/store/teach-store.ts): classes, samples (JPEG), results.
  teachSets: { key: string; value: TeachSet & { results?: MethodResult[] } };
  teachSamples: { key: string; value: SampleInfo & { setId: string; image: Blob }; indexes: { setId: string } };
}

let db: Promise<IDBPDatabase<Schema>> | undefined;

export function openDb(): Promise<IDBPDatabase<Schema>> {
  db ??= openDB<Schema>(DB_NAME, DB_VERSION, {
    upgrade(d, oldVersion) {
      if (oldVersion < 1) {
        d.createObjectStore('models', { keyPath: 'modelId' });
        d.createObjectStore('tensors', { keyPath: 'modelId' });
      }
      if (oldVersion < 2) {
        d.createObjectStore('datasets', { keyPath: 'id' });
        d.createObjectStore('chunks', { keyPath: 'key' }).createIndex('dataset', 'dataset');
        d.createObjectStore('runs', { keyPath: 'runId' });
        d.createObjectStore('checkpoints', { keyPath: 'runId' });
      }
      if (oldVersion < 3) {
        d.createObjectStore('teachSets', { keyPath: 'id' });
        d.createObjectStore('teachSamples', { keyPath: 'id' }).createIndex('setId', 'setId');
      }
    },
    // Another tab (or worker) holding an older version must let go, or the upgrade waits forever.
    blocking() {
      void db?.then((d) => d.close());
      db = undefined;
    },
  });
  return db;
}

export class StorageFullError extends Error {
  override name = 'StorageFullError';
}

/** Runs a write; a full quota becomes a StorageFullError with `what` in its message. */
export async function withQuota<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if ((e as DOMException)?.name === 'QuotaExceededError') {
      throw new StorageFullError(`Not enough storage for ${what}. Delete stored models, datasets, runs or checkpoints in Models → Storage on this device, or free space, then try again; nothing was saved.`);
    }
    throw e;
  }
}
