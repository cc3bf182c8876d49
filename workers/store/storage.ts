// Everything stored in IndexedDB, each with its size, and its deletion, for the Models view's
// "Storage on this device". Weights are deleted through the inference worker's deleteCached,
// which also drops a loaded copy.
import { findCard } from '../../models/registry';
import type { StoredItem } from '../contracts/storage';
import { openDb } from './db';
import { deleteDataset } from './dataset-store';
import { checkpointBytes, deleteRun } from './run-store';
import { dropPartial, listPartials } from './hub-download';
import { deleteAllSamples, getSet, listSamples } from './teach-store';

const nameOf = (id: string) => {
  try {
    return findCard(id).name;
  } catch {
    return id;
  }
};

export async function listStored(): Promise<StoredItem[]> {
  const d = await openDb();
  const [models, datasets, runs, partials] = await Promise.all([d.getAll('models'), d.getAll('datasets'), d.getAll('runs'), listPartials()]);
  const items: StoredItem[] = [
    ...models.map((m): StoredItem => ({ kind: m.card && m.card.weights.format !== 'tflite' ? 'trained' : 'weights', id: m.modelId, name: m.card?.name ?? nameOf(m.modelId), bytes: m.storedBytes, savedAt: m.savedAt })),
    // Per image, its label byte and 32x32x3 pixels: the chunks hold nothing else.
    ...datasets.map((s): StoredItem => ({ kind: 'dataset', id: s.id, name: `CIFAR-10, ${s.trainCount} training and ${s.testCount} test images (${s.source})`, bytes: (s.trainCount + s.testCount) * (1 + 32 * 32 * 3), savedAt: s.importedAt })),
    ...runs.map((r): StoredItem => ({ kind: 'run', id: r.runId, name: `Run ${r.runId} of ${nameOf(r.config.baseModelId)}`, bytes: new TextEncoder().encode(JSON.stringify(r)).byteLength, savedAt: r.updatedAt, run: r })),
    ...partials.map((p): StoredItem => ({ kind: 'download', id: p.modelId, name: `${nameOf(p.modelId)}, downloaded ${p.received.toLocaleString('en')}${p.total ? ` of ${p.total.toLocaleString('en')}` : ''} bytes (resumes)`, bytes: p.received, savedAt: p.updatedAt })),
  ];
  // The Teach view's samples, as one item: deleting it empties the user's dataset (the classes stay).
  const samples = await listSamples();
  if (samples.length) {
    const set = await getSet();
    items.push({ kind: 'samples', id: set.id, name: `Your Teach samples: ${samples.length} in ${set.classes.length} classes`, bytes: samples.reduce((n, s) => n + s.bytes, 0), savedAt: Math.max(...samples.map((s) => s.addedAt)) });
  }
  // A checkpoint (a model and its optimizer state) is read only where its record lacks its size.
  const byRun = new Map(runs.map((r) => [r.runId, r]));
  for (const runId of await d.getAllKeys('checkpoints')) {
    const run = byRun.get(runId);
    const bytes = run?.checkpointBytes ?? checkpointBytes((await d.get('checkpoints', runId))!);
    items.push({ kind: 'checkpoint', id: runId, name: `Checkpoint of run ${runId}${run ? `, after epoch ${run.epoch} of ${run.config.epochs}` : ''}`, bytes, savedAt: run?.updatedAt ?? 0 });
  }
  return items;
}

/** Deletes a dataset, a run (with its checkpoint) or a checkpoint; weights go through deleteCached. */
export async function deleteStored(item: Pick<StoredItem, 'kind' | 'id'>): Promise<void> {
  switch (item.kind) {
    case 'dataset': return deleteDataset(item.id);
    case 'run': return deleteRun(item.id);
    case 'checkpoint': return dropCheckpoint(item.id);
    case 'download': return dropPartial(item.id);
    case 'samples': return deleteAllSamples();
    default: throw new Error(`${item.kind} is deleted with deleteCached.`);
  }
}

/** Without its checkpoint an unfinished run cannot resume: its record says so. */
async function dropCheckpoint(runId: string): Promise<void> {
  const d = await openDb();
  const tx = d.transaction(['runs', 'checkpoints'], 'readwrite');
  const run = await tx.objectStore('runs').get(runId);
  const writes: Promise<unknown>[] = [tx.objectStore('checkpoints').delete(runId)];
  if (run && (run.status === 'running' || run.status === 'paused')) {
    writes.push(tx.objectStore('runs').put({ ...run, status: 'cancelled', updatedAt: Date.now(), message: `Its checkpoint was deleted in Models, so it cannot be resumed from epoch ${run.epoch}.` }));
  }
  await Promise.all([...writes, tx.done]);
}
