// The inference worker: all TF.js runs here, exposed to the UI through Comlink.
import '../engine/csp-report';
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { findCard, registerUserCard } from '../../models/registry';
import { parseTflite } from '../import/tflite';
import { mapTfliteMobilenet } from '../import/tflite-mobilenet';
import { buildModel, loadClassifier, type Classifier } from '../../models/builders';
import { EVAL } from '../../models/nn';
import { parseSafetensors, requireFinite } from '../../models/safetensors';
import { toTfWeightsAnyNaming } from '../../models/weights';
import type { ModelCard } from '../../models/card';
import { chooseBackend } from '../engine/backend';
import { memory } from '../engine/memory';
import { precompile } from '../engine/compile';
import { frameToInput } from '../preprocess/preprocess';
import { isFallbackAdapter, videoFrameToInput } from '../preprocess/gpu-frame';
import { explainFailure, throwIfDeviceLost } from '../engine/gpu-lost';
import { enableFaults, hangIfAsked, injectFault } from '../engine/faults';
import { cancelCall, withCall } from '../engine/calls';
import { planFrameImport } from '../contracts/plan';
import { fetchVerified, sha256Hex, WeightsError } from '../store/fetch-weights';
import { setDownloadStall } from '../store/download';
import { topK } from './topk';
import { deleteCached, listCached, putCached, type StoredTensor } from '../store/weight-store';
import { deleteStored, listStored } from '../store/storage';
import { cardFor, toStored, weightsFor } from '../store/model-weights';
import { profileCard } from '../../models/profile';
import type { CachedModel, ClassifyResult, ForwardTiming, Frame, FrameImport, InferenceApi, InferenceBackend, LoadedModel, ProgressListener, WeightsInput } from '../contracts/inference-protocol';

interface Loaded {
  card: ModelCard;
  model: Classifier;
  info: LoadedModel;
}

let backend: InferenceBackend | undefined;
let baseUrl = '';
const models = new Map<string, Promise<Loaded>>();

/** One forward pass; the logits are read back asynchronously (no dataSync on GPU). */
async function run(model: Classifier, input: tf.Tensor4D): Promise<Float32Array> {
  const probs = tf.tidy(() => tf.softmax(model.forward(input, EVAL)));
  try {
    return (await probs.data()) as Float32Array;
  } finally {
    probs.dispose();
  }
}

async function loadModel(id: string, onProgress: ProgressListener): Promise<Loaded> {
  const card = await cardFor(id);
  let bytes = 0;
  let sha256 = '';
  const model = await loadClassifier(card, async (m) => {
    const w = await weightsFor(card, m, baseUrl, onProgress);
    ({ bytes, sha256 } = w);
    onProgress({ type: 'build', modelId: id });
    return w.weights;
  });
  onProgress({ type: 'warmup', modelId: id });
  const t1 = performance.now();
  const [h, w] = card.preprocess.size;
  // Grey-scale cards (LeNet on MNIST) take one channel: the warm-up input must match the model.
  const warm = tf.zeros([1, h, w, card.preprocess.channels ?? 3]) as tf.Tensor4D;
  // webgpu: all shaders compile in parallel first, then the warm-up run dispatches them.
  await precompile(() => tf.softmax(model.forward(warm, EVAL)));
  await run(model, warm);
  warm.dispose();
  const info: LoadedModel = {
    id,
    params: model.paramCount(),
    weightBytes: bytes,
    weightsSha256: sha256,
    firstInferenceMs: performance.now() - t1,
  };
  onProgress({ type: 'ready', model: info });
  return { card, model, info };
}

/** The model's input from either kind of frame (see planFrameImport). */
async function toInput(frame: Frame, card: ModelCard): Promise<[tf.Tensor4D, FrameImport]> {
  // The UI's bitmaps are cropped and resized already (capture.ts); its VideoFrames are whole.
  if (frame instanceof ImageBitmap) return [frameToInput(frame, card.preprocess, 'model-input'), 'bitmap'];
  if (backend?.frameImport.mode === 'external-texture') {
    try {
      return [videoFrameToInput(frame, card.preprocess), 'external-texture'];
    } catch (e) {
      // The plan is the worker's: it changes here, and every result tells the UI (plan).
      backend = { ...backend, frameImport: { mode: 'bitmap', why: `importing a VideoFrame failed (${(e as Error).message}), so frames go as bitmaps` } };
    }
  }
  // A VideoFrame that cannot be sampled here: decode it to a bitmap instead.
  const bitmap = await createImageBitmap(frame);
  try {
    return [frameToInput(bitmap, card.preprocess, 'whole-frame'), 'bitmap'];
  } finally {
    bitmap.close();
  }
}

