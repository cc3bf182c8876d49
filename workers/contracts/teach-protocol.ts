// The typed contract between the UI and the teach worker (few-shot learning on the user's own
// classes). Types only, so the UI can import it without TF.js.
import type { BackendInfo, CachedModel, EngineOptions, MemoryInfo } from './inference-protocol';

export interface TeachClass {
  /** Stable across renames, so samples keep their class. */
  id: string;
  name: string;
}

/** The user's own dataset: the classes; its samples are stored beside it. */
export interface TeachSet {
  id: string;
  classes: TeachClass[];
  updatedAt: number;
}

export interface SampleInfo {
  id: string;
  classId: string;
  addedAt: number;
  source: 'camera' | 'file';
  /** Stored pixel size (the frame, downscaled to at most SAMPLE_MAX_SIDE). */
  width: number;
  height: number;
  bytes: number;
}

/**
 * instant: class means of L2-normalised embeddings (weight imprinting), no training;
 * head: a softmax layer trained on the frozen, L2-normalised embeddings;
 * mlp: a small MLP (one hidden ReLU layer as wide as the embedding, then softmax) trained on them;
 * finetune: the whole backbone and a new head (started from the class means) trained by the
 * Train view's trainer, on WebGPU or WebGL (wasm cannot train convolutions).
 */
export type TeachMethod = 'instant' | 'head' | 'mlp' | 'finetune';

export interface MethodResult {
  method: TeachMethod;
  backboneId: string;
  /** The stored model it produced (in the Live and Compare pickers). */
  modelId: string;
  trainCount: number;
  heldOutCount: number;
  heldOutCorrect: number;
  /** Held-out accuracy in [0, 1]; null with no held-out samples. */
  accuracy: number | null;
  /** The training loss per epoch (instant: none). */
  losses: number[];
  /** Time from the call to the stored model, ms. */
  ms: number;
  learnedAt: number;
}

export type LearnEvent =
  | { type: 'embed'; done: number; total: number }
  | { type: 'epoch'; epoch: number; epochs: number; loss: number }
  /**
   * A fine-tuning step done (step 0, loss null: the samples are ready and the first step, which
   * also compiles the GPU kernels, has begun). At an ImageNet backbone's side a step can take
   * minutes where there is no GPU.
   */
  | { type: 'step'; epoch: number; epochs: number; step: number; steps: number; loss: number | null }
  /** The last event: the result and the stored model. */
  | { type: 'end'; result: MethodResult; model: CachedModel };

export type LearnListener = (e: LearnEvent) => void | Promise<void>;

export interface HeadOptions {
  epochs: number;
  lr: number;
}

export interface TeachApi {
  init(opts: Pick<EngineOptions, 'backend'> & { baseUrl: string }): Promise<BackendInfo>;
  /** The dataset and its samples (an empty dataset the first time). */
  load(): Promise<{ set: TeachSet; samples: SampleInfo[]; results: MethodResult[] }>;
  /** Stores new class names (checked: 1 to 10, none empty or repeated); refuses bad ones, storing nothing. */
  saveClasses(classes: TeachClass[]): Promise<TeachSet>;
  /** Removes a class and its samples. */
  removeClass(classId: string): Promise<TeachSet>;
  /** A camera frame or an image file; a file that is not an image is refused, nothing stored. */
  addSample(classId: string, image: ImageBitmap | Blob, source: SampleInfo['source']): Promise<SampleInfo>;
  sampleImage(id: string): Promise<Blob>;
  deleteSample(id: string): Promise<void>;
  /** The whole dataset as one file (JSON with the JPEG samples). */
  exportDataset(): Promise<Blob>;
  /** Replaces the dataset with one from such a file; a bad file changes nothing. */
  importDataset(file: Blob): Promise<{ set: TeachSet; samples: SampleInfo[] }>;
  /** Loads the backbone that new samples are embedded with as they arrive. */
  useBackbone(backboneId: string): Promise<void>;
  /** Learns with `method` on `backboneId` and stores the model; cancelCall(callId) stops it. */
  learn(method: TeachMethod, backboneId: string, head: HeadOptions, onEvent: LearnListener, callId: number): Promise<MethodResult>;
  cancelCall(callId: number): void;
  /** Taught models in and out as safetensors with their card (the Train view's format). */
  exportModel(modelId: string): Promise<{ name: string; bytes: ArrayBuffer }>;
  importModel(file: Blob): Promise<CachedModel>;
  memory(): Promise<MemoryInfo>;
}
