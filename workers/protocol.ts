// The typed contract between the UI and the inference worker. Types only: the UI
// imports this file without pulling in TF.js.

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
}

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
  memory: MemoryInfo;
}

export interface LoadedModel {
  id: string;
  params: number;
  weightBytes: number;
  /** First inference, which compiles shaders; kept apart from steady-state figures. */
  firstInferenceMs: number;
  loadMs: number;
}

/** Progress is a typed event stream, one union per stage. */
export type ProgressEvent =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'download'; modelId: string; loaded: number; total: number }
  | { type: 'verify'; modelId: string }
  | { type: 'build'; modelId: string }
  | { type: 'warmup'; modelId: string }
  | { type: 'ready'; model: LoadedModel };

export type ProgressListener = (e: ProgressEvent) => void;

export type Frame = ImageBitmap;

/** What the worker exposes through Comlink. Every method is async across the boundary. */
export interface InferenceApi {
  init(opts: { backend?: string; baseUrl: string }, onProgress: ProgressListener): Promise<BackendInfo>;
  load(modelId: string, onProgress: ProgressListener): Promise<LoadedModel>;
  /** Classifies and closes `frame`. Rejects with AbortError if `callId` was cancelled. */
  classify(modelId: string, frame: Frame, callId: number): Promise<ClassifyResult>;
  cancel(callId: number): void;
  memory(): Promise<MemoryInfo>;
}

/** Error names that cross the worker boundary, for clear messages in the UI. */
export const ABORT = 'AbortError';
