// Training runs and their last checkpoint (model and optimizer state) in IndexedDB. A run's
// record and its checkpoint are written in one transaction, so they always agree.
import { openDb, withQuota, type StoredTensor } from './db';
import type { RunRecord } from '../contracts/train-protocol';

export interface Checkpoint {
  model: StoredTensor[];
  optimizer: StoredTensor[];
}

export const checkpointBytes = (c: Checkpoint) => [...c.model, ...c.optimizer].reduce((n, t) => n + t.data.byteLength, 0);

export async function putRun(run: RunRecord, checkpoint?: Checkpoint): Promise<void> {
  const d = await openDb();
  await withQuota(`a checkpoint of run ${run.runId}`, async () => {
    const tx = d.transaction(['runs', 'checkpoints'], 'readwrite');
    const runs = tx.objectStore('runs');
    // The record keeps its checkpoint's size, written with it or carried over from the last one.
    const bytes = checkpoint ? checkpointBytes(checkpoint) : (await runs.get(run.runId))?.checkpointBytes;
    const writes: Promise<unknown>[] = [runs.put({ ...run, checkpointBytes: bytes })];
    if (checkpoint) writes.push(tx.objectStore('checkpoints').put({ runId: run.runId, ...checkpoint }));
    await Promise.all([...writes, tx.done]);
  });
}

export async function getRun(runId: string): Promise<{ run: RunRecord; checkpoint: Checkpoint | null } | null> {
  const d = await openDb();
  const tx = d.transaction(['runs', 'checkpoints'], 'readonly');
  const [run, cp] = await Promise.all([tx.objectStore('runs').get(runId), tx.objectStore('checkpoints').get(runId), tx.done]);
  return run ? { run, checkpoint: cp ? { model: cp.model, optimizer: cp.optimizer } : null } : null;
}

export async function listRuns(): Promise<RunRecord[]> {
  return (await (await openDb()).getAll('runs')).sort((a, b) => b.startedAt - a.startedAt);
}

export async function deleteRun(runId: string, keepRecord = false): Promise<void> {
  const d = await openDb();
  const tx = d.transaction(['runs', 'checkpoints'], 'readwrite');
  const writes: Promise<unknown>[] = [tx.objectStore('checkpoints').delete(runId)];
  if (!keepRecord) writes.push(tx.objectStore('runs').delete(runId));
  await Promise.all([...writes, tx.done]);
}
