// The run loop (workers/train/run.ts) in Node on the cpu backend, with storage in memory:
// a run to its end, pause and resume, cancel, a resume from the epoch checkpoint, and a
// divergence rolled back. Its last event carries the run's record.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { findCard } from '../../models/registry';
import type { CachedModel } from '../../workers/contracts/inference-protocol';
import type { RunRecord, TrainConfig, TrainEvent } from '../../workers/contracts/train-protocol';
import type { Checkpoint } from '../../workers/store/run-store';
import { RunControl, runTraining, type RunDeps } from '../../workers/train/run';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Seeded uint8 CIFAR-shaped images with labels 0-9. */
function images(n: number, seed: number) {
  let s = seed;
  const next = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 256;
  return { labels: Uint8Array.from({ length: n }, (_, i) => i % 10), pixels: Uint8Array.from({ length: n * 3072 }, next) };
}

/** RunDeps over maps, as the worker's over IndexedDB. */
function memoryDeps() {
  const runs = new Map<string, { run: RunRecord; checkpoint: Checkpoint | null }>();
  const saved: CachedModel[] = [];
  const deps: RunDeps = {
    backend: { name: 'cpu', reason: 'test', attempts: [], canTrain: true },
    card: async (id) => findCard(id),
    weights: async () => new Map(),
    loadSplit: async (split, limit) => images(limit, split === 'train' ? 1 : 2),
    getRun: async (id) => structuredClone(runs.get(id) ?? null),
    putRun: async (run, checkpoint) => void runs.set(run.runId, { run: structuredClone(run), checkpoint: checkpoint ?? runs.get(run.runId)?.checkpoint ?? null }),
    dropCheckpoint: async (id) => void (runs.get(id)!.checkpoint = null),
    saveModel: async (meta) => void saved.push(meta),
  };
  return { deps, runs, saved };
}

const CONFIG: TrainConfig = {
  baseModelId: 'lenet5-modern-cifar10',
  pretrained: false,
  inputSize: 32,
  epochs: 2,
  batchSize: 16,
  optimizer: { name: 'adamw', weightDecay: 0.01 },
  schedule: { name: 'constant', lr: 0.001 },
  labelSmoothing: 0,
  augment: { cropPadding: 2, flip: true },
  frozenStages: 0,
  trainLimit: 32,
  testLimit: 20,
  seed: 3,
};

function collect(): { events: TrainEvent[]; emit: (e: TrainEvent) => void; last: () => Extract<TrainEvent, { type: 'end' }> } {
  const events: TrainEvent[] = [];
  return {
    events,
    emit: (e) => void events.push(e),
    last: () => {
      const e = events.at(-1)!;
      if (e.type !== 'end') throw new Error(`the last event is ${e.type}, not end`);
      return e;
    },
  };
}

