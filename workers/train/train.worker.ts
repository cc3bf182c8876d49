// The training worker: CIFAR-10 import, the training loop, checkpoints, evaluation and
// export of trained models, exposed through Comlink (workers/contracts/train-protocol.ts). It has its
// own TF.js engine, so the live view keeps classifying in the inference worker meanwhile.
import '../engine/csp-report';
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, loadClassifier, type Classifier } from '../../models/builders';
import { CIFAR10_LABELS, type ModelCard } from '../../models/card';
import { toTorch } from '../../models/nn';
import type { ZooModel } from '../../models/layers';
import { profileCard } from '../../models/profile';
import { registerUserCard } from '../../models/registry';
import { parseSafetensors, writeSafetensors } from '../../models/safetensors';
import { toTfWeights } from '../../models/weights';
import { chooseBackend } from '../engine/backend';
import { explainFailure } from '../engine/gpu-lost';
import { downloadRefusal } from '../contracts/plan';
import { enableFaults, injectFault } from '../engine/faults';
import { cancelCall, withCall } from '../engine/calls';
import { CIFAR10, deleteDataset, getDataset, loadSplit, putDataset } from '../store/dataset-store';
import { WeightsError } from '../store/fetch-weights';
import { cardFor, fromStored, toStored, weightsFor } from '../store/model-weights';
import { isGpuLost, type BackendInfo, type CachedModel, type MemoryInfo } from '../contracts/inference-protocol';
import { deleteRun, getRun, listRuns, putRun, type Checkpoint } from '../store/run-store';
import { readCifarArchive } from './cifar-archive';
import { DivergedError, evaluateModel, rng, shuffled, Trainer } from './trainer';
import { stagesOf } from './stages';
import type { DatasetInfo, Evaluation, ImageSet, RunRecord, TrainApi, TrainConfig, TrainListener } from '../contracts/train-protocol';
import { getCached, putCached, storedDigest } from '../store/weight-store';

let backend: BackendInfo | undefined;
let baseUrl = '';

/** Pause, resume and cancel of the one active run. */
const control = {
  active: false,
  paused: false,
  cancelled: false,
  wake: null as (() => void) | null,
};

class CancelledError extends Error {
  override name = 'AbortError';
}

function memory(): MemoryInfo {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return { numTensors: m.numTensors, numBytes: m.numBytes, gpuBytes: m.numBytesInGPU };
}

function headNameOf(model: Classifier): string {
  return (model as Partial<ZooModel>).headName ?? 'head';
}

const isCifarCard = (card: ModelCard) => card.labels.length === 10 && card.labels.every((l, i) => l === CIFAR10_LABELS[i]);

/** The architecture with a 10-class CIFAR head, from the base card's weights or at random. */
async function buildForCifar(base: ModelCard, cfg: TrainConfig): Promise<Classifier> {
  const pretrained = cfg.pretrained ? (m: Classifier) => weightsFor(base, m, baseUrl, () => {}).then((w) => w.weights) : null;
  const model = await loadClassifier(base, pretrained, { fuse: false, seed: cfg.seed });
  if (!isCifarCard(base)) {
    const replace = (model as Partial<ZooModel>).replaceHead;
    if (!replace) throw new Error(`${base.name} has no replaceable head.`);
    replace.call(model, 10).materialize(undefined, cfg.seed + 1);
  }
  return model;
}

