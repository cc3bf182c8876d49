// A training run: epochs, pause and cancel, a checkpoint after every epoch, a divergence
// rolled back to the last checkpoint, the final evaluation and the trained model. Storage and
// weights come in through RunDeps, so the same loop runs in the worker (IndexedDB) and in
// Node (tests/unit/train-run.test.ts, in memory). Its last event carries the run's record.
import * as tf from '@tensorflow/tfjs-core';
import { loadClassifier, type Classifier } from '../../models/builders';
import { CIFAR10_LABELS, withNumClasses, type ModelCard } from '../../models/card';
import { profileCard } from '../../models/profile';
import type { BackendInfo, CachedModel } from '../contracts/inference-protocol';
import { memory } from '../engine/memory';
import type { Evaluation, ImageSet, RunRecord, TrainConfig, TrainListener } from '../contracts/train-protocol';
import { fromStored, toStored } from '../store/model-weights';
import type { Checkpoint } from '../store/run-store';
import type { StoredTensor } from '../store/weight-store';
import { storedDigest } from '../store/weight-store';
import { DivergedError, rng, shuffled, Trainer } from './trainer';

/** Where a run reads and writes: IndexedDB in the worker, maps in the tests. */
export interface RunDeps {
  backend: BackendInfo;
  card(id: string): Promise<ModelCard>;
  /** The base card's own weights, for a run from pretrained weights. */
  weights(card: ModelCard, model: Classifier): Promise<Map<string, tf.Tensor>>;
  loadSplit(split: 'train' | 'test', limit: number): Promise<ImageSet>;
  getRun(runId: string): Promise<{ run: RunRecord; checkpoint: Checkpoint | null } | null>;
  /** The run's record, and with it (in one write) its checkpoint. */
  putRun(run: RunRecord, checkpoint?: Checkpoint): Promise<void>;
  /** Drops the checkpoint (a run that ended keeps its record). */
  dropCheckpoint(runId: string): Promise<void>;
  /** Stores the trained model with its card. */
  saveModel(meta: CachedModel, tensors: StoredTensor[]): Promise<void>;
}

/** Pause, resume and cancel of the one active run. */
export class RunControl {
  active = false;
  paused = false;
  cancelled = false;
  private wake: (() => void) | null = null;

