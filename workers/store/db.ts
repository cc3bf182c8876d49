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

/** A pinned download in progress (hub-download.ts): what has arrived, kept for a resume. */
export interface PartialDownload {
  modelId: string;
  url: string;
  sha256: string;
  /** The whole file's length as the server gave it, 0 if unknown. */
  total: number;
  /** Bytes in the stored chunks, which hold the file from its start. */
  received: number;
  chunks: number;
  updatedAt: number;
}

/** One slice of a partial download, in order: key `<modelId>#<index, 6 digits>`. */
export interface PartChunk {
  key: string;
  data: Uint8Array;
}

export interface Schema extends DBSchema {
  models: { key: string; value: CachedModel };
  /** `file`: weights kept as an int8 safetensors file in the source's names (then `tensors` is empty), converted when loaded. */
  tensors: { key: string; value: { modelId: string; tensors: StoredTensor[]; file?: ArrayBuffer } };
  // v2: on-device training.
  datasets: { key: string; value: DatasetInfo };
  chunks: { key: string; value: DatasetChunk; indexes: { dataset: string } };
  runs: { key: string; value: RunRecord };
  checkpoints: { key: string; value: { runId: string; model: StoredTensor[]; optimizer: StoredTensor[] } };
  // v3: resumable pinned downloads.
  partials: { key: string; value: PartialDownload };
  partChunks: { key: string; value: PartChunk };
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
        d.createObjectStore('partials', { keyPath: 'modelId' });
        d.createObjectStore('partChunks', { keyPath: 'key' });
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