/** One frame through the model; `signal` is the UI's cancel (the newest frame wins). */
async function classify(id: string, frame: Frame, signal: AbortSignal): Promise<ClassifyResult> {
  try {
    await hangIfAsked();
    throwIfDeviceLost();
    const m = models.get(id);
    if (!m) throw new Error(`Model ${id} is not loaded.`);
    const { card, model } = await m;
    signal.throwIfAborted();
    const t0 = performance.now();
    const [input, frameImport] = await toInput(frame, card);
    frame.close();
    const t1 = performance.now();
    let probs: Float32Array;
    try {
      probs = await run(model, input);
    } finally {
      input.dispose();
    }
    const t2 = performance.now();
    signal.throwIfAborted();
    return {
      top: topK(probs, 5).map(({ index, value }) => ({ index, label: card.labels[index] ?? `#${index}`, prob: value })),
      modelMs: t2 - t1,
      preprocessMs: t1 - t0,
      frameImport,
      plan: backend!.frameImport,
      memory: memory(),
    };
  } catch (e) {
    throw await explainFailure(e);
  } finally {
    frame.close();
  }
}

/** Drops a loaded model (its weights changed or were deleted): the next load() rebuilds it. */
function forget(id: string): void {
  const old = models.get(id);
  models.delete(id);
  old?.then((m) => m.model.dispose(), () => {});
}

/** Downloads (or reads), verifies, converts and stores a model's weights in one transaction. */
async function importWeights(id: string, input: WeightsInput, onProgress: ProgressListener, signal: AbortSignal): Promise<CachedModel> {
  const card = findCard(id);
  const want = (input.sha256 ?? '').trim().toLowerCase() || card.weights.sha256;
  const buffer = await sourceBytes(id, input, want, onProgress, signal);
  onProgress({ type: 'verify', modelId: id });
  const model = await buildModel(card);
  // Parse and check every name and shape before anything is written.
  const parsed = parseSafetensors(buffer);
  requireFinite(parsed);
  const weights = toTfWeightsAnyNaming(model, card.family, parsed);
  let tensors: StoredTensor[];
  try {
    tensors = await toStored(weights);
  } finally {
    weights.forEach((t) => t.dispose());
  }
  // Cancelled while downloading or checking: nothing has been written, and nothing will be.
  signal.throwIfAborted();
  onProgress({ type: 'store', modelId: id });
  const meta = {
    modelId: id,
    sha256: await sha256Hex(buffer),
    sourceBytes: buffer.byteLength,
    storedBytes: tensors.reduce((n, t) => n + t.data.byteLength, 0),
    savedAt: Date.now(),
  };
  await putCached(meta, tensors);
  forget(id); // a model loaded from older weights must be rebuilt next time
  return meta;
}

/** The bytes of an import: a picked file (its sha256 checked if one is given) or a verified download. */
async function sourceBytes(id: string, input: WeightsInput, want: string, onProgress: ProgressListener, signal: AbortSignal): Promise<ArrayBuffer> {
  if (want && !/^[0-9a-f]{64}$/.test(want)) throw new WeightsError('A sha256 is 64 hexadecimal characters.');
  if (input.file) {
    const buffer = await input.file.arrayBuffer();
    const got = await sha256Hex(buffer);
    if (want && got !== want) throw new WeightsError(`The file has sha256 ${got}, expected ${want}: it is corrupted or not the right file.`);
    return buffer;
  }
  if (input.url) {
    const progress = (loaded: number, total: number) => onProgress({ type: 'download', modelId: id, loaded, total });
    return fetchVerified(new URL(input.url, baseUrl).href, { sha256: want, bytes: 0 }, progress, signal);
  }
  throw new WeightsError('Give a URL or a file to import weights from.');
}

