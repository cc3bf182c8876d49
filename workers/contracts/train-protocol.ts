// The typed contract between the UI and the training worker. Types only, so the UI can
// import it without TF.js.
import type { ModelCard } from '../../models/card';
import type { BackendInfo, CachedModel, EngineOptions, Fault, MemoryInfo } from './inference-protocol';

export interface OptimizerConfig {
  name: 'sgd' | 'adamw';
  momentum?: number;
  nesterov?: boolean;
  weightDecay?: number;
  betas?: [number, number];
  eps?: number;
}

export type ScheduleName = 'one-cycle' | 'cosine' | 'constant';

/** Square RGB images, NHWC uint8: CIFAR's 32x32x3 unless `side` says otherwise. */
export interface ImageSet {
  labels: Uint8Array;
  pixels: Uint8Array;
  /** Image side in pixels (32 when absent): the Teach view fine-tunes at the backbone's own input side. */
  side?: number;
}

export interface DatasetInfo {
  id: string;
  trainCount: number;
  testCount: number;
  /** Where it came from: a file name or a URL. */
  source: string;
  importedAt: number;
}

export interface TrainConfig {
  /** The card whose architecture is trained (any zoo model; a CIFAR head replaces others). */
  baseModelId: string;
  /** Start from the base model's weights (embedded or cached) rather than random ones. */
  pretrained: boolean;
  /** Side of the square input; CIFAR's 32x32 images are resized to it (e.g. 96, 128, 224). */
  inputSize: number;
  epochs: number;
  batchSize: number;
  optimizer: OptimizerConfig;
  schedule: { name: ScheduleName; lr: number; warmup?: number };
  labelSmoothing: number;
  augment: { cropPadding: number; flip: boolean };
  /** The first N backbone stages are frozen (not trained). */
  frozenStages: number;
  /** Train on the first N training images (0: all), evaluate on the first M test images. */
  trainLimit: number;
  testLimit: number;
  seed: number;
}

export interface EpochPoint {
  epoch: number;
  trainLoss: number;
  trainAcc: number;
  valLoss: number;
  valAcc: number;
}

export interface Evaluation {
  accuracy: number;
  loss: number;
  count: number;
  perClass: number[];
  /** confusion[true][predicted], counts. */
  confusion: number[][];
}

/** A run left 'running' or 'paused' when its page closed can be resumed from its checkpoint. */
export type RunStatus = 'running' | 'paused' | 'diverged' | 'done' | 'cancelled';

/** A training run as stored in IndexedDB; its last checkpoint sits beside it. */
export interface RunRecord {
  runId: string;
  config: TrainConfig;
  status: RunStatus;
  /** Epochs completed (and checkpointed). */
  epoch: number;
  optimizerStep: number;
  history: EpochPoint[];
  startedAt: number;
  updatedAt: number;
  /** The model it produced, once done. */
  resultModelId?: string;
  /** Bytes of its last checkpoint, kept by the store (so listing sizes reads no checkpoint). */
  checkpointBytes?: number;
  evaluation?: Evaluation;
  message?: string;
}

/** Progress is a typed event stream. */
export type TrainEvent =
  | { type: 'import'; stage: 'reading' | 'storing'; bytes: number; total: number }
  | { type: 'start'; runId: string; stages: string[]; trainCount: number; testCount: number; stepsPerEpoch: number; params: number; trainable: number }
  | { type: 'step'; runId: string; epoch: number; step: number; stepsPerEpoch: number; loss: number; acc: number; lr: number; imagesPerSec: number; etaSec: number; memory: MemoryInfo }
  | { type: 'epoch'; runId: string; point: EpochPoint }
  | { type: 'checkpoint'; runId: string; epoch: number }
  | { type: 'paused'; runId: string }
  | { type: 'resumed'; runId: string }
  /**
   * The last event of a run, carrying its record: status 'done' (with the test evaluation and,
   * in `model`, the trained model), 'diverged' (the message says which epoch's weights were
   * restored) or 'cancelled'.
   */
  | { type: 'end'; run: RunRecord; model?: CachedModel };

/** The worker awaits the listener for the last event, so it arrives before train() resolves. */
export type TrainListener = (e: TrainEvent) => void | Promise<void>;

/** Up to `perClass` 32x32 RGBA images for each class, for the UI's sample grid. */
export interface Samples {
  labels: readonly string[];
  images: { label: number; rgba: Uint8ClampedArray }[];
}

export interface TrainApi {
  init(opts: Pick<EngineOptions, 'backend' | 'faults' | 'downloadStallMs'> & { baseUrl: string }): Promise<BackendInfo>;
  /** Tests only: refused unless init had `faults` (workers/engine/faults.ts). */
  injectFault(fault: Fault): Promise<void>;
  /** Reads cifar-10-binary.tar.gz from a file or URL and stores it; nothing is stored on error. */
  importDataset(input: { file?: Blob; url?: string }, onEvent: TrainListener, callId: number): Promise<DatasetInfo>;
  /** Cancels the call `callId` (a dataset import or an evaluation); nothing of an import is stored. */
  cancelCall(callId: number): void;
  dataset(): Promise<DatasetInfo | null>;
  deleteDataset(): Promise<void>;
  samples(perClass: number): Promise<Samples | null>;
  /** Parameter stage names of a model, for the freeze control. */
  stages(modelId: string): Promise<string[]>;
  /** Starts a run (or resumes `runId` from its last checkpoint); resolves after its 'end' event. */
  train(config: TrainConfig, onEvent: TrainListener, resumeRunId?: string): Promise<void>;
  pause(): void;
  resume(): void;
  cancel(): void;
  runs(): Promise<RunRecord[]>;
  deleteRun(runId: string): Promise<void>;
  /** A trained model as a safetensors file (PyTorch names and layouts, card in metadata). */
  exportModel(modelId: string): Promise<{ name: string; bytes: ArrayBuffer }>;
  importModel(file: Blob): Promise<CachedModel>;
  /** Evaluates a stored model on the test split; cancelCall(callId) stops it between batches. */
  evaluate(modelId: string, testLimit: number, callId: number): Promise<Evaluation>;
}

export type { ModelCard };
