// The typed contract between the UI and the inference worker: types, constants and one
// predicate (type imports are erased), so the UI imports this file without pulling in TF.js.
import type { LayerRow } from '../../models/profile';
import type { ModelCard } from '../../models/card';
import type { FrameImport } from './plan';
import type { StoredItem } from './storage';
import type { HubOverride } from './hub';

export type { FrameImport };

export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it was rejected, or why it was picked. */
  why: string;
}

export interface BackendInfo {
  name: BackendName;
  /** One sentence for the UI: which backend runs and why. */
  reason: string;
  attempts: BackendAttempt[];
  /** Whether this backend can train convolutions (wasm and cpu cannot, in practice). */
  canTrain: boolean;
  /** wasm: the threads it runs on (more than 1 needs a cross-origin-isolated page). */
  threads?: number;
}

/** The inference worker's backend, with how camera frames reach its models (planFrameImport). */
export interface InferenceBackend extends BackendInfo {
  frameImport: { mode: FrameImport; why: string };
}

/** Options of init(): all but `avoid` come from the page's URL (?backend=, ?frameImport=, ?threads=, ?faults). */
export interface EngineOptions {
  backend?: string;
  frameImport?: string;
  /** Why `frameImport` is asked for, when not by the URL (a restart after a lost device). */
  frameImportReason?: string;
  /** wasm threads; default: all cores but one, at least 1 (planThreads). */
  threads?: number;
  /** Backends not to try: set after a backend failed on this page (planRestart). */
  avoid?: BackendName[];
  /** Honour injectFault (tests only: the page was opened with ?faults). */
  faults?: boolean;
  /** Tests only (?faults&stall=S): the download stall timeout, instead of workers/store/download.ts's. */
  downloadStallMs?: number;
  /** Tests only (?faults&hub=…&pin=…): the local hub-like server and its pins (workers/contracts/hub.ts). */
  hub?: HubOverride;
}

/**
 * The error name of a call that failed because the WebGPU device was lost. The worker is then
 * unusable (TF.js cannot re-create its device), so the UI restarts it (planRecovery).
 */
export const GPU_LOST = 'GpuLostError';

export function isGpuLost(e: unknown): e is Error {
  return (e as Error)?.name === GPU_LOST;
}

/** A call that did not answer within its deadline (the UI's watchdog): the worker is restarted. */
export const WORKER_HUNG = 'WorkerHungError';
/** The worker raised an uncaught error or stopped: the UI restarts it. */
export const WORKER_DIED = 'WorkerDiedError';

/** What made a worker unusable, by error name: each is met by restarting the worker (planRestart). */
export type Failure = 'gpu-lost' | 'hung' | 'died';

export function failureOf(e: unknown): Failure | null {
  switch ((e as Error)?.name) {
    case GPU_LOST: return 'gpu-lost';
    case WORKER_HUNG: return 'hung';
    case WORKER_DIED: return 'died';
    default: return null;
  }
}