/** A TensorFlow Lite MobileNet becomes a model of its own, with the card its graph describes. */
async function importTflite(input: WeightsInput, onProgress: ProgressListener, signal: AbortSignal): Promise<CachedModel> {
  const label = 'tflite';
  const buffer = await sourceBytes(label, input, (input.sha256 ?? '').trim().toLowerCase(), onProgress, signal);
  onProgress({ type: 'verify', modelId: label });
  const sha256 = await sha256Hex(buffer);
  const file = input.file instanceof File ? input.file.name : input.url ? decodeURIComponent(new URL(input.url, baseUrl).pathname.split('/').pop() ?? '') : 'model.tflite';
  const { card, tensors } = await mapTfliteMobilenet(parseTflite(new Uint8Array(buffer)), { file, url: input.url ?? '', sha256, bytes: buffer.byteLength });
  signal.throwIfAborted();
  onProgress({ type: 'store', modelId: card.id });
  const meta: CachedModel = { modelId: card.id, sha256, sourceBytes: buffer.byteLength, storedBytes: tensors.reduce((n, t) => n + t.data.byteLength, 0), savedAt: Date.now(), card };
  await putCached(meta, tensors);
  registerUserCard(card);
  forget(card.id);
  return meta;
}

/** Model-only latency on this backend: one untimed run (shaders compile), then `runs` timed ones. */
async function timeForward(id: string, runs: number, signal: AbortSignal): Promise<ForwardTiming> {
  const m = models.get(id);
  if (!m) throw new Error(`Model ${id} is not loaded.`);
  const { card, model } = await m;
  const [h, w] = card.preprocess.size;
  const x = tf.zeros([1, h, w, card.preprocess.channels ?? 3]) as tf.Tensor4D;
  try {
    await run(model, x);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      signal.throwIfAborted();
      const t0 = performance.now();
      await run(model, x);
      times.push(performance.now() - t0);
    }
    return { backend: backend!.name, threads: backend!.threads, runs: times };
  } finally {
    x.dispose();
  }
}

const api: InferenceApi = {
  async init(opts, onProgress) {
    baseUrl = opts.baseUrl;
    enableFaults(opts.faults);
    setDownloadStall(opts.downloadStallMs);
    if (!backend) {
      const info = await chooseBackend(opts.backend, opts.avoid, opts.threads);
      const frameImport = planFrameImport({
        backend: info.name,
        videoFrame: typeof VideoFrame !== 'undefined',
        fallbackAdapter: info.name === 'webgpu' && (await isFallbackAdapter()),
        requested: opts.frameImport,
        reason: opts.frameImportReason,
      });
      backend = { ...info, frameImport };
    }
    onProgress({ type: 'backend', info: backend });
    return backend;
  },

  async load(id, onProgress) {
    if (!backend) throw new Error('init() must run before load().');
    throwIfDeviceLost();
    let p = models.get(id);
    if (!p) {
      p = loadModel(id, onProgress);
      models.set(id, p);
      // A failed load is forgotten so that the user can retry.
      p.catch(() => models.delete(id));
    }
    try {
      return (await p).info;
    } catch (e) {
      throw await explainFailure(e);
    }
  },

  classify: (id, frame, callId) => withCall(callId, (signal) => classify(id, frame, signal)),

  cancel: cancelCall,

  async injectFault(fault) {
    injectFault(fault);
  },

  async forget(id) {
    forget(id);
  },

  importWeights: (id, input, onProgress, callId) => withCall(callId, (signal) => importWeights(id, input, onProgress, signal)),

  importTflite: (input, onProgress, callId) => withCall(callId, (signal) => importTflite(input, onProgress, signal)),

  timeForward: (id, runs, callId) => withCall(callId, (signal) => timeForward(id, runs, signal)),

  cached: listCached,

  async deleteCached(id) {
    forget(id);
    await deleteCached(id);
  },

  stored: listStored,
  deleteStored,

  async layers(id) {
    return (await profileCard(await cardFor(id))).rows;
  },
};

Comlink.expose(api);