/** The card of the trained model: the base architecture with a CIFAR-10 head and input. */
function trainedCard(base: ModelCard, cfg: TrainConfig, runId: string, ev: Evaluation, sha256: string, bytes: number): ModelCard {
  const s = cfg.inputSize;
  const card: ModelCard = {
    ...base,
    id: `trained-${runId}`,
    name: `${base.name.replace(/, (CIFAR-10|ImageNet|MNIST)$/, '')}, trained here on CIFAR-10 (${new Date().toISOString().slice(0, 16).replace('T', ' ')})`,
    preprocess: { ...base.preprocess, size: [s, s], resize: 'squash', cropFraction: 1 },
    labels: CIFAR10_LABELS,
    config: { ...base.config, numClasses: 10 },
    weights: { url: '', sha256, bytes, format: 'safetensors', convention: 'convcam', license: 'Trained on this device; CIFAR-10 terms apply to the data.', embedded: false },
    metrics: [{ name: 'CIFAR-10 test accuracy', value: ev.accuracy, command: 'ConvCam Train view', dataset: `first ${ev.count} CIFAR-10 test images` }],
  };
  const p = profileCard(card);
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

async function waitWhilePaused(run: RunRecord, emit: TrainListener): Promise<void> {
  if (control.cancelled) throw new CancelledError('Cancelled.');
  if (!control.paused) return;
  run.status = 'paused';
  await putRun(run);
  emit({ type: 'paused', runId: run.runId });
  while (control.paused && !control.cancelled) await new Promise<void>((r) => (control.wake = r));
  if (control.cancelled) throw new CancelledError('Cancelled.');
  run.status = 'running';
  await putRun(run);
  emit({ type: 'resumed', runId: run.runId });
}

function requireDataset(split: ImageSet, what: string): void {
  if (!split.labels.length) throw new Error(`No ${what} images on this device: import cifar-10-binary.tar.gz first.`);
}

async function train(cfg: TrainConfig, emit: TrainListener, resumeRunId?: string): Promise<RunRecord> {
  if (!backend) throw new Error('init() must run before train().');
  if (!backend.canTrain) {
    throw new Error(`Training needs WebGPU or WebGL; this device only offers ${backend.name}, which cannot train convolutions.`);
  }
  if (control.active) throw new Error('A run is already active: pause or cancel it first.');
  let run: RunRecord;
  let checkpoint: Checkpoint | null = null;
  if (resumeRunId) {
    const stored = await getRun(resumeRunId);
    if (!stored?.checkpoint) throw new Error(`Run ${resumeRunId} has no checkpoint to resume from.`);
    ({ run, checkpoint } = stored);
    cfg = run.config;
  } else {
    const runId = `${cfg.baseModelId}-${Date.now().toString(36)}`;
    run = { runId, config: cfg, status: 'running', epoch: 0, optimizerStep: 0, history: [], startedAt: Date.now(), updatedAt: Date.now() };
  }
  const [trainSet, testSet] = await Promise.all([loadSplit('train', cfg.trainLimit), loadSplit('test', cfg.testLimit)]);
  requireDataset(trainSet, 'training');
  requireDataset(testSet, 'test');
  const base = await cardFor(cfg.baseModelId);
  const model = await buildForCifar(base, cfg);
  const trainer = new Trainer(model, base.preprocess, cfg, headNameOf(model));
  Object.assign(control, { active: true, paused: false, cancelled: false });
  try {
    if (checkpoint) restore(model, trainer, checkpoint, run.optimizerStep);
    else {
      checkpoint = await checkpointOf(model, trainer);
      await putRun(run, checkpoint);
    }
    run.status = 'running';
    const stepsPerEpoch = Math.floor(trainSet.labels.length / cfg.batchSize) || 1;
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
          const left = (cfg.epochs - epoch - 1) * s.steps + (s.steps - s.step - 1);
          emit({ type: 'step', runId: run.runId, epoch, step: s.step, stepsPerEpoch: s.steps, loss: s.loss, acc: s.acc, lr: s.lr, imagesPerSec: perSec, etaSec: (left * cfg.batchSize) / perSec, memory: memory() });
          if (control.paused) {
            await waitWhilePaused(run, emit);
            t0 = performance.now(); // a pause is not training time
            images = 0;
          }
          if (control.cancelled) throw new CancelledError('Cancelled.');
        });
      } catch (e) {
        if (!(e instanceof DivergedError)) throw e;
        restore(model, trainer, checkpoint, run.optimizerStep);
        run.status = 'diverged';
        run.message = `${e.message} The weights of epoch ${run.epoch} were restored.`;
        run.updatedAt = Date.now();
        await putRun(run);
        emit({ type: 'diverged', runId: run.runId, message: e.message, restoredEpoch: run.epoch });
        return run;
      }
      const val = await trainer.evaluate(testSet);
      run.history.push({ epoch: epoch + 1, trainLoss: fit.loss, trainAcc: fit.acc, valLoss: val.loss, valAcc: val.accuracy });
      run.epoch = epoch + 1;
      run.optimizerStep = trainer.optimizer.step;
      run.updatedAt = Date.now();
      emit({ type: 'epoch', runId: run.runId, point: run.history.at(-1)! });
      checkpoint = await checkpointOf(model, trainer);
      await putRun(run, checkpoint);
      emit({ type: 'checkpoint', runId: run.runId, epoch: run.epoch });
    }
    const evaluation = await trainer.evaluate(testSet);
    emit({ type: 'evaluation', runId: run.runId, evaluation });
    const saved = await saveTrained(base, cfg, run.runId, model, evaluation);
    run.status = 'done';
    run.resultModelId = saved.modelId;
    run.evaluation = evaluation;
    run.updatedAt = Date.now();
    await putRun(run);
    await deleteRun(run.runId, true); // the checkpoint is no longer needed
    emit({ type: 'done', runId: run.runId, model: saved });
    return run;
  } catch (e) {
    if (!(e instanceof CancelledError)) throw e;
    run.status = 'cancelled';
    run.updatedAt = Date.now();
    await putRun(run);
    await deleteRun(run.runId, true);
    emit({ type: 'cancelled', runId: run.runId });
    return run;
  } finally {
    Object.assign(control, { active: false, paused: false, cancelled: false, wake: null });
    trainer.optimizer.dispose();
    model.dispose();
  }
}