export function namedError(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/**
 * Faults the tests cause on purpose (workers/engine/faults.ts), honoured only with ?faults:
 * destroy the backend's GPUDevice, never answer the next call, throw an uncaught error,
 * make the next VideoFrame import throw, make the next shader precompile take 5 s longer.
 */
export const FAULTS = ['lose-device', 'hang', 'crash', 'break-import', 'stall-compile'] as const;
export type Fault = (typeof FAULTS)[number];

export interface MemoryInfo {
  numTensors: number;
  numBytes: number;
  /** Bytes held on the GPU, where the backend reports them. */
  gpuBytes?: number;
}

export interface Prediction {
  index: number;
  label: string;
  prob: number;
}

export interface ClassifyResult {
  top: Prediction[];
  /** Forward pass plus readback of the logits, in ms. */
  modelMs: number;
  /** Frame upload, crop, resize and normalisation, in ms. */
  preprocessMs: number;
  /** The path this frame took: a VideoFrame sampled by one shader, or a bitmap upload. */
  frameImport: FrameImport;
  /** How the worker wants the next frames (it moves to bitmaps when an import fails); the UI follows. */
  plan: InferenceBackend['frameImport'];
  memory: MemoryInfo;
}

export interface LoadedModel {
  id: string;
  params: number;
  weightBytes: number;
  /** Which weights run: the sha256 their store records (CachedModel.sha256, or the card's pin). */
  weightsSha256: string;
  /** First inference, which compiles shaders; kept apart from steady-state figures. */
  firstInferenceMs: number;
}

export interface ForwardTiming {
  backend: BackendName;
  /** wasm: the threads it ran on. */
  threads?: number;
  /** Each timed run, ms. */
  runs: number[];
}

/** A model whose converted weights are stored in IndexedDB. */
export interface CachedModel {
  modelId: string;
  /** A zoo import: its source file's sha256. A trained model: storedDigest of its weights. */
  sha256: string;
  sourceBytes: number;
  storedBytes: number;
  /** Kept as int8 (WeightsInput.int8). */
  int8?: boolean;
  savedAt: number;
  /** A model trained on this device is in no registry: it carries its own card. */
  card?: ModelCard;
}

/** Where to take weights from when importing: a URL, a file the user picked, or the card's pinned hub file. */
export interface WeightsInput {
  url?: string;
  file?: Blob;
  /** The card's pinned file from the hub, resumably (workers/store/hub-download.ts). */
  pinned?: boolean;
  /** Keep conv and linear weights as int8 per output channel (about a quarter of the bytes). */
  int8?: boolean;
  /** Expected sha256 (hex), optional; a card's pinned sha256 is used when none is given. */
  sha256?: string;
}

/** One row of a model's layer table (models/profile.ts). */
export type { LayerRow };

/** Progress is a typed event stream, one union per stage. */
export type ProgressEvent =
  | { type: 'backend'; info: BackendInfo }
  /** `resumedFrom`: a pinned download that continued a part already on the device, from that byte. */
  | { type: 'download'; modelId: string; loaded: number; total: number; resumedFrom?: number }
  | { type: 'verify'; modelId: string }
  | { type: 'store'; modelId: string }
  | { type: 'build'; modelId: string }
  | { type: 'warmup'; modelId: string }
  | { type: 'ready'; model: LoadedModel }
  /** The last event of an import or download: what was stored. */
  | { type: 'stored'; meta: CachedModel };

export type ProgressListener = (e: ProgressEvent) => void;

/** An ImageBitmap already cropped and resized by the UI, or a whole camera VideoFrame. */
export type Frame = ImageBitmap | VideoFrame;

/** What the worker exposes through Comlink. Every method is async across the boundary. */
export interface InferenceApi {
  init(opts: EngineOptions & { baseUrl: string }, onProgress: ProgressListener): Promise<InferenceBackend>;
  load(modelId: string, onProgress: ProgressListener): Promise<LoadedModel>;
  /** Classifies and closes `frame`. Rejects with AbortError if `callId` was cancelled (cancel). */
  classify(modelId: string, frame: Frame, callId: number): Promise<ClassifyResult>;
  /** Cancels the call `callId` (classify or importWeights); one that has ended is not affected. */
  cancel(callId: number): void;
  /** Tests only: refused unless init had `faults` (workers/engine/faults.ts). */
  injectFault(fault: Fault): Promise<void>;
  /** Drops a loaded model, so the next load() reads its weights again. */
  forget(modelId: string): Promise<void>;
  /** Downloads (or reads), verifies, converts and stores a model's weights in one transaction. */
  importWeights(modelId: string, input: WeightsInput, onProgress: ProgressListener, callId: number): Promise<CachedModel>;
  /**
   * Imports a TensorFlow Lite MobileNet (v1 at any alpha and resolution, or V2; float32,
   * float16, or uint8/int8 quantised) as a model of its own: its card is made from the file
   * (CachedModel.card, whose id is the stored model's id) and its weights are stored dequantised.
   */
  importTflite(input: WeightsInput, onProgress: ProgressListener, callId: number): Promise<CachedModel>;
  /** Times `runs` forward passes (each with its awaited readback) of a loaded model on this worker's backend, after one untimed run. */
  timeForward(modelId: string, runs: number, callId: number): Promise<ForwardTiming>;
  cached(): Promise<CachedModel[]>;
  /** Pinned downloads begun and not finished, with the bytes on the device (they resume). */
  partials(): Promise<{ modelId: string; received: number; total: number }[]>;
  /**
   * A shipped (embedded) model's file fetched into the service worker's model cache, checked by
   * fetchVerified against its card's sha256 and size; a file that fails is not kept.
   */
  cacheShipped(modelId: string, cacheName: string): Promise<void>;
  deleteCached(modelId: string): Promise<void>;
  /** Everything stored on the device, each with its size (workers/store/storage.ts). */
  stored(): Promise<StoredItem[]>;
  /** Deletes a stored dataset, run or checkpoint; weights go through deleteCached. */
  deleteStored(item: Pick<StoredItem, 'kind' | 'id'>): Promise<void>;
  /** Per-layer output shapes, parameters and MACs at the card's input size. */
  layers(modelId: string): Promise<LayerRow[]>;
}