describe('runTraining', () => {
  it('runs to its end; the last event carries the record, the model is saved once and the checkpoint dropped', async () => {
    const { deps, runs, saved } = memoryDeps();
    const c = collect();
    const before = tf.memory().numTensors;
    await runTraining(CONFIG, c.emit, deps, new RunControl());
    const { run, model } = c.last();
    expect(run.status).toBe('done');
    expect(run.epoch).toBe(2);
    expect(run.history.map((p) => p.epoch)).toEqual([1, 2]);
    expect(run.evaluation?.count).toBe(20);
    expect(run.evaluation?.confusion.flat().reduce((a, b) => a + b, 0)).toBe(20);
    expect(model?.modelId).toBe(run.resultModelId);
    expect(saved.map((m) => m.modelId)).toEqual([run.resultModelId]);
    expect(runs.get(run.runId)?.checkpoint).toBeNull();
    expect(c.events.filter((e) => e.type === 'step')).toHaveLength(4); // 32 images / 16, two epochs
    expect(c.events.filter((e) => e.type === 'checkpoint').map((e) => (e as { epoch: number }).epoch)).toEqual([1, 2]);
    expect(tf.memory().numTensors).toBe(before); // the model and optimizer were disposed
  });

  it('pauses at a step, stores the paused state, and resumes', async () => {
    const { deps, runs } = memoryDeps();
    const control = new RunControl();
    const c = collect();
    const emit = (e: TrainEvent) => {
      c.emit(e);
      if (e.type === 'step' && e.step === 0 && e.epoch === 0) control.pause();
      if (e.type === 'paused') {
        expect(runs.get(e.runId)?.run.status).toBe('paused');
        setTimeout(() => control.resume());
      }
    };
    await runTraining(CONFIG, emit, deps, control);
    expect(c.events.map((e) => e.type).filter((t) => t === 'paused' || t === 'resumed')).toEqual(['paused', 'resumed']);
    expect(c.last().run.status).toBe('done');
  });

  it('is cancelled at a step: the record says so and no checkpoint or model is left', async () => {
    const { deps, runs, saved } = memoryDeps();
    const control = new RunControl();
    const c = collect();
    await runTraining(CONFIG, (e) => {
      c.emit(e);
      if (e.type === 'step') control.cancel();
    }, deps, control);
    const { run } = c.last();
    expect(run.status).toBe('cancelled');
    expect(runs.get(run.runId)?.checkpoint).toBeNull();
    expect(saved).toEqual([]);
  });

  it("resumes from the last epoch's checkpoint, after the page (and the run) went away", async () => {
    const { deps, runs } = memoryDeps();
    const control = new RunControl();
    const first = collect();
    // The page goes away after epoch 1's checkpoint: here, a cancel the store never hears of.
    let gone = false;
    const { putRun, dropCheckpoint } = deps;
    deps.putRun = async (run, cp) => (gone ? undefined : putRun(run, cp));
    deps.dropCheckpoint = async (id) => (gone ? undefined : dropCheckpoint(id));
    await runTraining(CONFIG, (e) => {
      first.emit(e);
      if (e.type !== 'checkpoint') return;
      gone = true;
      control.cancel();
    }, deps, control);
    const runId = first.last().run.runId;
    Object.assign(deps, { putRun, dropCheckpoint });
    expect(runs.get(runId)?.run.epoch).toBe(1);
    expect(runs.get(runId)?.checkpoint).not.toBeNull();

    const second = collect();
    await runTraining(CONFIG, second.emit, deps, control, runId);
    const steps = second.events.filter((e) => e.type === 'step') as Extract<TrainEvent, { type: 'step' }>[];
    expect(steps.map((s) => s.epoch)).toEqual([1, 1]); // only the second epoch ran
    expect(second.last().run.history.map((p) => p.epoch)).toEqual([1, 2]);
    expect(second.last().run.status).toBe('done');
  });

  it('stops a diverging run and restores the last checkpoint, saying so in the record', async () => {
    const { deps, runs, saved } = memoryDeps();
    const c = collect();
    await runTraining({ ...CONFIG, optimizer: { name: 'sgd' }, schedule: { name: 'constant', lr: 1e30 } }, c.emit, deps, new RunControl());
    const { run } = c.last();
    expect(run.status).toBe('diverged');
    expect(run.message).toMatch(/The weights of epoch 0 were restored\.$/);
    expect(runs.get(run.runId)?.checkpoint).not.toBeNull(); // still resumable from there
    expect(saved).toEqual([]);
  });
});

describe('evaluateModel', () => {
  it('stops between batches when its signal aborts, leaving no tensor behind', async () => {
    const { evaluateModel } = await import('../../workers/train/trainer');
    const { loadClassifier } = await import('../../models/builders');
    const card = findCard('lenet5-modern-cifar10');
    const model = await loadClassifier(card, null);
    const data = images(300, 5);
    const held = tf.memory().numTensors;
    const abort = new AbortController();
    let batches = 0;
    const forward = model.forward.bind(model);
    // Counts batches and aborts after the first, as the UI's Stop would.
    model.forward = (x, ctx) => {
      if (++batches === 1) abort.abort(new DOMException('Stopped', 'AbortError'));
      return forward(x, ctx);
    };
    await expect(evaluateModel(model, card.preprocess, data, 32, 10, 0, 100, abort.signal)).rejects.toThrow(/Stopped/);
    expect(batches).toBe(1);
    expect(tf.memory().numTensors).toBe(held);
    const full = await evaluateModel(model, card.preprocess, data, 32, 10, 0, 100);
    expect(full.count).toBe(300);
    model.dispose();
  });
});