async function saveTrained(base: ModelCard, cfg: TrainConfig, runId: string, model: Classifier, ev: Evaluation): Promise<CachedModel> {
  const tensors = await toStored(model.variables().map(({ name, variable }) => [name, variable] as [string, tf.Tensor]));
  const storedBytes = tensors.reduce((n, t) => n + t.data.byteLength, 0);
  const digest = await storedDigest(tensors);
  const card = trainedCard(base, cfg, runId, ev, digest, storedBytes);
  const meta: CachedModel = { modelId: card.id, sha256: digest, sourceBytes: storedBytes, storedBytes, savedAt: Date.now(), card };
  await putCached(meta, tensors);
  registerUserCard(card);
  return meta;
}

/** Samples per class from the test split, as RGBA for the UI's canvases. */
async function samples(perClass: number) {
  const test = await loadSplit('test', 2000);
  if (!test.labels.length) return null;
  const images: { label: number; rgba: Uint8ClampedArray }[] = [];
  const count = new Array<number>(10).fill(0);
  test.labels.forEach((label, i) => {
    if (count[label]! >= perClass) return;
    count[label]!++;
    const rgba = new Uint8ClampedArray(32 * 32 * 4);
    for (let p = 0; p < 1024; p++) {
      rgba.set(test.pixels.subarray(i * 3072 + p * 3, i * 3072 + p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = 255;
    }
    images.push({ label, rgba });
  });
  return { labels: CIFAR10_LABELS, images };
}

/** Reads cifar-10-binary.tar.gz from a file or URL, checks it whole, then stores it; `signal` cancels. */
async function importDataset(input: { file?: Blob; url?: string }, emit: TrainListener, signal: AbortSignal): Promise<DatasetInfo> {
  let stream: ReadableStream<Uint8Array>;
  let total = 0;
  let source: string;
  if (input.file) {
    stream = input.file.stream();
    total = input.file.size;
    source = (input.file as File).name ?? 'file';
  } else if (input.url) {
    const refused = downloadRefusal(input.url, baseUrl);
    if (refused) throw new Error(refused);
    let res: Response;
    try {
      res = await fetch(new URL(input.url, baseUrl).href, { signal });
    } catch (e) {
      if (signal.aborted) throw signal.reason;
      throw new Error(`Could not download ${input.url}: ${(e as Error).message}. Are you offline?`);
    }
    if (!res.ok || !res.body) throw new Error(`Could not download ${input.url}: HTTP ${res.status}.`);
    stream = res.body;
    total = Number(res.headers.get('content-length')) || 0;
    source = input.url;
  } else {
    throw new Error('Give a file or a URL to import CIFAR-10 from.');
  }
  // A file's stream is not tied to the signal: the read stops at the next chunk instead.
  const archive = await readCifarArchive(stream, (bytes) => {
    signal.throwIfAborted();
    emit({ type: 'import', stage: 'reading', bytes, total });
  });
  const info = {
    id: CIFAR10,
    trainCount: archive.train.reduce((n, b) => n + b.labels.length, 0),
    testCount: archive.test.reduce((n, b) => n + b.labels.length, 0),
    source,
    importedAt: Date.now(),
  };
  signal.throwIfAborted(); // cancelled: nothing is stored
  emit({ type: 'import', stage: 'storing', bytes: total, total });
  await putDataset(info, archive);
  return info;
}

const api: TrainApi = {
  async init(opts) {
    baseUrl = opts.baseUrl;
    enableFaults(opts.faults);
    backend ??= await chooseBackend(opts.backend);
    return backend;
  },

  async injectFault(fault) {
    injectFault(fault);
  },

  importDataset: (input, emit, callId) => withCall(callId, (signal) => importDataset(input, emit, signal)),

  cancelCall,

  dataset: () => getDataset(),
  deleteDataset: () => deleteDataset(),
  samples,

  async stages(modelId) {
    const model = buildModel(await cardFor(modelId));
    return stagesOf([...model.namedSpecs()].map(([n]) => n), headNameOf(model));
  },

  // A lost GPU device is named as such; the run stays resumable from its last checkpoint.
  train: (config, onEvent, resumeRunId) =>
    train(config, onEvent, resumeRunId).catch(async (e: unknown) => {
      const why = await explainFailure(e);
      if (isGpuLost(why)) why.message += ' Reload the page, then resume the run from its last checkpoint (Runs).';
      throw why;
    }),

  pause() {
    if (control.active) control.paused = true;
  },
  resume() {
    control.paused = false;
    control.wake?.();
  },
  cancel() {
    if (!control.active) return;
    control.cancelled = true;
    control.wake?.();
  },

  runs: listRuns,
  deleteRun: (runId) => deleteRun(runId),

  async exportModel(modelId) {
    const stored = await getCached(modelId);
    if (!stored) throw new Error(`${modelId} is not stored on this device.`);
    const card = stored.meta.card ?? (await cardFor(modelId));
    const specs = new Map(buildModel(card).namedSpecs());
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const t of stored.tensors) {
      const spec = specs.get(t.name);
      if (!spec) throw new Error(`The stored weights hold an unknown tensor ${t.name}.`);
      const torch = tf.tidy(() => toTorch(spec, tf.tensor(t.data, t.shape)));
      tensors[t.name] = { shape: torch.shape, data: (await torch.data()) as Float32Array };
      torch.dispose();
    }
    // PyTorch names and layouts, so torch.load_state_dict takes the file as it is.
    return { name: `${card.id}.safetensors`, bytes: writeSafetensors(tensors, { convcam_card: JSON.stringify(card) }) };
  },

  async importModel(file) {
    const buffer = await file.arrayBuffer();
    let parsed;
    try {
      parsed = parseSafetensors(buffer);
    } catch (e) {
      throw new WeightsError(`This is not a model file exported by ConvCam: ${(e as Error).message}`);
    }
    const raw = parsed.metadata.convcam_card;
    if (!raw) throw new WeightsError('This safetensors file has no ConvCam card in its metadata. Weights of a zoo model are imported in the Models view.');
    let card: ModelCard;
    try {
      card = JSON.parse(raw) as ModelCard;
      if (typeof card.id !== 'string' || typeof card.family !== 'string' || !Array.isArray(card.labels) || !card.preprocess) throw new Error('incomplete');
    } catch {
      throw new WeightsError('The ConvCam card in this file is damaged.');
    }
    const model = buildModel(card);
    const weights = toTfWeights(model, parsed);
    let tensors;
    try {
      tensors = await toStored(weights);
    } finally {
      weights.forEach((t) => t.dispose());
    }
    registerUserCard(card);
    const storedBytes = tensors.reduce((n, t) => n + t.data.byteLength, 0);
    // The same digest as when it was trained, so the copy is recognised as the same weights.
    const meta: CachedModel = { modelId: card.id, sha256: await storedDigest(tensors), sourceBytes: buffer.byteLength, storedBytes, savedAt: Date.now(), card };
    await putCached(meta, tensors);
    return meta;
  },

  async evaluate(modelId, testLimit) {
    const card = await cardFor(modelId);
    if (!isCifarCard(card)) throw new Error(`${card.name} does not classify CIFAR-10's classes.`);
    const test = await loadSplit('test', testLimit);
    requireDataset(test, 'test');
    const model = await loadClassifier(card, (m) => weightsFor(card, m, baseUrl, () => {}).then((w) => w.weights));
    try {
      return await evaluateModel(model, card.preprocess, test, card.preprocess.size[0], 10);
    } finally {
      model.dispose();
    }
  },
};

Comlink.expose(api);
