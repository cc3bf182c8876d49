// The inference worker: all TF.js runs here, exposed to the UI through Comlink.
import '../engine/csp-report';
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { findCard, registerUserCard } from '../../models/registry';
import { parseTflite } from '../import/tflite';
import { mapTfliteMobilenet } from '../import/tflite-mobilenet';
import { buildModel, loadClassifier, type Classifier } from '../../models/builders';
import { EVAL } from '../../models/nn';
import { parseSafetensors, requireFinite, toInt8File } from '../../models/safetensors';
import { toTfWeightsAnyNaming } from '../../models/weights';
import type { ModelCard } from '../../models/card';
import { chooseBackend } from '../engine/backend';
import { memory } from '../engine/memory';
import { precompile, tfWork } from '../engine/compile';
import { frameToInput } from '../preprocess/preprocess';
import { isFallbackAdapter, videoFrameToInput } from '../preprocess/gpu-frame';
import { explainFailure, throwIfDeviceLost } from '../engine/gpu-lost';
import { enableFaults, hangIfAsked, injectFault } from '../engine/faults';
import { cancelCall, withCall } from '../engine/calls';
import { planFrameImport } from '../contracts/plan';
import { fetchVerified, sha256Hex, WeightsError } from '../store/fetch-weights';
import { setDownloadStall } from '../store/download';
import { downloadPinned, dropPartial, listPartials } from '../store/hub-download';
import { hubPinFor, type HubOverride } from '../contracts/hub';
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
/** Tests only (EngineOptions.hub). */
let hubOverride: HubOverride | undefined;
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

/** Builds, fuses and warms up a model, holding tfWork throughout (see precompile). */
function loadModel(id: string, onProgress: ProgressListener): Promise<Loaded> {
  return tfWork.runExclusive(() => buildAndWarm(id, onProgress));
}

async function buildAndWarm(id: string, onProgress: ProgressListener): Promise<Loaded> {
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
    const { t0, t1, t2, probs, frameImport } = await tfWork.runExclusive(async () => {
      const t0 = performance.now();
      const [input, frameImport] = await toInput(frame, card);
      frame.close();
      const t1 = performance.now();
      try {
        return { t0, t1, probs: await run(model, input), t2: performance.now(), frameImport };
      } finally {
        input.dispose();
      }
    });
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

/** Drops a loaded model (its weights changed or were deleted, or the Live view picked another): the next load() rebuilds it. */
function forget(id: string): void {
  const old = models.get(id);
  models.delete(id);
  // Under tfWork: a frame still in flight on it finishes first.
  old?.then((m) => tfWork.runExclusive(() => m.model.dispose()), () => {});
}

/** The file's bytes and sha256: a picked file, a URL, or the card's pinned hub file (resumable). */
async function readSource(card: ModelCard, input: WeightsInput, onProgress: ProgressListener, signal: AbortSignal): Promise<{ buffer: ArrayBuffer; sha256: string }> {
  const id = card.id;
  if (input.pinned) {
    const pin = hubPinFor(card, hubOverride);
    if (!pin) throw new WeightsError(`${card.name} has no pinned file to download; import its weights from a URL or a file.`);
    return downloadPinned(id, pin, baseUrl, (p) => onProgress({ type: 'download', modelId: id, ...p }), signal);
  }
  // A card's pin is for its own file (the hub's); a user's other file is checked against the sha256 they give.
  const want = (input.sha256 ?? '').trim().toLowerCase() || (input.url && input.url === card.weights.url ? card.weights.sha256 : '');
  const buffer = await sourceBytes(id, input, want, onProgress, signal);
  return { buffer, sha256: await sha256Hex(buffer) };
}

/**
 * Downloads (or reads), verifies, converts and stores a model's weights in one transaction.
 * The last progress event ('stored') carries the result. A pinned download that fails after
 * its file arrived (a file that does not convert), or is cancelled, leaves no part behind.
 */
async function importWeights(id: string, input: WeightsInput, onProgress: ProgressListener, signal: AbortSignal): Promise<CachedModel> {
  const card = findCard(id);
  let arrived = false;
  try {
    const { buffer, sha256 } = await readSource(card, input, onProgress, signal);
    arrived = true;
    onProgress({ type: 'verify', modelId: id });
    const model = await buildModel(card);
    // Parse and check every name and shape before anything is written.
    const parsed = parseSafetensors(buffer);
    requireFinite(parsed);
    // Names and shapes are checked by the conversion either way; int8 keeps the file's own names, as an int8 file.
    const file = input.int8 ? toInt8File(parsed) : undefined;
    const tensors = await tfWork.runExclusive(async (): Promise<StoredTensor[]> => {
      const weights = toTfWeightsAnyNaming(model, card.family, parsed, (card.config as { variant?: string }).variant);
      try {
        return file ? [] : await toStored(weights);
      } finally {
        weights.forEach((t) => t.dispose());
      }
    });
    // Cancelled while downloading or checking: nothing has been written, and nothing will be.
    signal.throwIfAborted();
    onProgress({ type: 'store', modelId: id });
    const meta: CachedModel = {
      modelId: id,
      sha256,
      sourceBytes: buffer.byteLength,
      storedBytes: file ? file.byteLength : tensors.reduce((n, t) => n + t.data.byteLength, 0),
      savedAt: Date.now(),
      ...(file ? { int8: true } : {}),
    };
    await putCached(meta, tensors, file);
    forget(id); // a model loaded from older weights must be rebuilt next time
    onProgress({ type: 'stored', meta });
    return meta;
  } catch (e) {
    // A part is kept for a resume after a network failure only (hub-download.ts decides); once
    // the file arrived (it did not convert), or on Cancel, it goes.
    if (input.pinned && (signal.aborted || arrived)) await dropPartial(id).catch(() => {});
    throw e;
  }
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
  // Each run holds tfWork on its own, so that live frames are not kept waiting for all of them.
  const once = () => tfWork.runExclusive(() => run(model, x));
  try {
    await once();
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      signal.throwIfAborted();
      const t0 = performance.now();
      await once();
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
    hubOverride = opts.faults ? opts.hub : undefined;
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

  async partials() {
    return (await listPartials()).map(({ modelId, received, total }) => ({ modelId, received, total }));
  },

  async cacheShipped(id, cacheName) {
    const card = findCard(id);
    if (!card.weights.embedded) throw new WeightsError(`${card.name} is not shipped with the app.`);
    const url = new URL(card.weights.url, baseUrl).href;
    const bytes = await fetchVerified(url, card.weights, () => {});
    await (await caches.open(cacheName)).put(url, new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } }));
  },

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