  pause(): void {
    if (this.active) this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  cancel(): void {
    if (!this.active) return;
    this.cancelled = true;
    this.wake?.();
  }

  /** Resolves at the next resume or cancel. */
  waitForWake(): Promise<void> {
    return new Promise((r) => (this.wake = r));
  }

  reset(active: boolean): void {
    Object.assign(this, { active, paused: false, cancelled: false, wake: null });
  }
}

class CancelledError extends Error {
  override name = 'AbortError';
}


export const isCifarCard = (card: ModelCard) => card.labels.length === 10 && card.labels.every((l, i) => l === CIFAR10_LABELS[i]);

export function requireDataset(split: ImageSet, what: string): void {
  if (!split.labels.length) throw new Error(`No ${what} images on this device: import cifar-10-binary.tar.gz first.`);
}

/** The architecture with a 10-class CIFAR head, from the base card's weights or at random. */
async function buildForCifar(base: ModelCard, cfg: TrainConfig, deps: RunDeps): Promise<Classifier> {
  const pretrained = cfg.pretrained ? (m: Classifier) => deps.weights(base, m) : null;
  const model = await loadClassifier(base, pretrained, { fuse: false, seed: cfg.seed });
  if (!isCifarCard(base)) model.replaceHead(10).materialize(undefined, cfg.seed + 1);
  return model;
}

/** The card of the trained model: the base architecture with a CIFAR-10 head and input. */
async function trainedCard(base: ModelCard, cfg: TrainConfig, runId: string, ev: Evaluation, sha256: string, bytes: number): Promise<ModelCard> {
  const s = cfg.inputSize;
  const card: ModelCard = {
    ...withNumClasses(base, 10),
    id: `trained-${runId}`,
    name: `${base.name.replace(/, (CIFAR-10|ImageNet|MNIST)$/, '')}, trained here on CIFAR-10 (${new Date().toISOString().slice(0, 16).replace('T', ' ')})`,
    preprocess: { ...base.preprocess, size: [s, s], resize: 'squash', cropFraction: 1 },
    labels: CIFAR10_LABELS,
    weights: { url: '', sha256, bytes, format: 'safetensors', convention: 'convcam', license: 'Trained on this device; CIFAR-10 terms apply to the data.', embedded: false },
    metrics: [{ name: 'CIFAR-10 test accuracy', value: ev.accuracy, command: 'ConvCam Train view', dataset: `first ${ev.count} CIFAR-10 test images` }],
  };
  const p = await profileCard(card);
  return { ...card, params: p.params, macs: p.macs };
}

async function checkpointOf(model: Classifier, trainer: Trainer): Promise<Checkpoint> {
  return {
    model: await toStored(model.variables().map(({ name, variable }) => [name, variable] as [string, tf.Tensor])),
    optimizer: await toStored(trainer.optimizer.stateTensors()),
  };
}

function restore(model: Classifier, trainer: Trainer, cp: Checkpoint, step: number): void {
  const w = fromStored(cp.model);
  try {
    model.materialize(w);
  } finally {
    w.forEach((t) => t.dispose());
  }
  trainer.optimizer.load(step, fromStored(cp.optimizer));
  trainer.freeze(trainer.cfg.frozenStages); // materialize made new variables
}

async function saveTrained(base: ModelCard, cfg: TrainConfig, runId: string, model: Classifier, ev: Evaluation, deps: RunDeps): Promise<CachedModel> {
  const tensors = await toStored(model.variables().map(({ name, variable }) => [name, variable] as [string, tf.Tensor]));
  const storedBytes = tensors.reduce((n, t) => n + t.data.byteLength, 0);
  const digest = await storedDigest(tensors);
  const card = await trainedCard(base, cfg, runId, ev, digest, storedBytes);
  const meta: CachedModel = { modelId: card.id, sha256: digest, sourceBytes: storedBytes, storedBytes, savedAt: Date.now(), card };
  await deps.saveModel(meta, tensors);
  return meta;
}

/**
 * Runs (or resumes `resumeRunId` from its last checkpoint) to its end: done, diverged or
 * cancelled. The last event ('done', 'diverged' or 'cancelled') carries the run's record and
 * is awaited, so the UI has it before this resolves; a failure rejects instead (the run stays
 * resumable from its last checkpoint).
 */
export async function runTraining(cfg: TrainConfig, emit: TrainListener, deps: RunDeps, control: RunControl, resumeRunId?: string): Promise<void> {
  const { backend } = deps;
  if (!backend.canTrain) {
    throw new Error(`Training needs WebGPU or WebGL; this device only offers ${backend.name}, which cannot train convolutions.`);
  }
  if (control.active) throw new Error('A run is already active: pause or cancel it first.');
  let run: RunRecord;
  let checkpoint: Checkpoint | null = null;
  if (resumeRunId) {
    const stored = await deps.getRun(resumeRunId);
    if (!stored?.checkpoint) throw new Error(`Run ${resumeRunId} has no checkpoint to resume from.`);
    ({ run, checkpoint } = stored);
    cfg = run.config;
  } else {
    const runId = `${cfg.baseModelId}-${Date.now().toString(36)}`;
    run = { runId, config: cfg, status: 'running', epoch: 0, optimizerStep: 0, history: [], startedAt: Date.now(), updatedAt: Date.now() };
  }
  const [trainSet, testSet] = await Promise.all([deps.loadSplit('train', cfg.trainLimit), deps.loadSplit('test', cfg.testLimit)]);
  requireDataset(trainSet, 'training');
  requireDataset(testSet, 'test');
  const base = await deps.card(cfg.baseModelId);
  const model = await buildForCifar(base, cfg, deps);
  const trainer = new Trainer(model, base.preprocess, cfg, model.headName);
  control.reset(true);

  /** Pauses here while asked to; a cancel ends the run. */
  const waitWhilePaused = async () => {
    if (control.cancelled) throw new CancelledError('Cancelled.');
    if (!control.paused) return;
    run.status = 'paused';
    await deps.putRun(run);
    emit({ type: 'paused', runId: run.runId });
    while (control.paused && !control.cancelled) await control.waitForWake();
    if (control.cancelled) throw new CancelledError('Cancelled.');
    run.status = 'running';
    await deps.putRun(run);
    emit({ type: 'resumed', runId: run.runId });
  };
  /** The run's end: its record stored, then the last event, which carries it. */
  const end = async (status: RunRecord['status'], extra: Partial<RunRecord> = {}, model?: CachedModel) => {
    Object.assign(run, extra, { status, updatedAt: Date.now() });
    await deps.putRun(run);
    if (status !== 'diverged') await deps.dropCheckpoint(run.runId); // done or cancelled: no resume
    await emit({ type: 'end', run: structuredClone(run), model });
  };

  try {
    if (checkpoint) restore(model, trainer, checkpoint, run.optimizerStep);
    else {
      checkpoint = await checkpointOf(model, trainer);
      await deps.putRun(run, checkpoint);
    }
    run.status = 'running';
    const stepsPerEpoch = trainer.stepsPerEpoch(trainSet.labels.length);
    emit({ type: 'start', runId: run.runId, stages: trainer.stages, trainCount: trainSet.labels.length, testCount: testSet.labels.length, stepsPerEpoch, params: model.paramCount(), trainable: trainer.trainableCount });
    let t0 = performance.now();
    let images = 0;
    for (let epoch = run.epoch; epoch < cfg.epochs; epoch++) {
      const rand = rng(cfg.seed * 7919 + epoch);
      const order = shuffled(trainSet.labels.length, rand);
      let fit: { loss: number; acc: number };
      try {
        fit = await trainer.epoch(trainSet, order, rand, async (s) => {
          images += s.images;
          const elapsed = (performance.now() - t0) / 1000;
          const perSec = images / Math.max(elapsed, 1e-3);
          const left = (cfg.epochs - epoch - 1) * stepsPerEpoch + (stepsPerEpoch - s.step - 1);
          emit({ type: 'step', runId: run.runId, epoch, step: s.step, stepsPerEpoch, loss: s.loss, acc: s.acc, lr: s.lr, imagesPerSec: perSec, etaSec: (left * cfg.batchSize) / perSec, memory: memory() });
          if (control.paused) {
            await waitWhilePaused();
            t0 = performance.now(); // a pause is not training time
            images = 0;
          }
          if (control.cancelled) throw new CancelledError('Cancelled.');
        });
      } catch (e) {
        if (!(e instanceof DivergedError)) throw e;
        restore(model, trainer, checkpoint, run.optimizerStep);
        return await end('diverged', { message: `${e.message} The weights of epoch ${run.epoch} were restored.` });
      }
      const val = await trainer.evaluate(testSet);
      run.history.push({ epoch: epoch + 1, trainLoss: fit.loss, trainAcc: fit.acc, valLoss: val.loss, valAcc: val.accuracy });
      run.epoch = epoch + 1;
      run.optimizerStep = trainer.optimizer.step;
      run.updatedAt = Date.now();
      emit({ type: 'epoch', runId: run.runId, point: run.history.at(-1)! });
      checkpoint = await checkpointOf(model, trainer);
      await deps.putRun(run, checkpoint);
      emit({ type: 'checkpoint', runId: run.runId, epoch: run.epoch });
    }
    const evaluation = await trainer.evaluate(testSet);
    const saved = await saveTrained(base, cfg, run.runId, model, evaluation, deps);
    await end('done', { resultModelId: saved.modelId, evaluation }, saved);
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    await end('cancelled');
  } finally {
    control.reset(false);
    trainer.optimizer.dispose();
    model.dispose();
  }
}
