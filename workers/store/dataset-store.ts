// CIFAR-10 in IndexedDB: one chunk per batch file (NHWC uint8) and a summary row. The
// summary is written in the same transaction as the chunks, so a dataset is whole or absent.
import { openDb, withQuota, type DatasetChunk } from './db';
import type { DatasetInfo, ImageSet } from '../contracts/train-protocol';
import type { CifarArchive } from '../train/cifar-archive';

export const CIFAR10 = 'cifar10';

export async function putDataset(info: DatasetInfo, archive: CifarArchive): Promise<void> {
  const d = await openDb();
  const chunks: DatasetChunk[] = [
    ...archive.train.map((b, index) => ({ key: `${info.id}/train/${index}`, dataset: info.id, split: 'train' as const, index, ...b })),
    ...archive.test.map((b, index) => ({ key: `${info.id}/test/${index}`, dataset: info.id, split: 'test' as const, index, ...b })),
  ];
  const mib = chunks.reduce((n, c) => n + c.pixels.byteLength, 0) / 2 ** 20;
  await withQuota(`the dataset (${mib.toFixed(0)} MiB)`, async () => {
    const tx = d.transaction(['datasets', 'chunks'], 'readwrite');
    const store = tx.objectStore('chunks');
    const old = await store.index('dataset').getAllKeys(info.id);
    await Promise.all([...old.map((k) => store.delete(k)), ...chunks.map((c) => store.put(c)), tx.objectStore('datasets').put(info), tx.done]);
  });
}

export async function getDataset(id = CIFAR10): Promise<DatasetInfo | null> {
  return (await (await openDb()).get('datasets', id)) ?? null;
}

/** One split as one image set, limited to its first `limit` images (0: all). */
export async function loadSplit(split: 'train' | 'test', limit = 0, id = CIFAR10): Promise<ImageSet> {
  const all = (await (await openDb()).getAllFromIndex('chunks', 'dataset', id)).filter((c) => c.split === split).sort((a, b) => a.index - b.index);
  const total = all.reduce((n, c) => n + c.labels.length, 0);
  const n = limit > 0 ? Math.min(limit, total) : total;
  const labels = new Uint8Array(n);
  const pixels = new Uint8Array(n * 3072);
  let o = 0;
  for (const c of all) {
    const k = Math.min(c.labels.length, n - o);
    if (k <= 0) break;
    labels.set(c.labels.subarray(0, k), o);
    pixels.set(c.pixels.subarray(0, k * 3072), o * 3072);
    o += k;
  }
  return { labels, pixels };
}

export async function deleteDataset(id = CIFAR10): Promise<void> {
  const d = await openDb();
  const tx = d.transaction(['datasets', 'chunks'], 'readwrite');
  const keys = await tx.objectStore('chunks').index('dataset').getAllKeys(id);
  await Promise.all([...keys.map((k) => tx.objectStore('chunks').delete(k)), tx.objectStore('datasets').delete(id), tx.done]);
}
