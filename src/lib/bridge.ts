// The one typed bridge from the UI to an inference worker (Comlink). Every call goes through
// WorkerLink.watch, so it settles even if the worker hangs or dies; the long ones (classify,
// importWeights) take an AbortSignal. `FrameGate` keeps at most one frame in flight per model.
import * as Comlink from 'comlink';
import { WorkerLink, withSignal } from './worker-link';
import { faultTarget } from './faults';
import { CALL_DEADLINES, type Deadline } from '../../workers/contracts/plan';
import type {
  CachedModel,
  ClassifyResult,
  EngineOptions,
  ForwardTiming,
  Frame,
  InferenceApi,
  InferenceBackend,
  LayerRow,
  LoadedModel,
  ProgressListener,
  WeightsInput,
} from '../../workers/contracts/inference-protocol';
import type { StoredItem } from '../../workers/contracts/storage';

export class Bridge {
  private readonly link: WorkerLink<InferenceApi>;
  private readonly unregister: () => void;
  private nextId = 1;
  private ended = false;

  /** `name` identifies the worker to the tests' fault injection ('live', 'compare:<id>'). */
  constructor(name: string, onDeath: (e: Error) => void = () => {}) {
    const make = () => new Worker(new URL('../../workers/inference/inference.worker.ts', import.meta.url), { type: 'module', name: `inference ${name}` });
    this.link = new WorkerLink<InferenceApi>(make, "the model's worker", onDeath);
    this.unregister = faultTarget(name, (f) => this.link.watch('injectFault', CALL_DEADLINES.quick, () => this.link.api.injectFault(f)));
  }

  private get api() {
    return this.link.api;
  }

  /** A fresh worker in place of this one (it was lost, hung or died): init() must run again. */
  restart(): void {
    this.link.restart();
  }

  init(opts: EngineOptions, onProgress: ProgressListener): Promise<InferenceBackend> {
    return this.link.watch('init', CALL_DEADLINES.init, () => this.api.init({ ...opts, baseUrl: document.baseURI }, Comlink.proxy(onProgress)));
  }

  load(modelId: string, onProgress: ProgressListener): Promise<LoadedModel> {
    return this.link.watch(`load(${modelId})`, CALL_DEADLINES.progress, (kick) =>
      this.api.load(modelId, Comlink.proxy((e) => (kick(), onProgress(e)))),
    );
  }

  /** Transfers `frame` to the worker (the caller must not use it again). */
  classify(modelId: string, frame: Frame, signal: AbortSignal, deadline: Deadline): Promise<ClassifyResult> {
    if (signal.aborted) frame.close();
    const id = this.nextId++;
    return this.link.watch('a frame', deadline, () =>
      withSignal(signal, () => this.api.classify(modelId, Comlink.transfer(frame, [frame]), id), () => void this.api.cancel(id)),
    );
  }

  /** Downloads (or reads), verifies and stores weights; `signal` cancels, and then nothing is stored. */
  importWeights(modelId: string, input: WeightsInput, onProgress: ProgressListener, signal?: AbortSignal): Promise<CachedModel> {
    const id = this.nextId++;
    return this.link.stoppable(`importWeights(${modelId})`, CALL_DEADLINES.progress, signal, () => void this.api.cancel(id), (kick) =>
      this.api.importWeights(modelId, input, Comlink.proxy((e) => (kick(), onProgress(e))), id),
    );
  }

  /** Imports a TensorFlow Lite MobileNet as a model of its own; the result's card.id is its model id. */
  importTflite(input: WeightsInput, onProgress: ProgressListener, signal?: AbortSignal): Promise<CachedModel> {
    const id = this.nextId++;
    return this.link.stoppable('importTflite', CALL_DEADLINES.progress, signal, () => void this.api.cancel(id), (kick) =>
      this.api.importTflite(input, Comlink.proxy((e) => (kick(), onProgress(e))), id),
    );
  }

  /** Model-only latency of a loaded model on the worker's backend (inference worker: timeForward). */
  timeForward(modelId: string, runs: number, signal?: AbortSignal): Promise<ForwardTiming> {
    const id = this.nextId++;
    return this.link.stoppable(`timeForward(${modelId})`, CALL_DEADLINES.long, signal, () => void this.api.cancel(id), () =>
      this.api.timeForward(modelId, runs, id),
    );
  }

  forget(modelId: string): Promise<void> {
    return this.link.watch('forget', CALL_DEADLINES.quick, () => this.api.forget(modelId));
  }

  cached(): Promise<CachedModel[]> {
    return this.link.watch('cached', CALL_DEADLINES.quick, () => this.api.cached());
  }

  partials(): Promise<{ modelId: string; received: number; total: number }[]> {
    return this.link.watch('partials', CALL_DEADLINES.quick, () => this.api.partials());
  }

  /** Fetches a shipped model's file into `cacheName`, verified (fetchVerified); can take a while. */
  cacheShipped(modelId: string, cacheName: string): Promise<void> {
    return this.link.watch(`cacheShipped(${modelId})`, CALL_DEADLINES.init, () => this.api.cacheShipped(modelId, cacheName));
  }

  deleteCached(modelId: string): Promise<void> {
    return this.link.watch('deleteCached', CALL_DEADLINES.quick, () => this.api.deleteCached(modelId));
  }

  stored(): Promise<StoredItem[]> {
    return this.link.watch('stored', CALL_DEADLINES.quick, () => this.api.stored());
  }

  deleteStored(item: Pick<StoredItem, 'kind' | 'id'>): Promise<void> {
    return this.link.watch('deleteStored', CALL_DEADLINES.quick, () => this.api.deleteStored(item));
  }

  layers(modelId: string): Promise<LayerRow[]> {
    return this.link.watch('layers', CALL_DEADLINES.quick, () => this.api.layers(modelId));
  }

  /** Ends the worker for good; calling it again does nothing. */
  terminate(): void {
    if (this.ended) return;
    this.ended = true;
    this.unregister();
    this.link.stop();
  }
}

/**
 * Latest-frame-wins backpressure: a frame is taken only when nothing is in flight for
 * that model; frames that arrive meanwhile are counted as dropped, never queued.
 */
export class FrameGate {
  private busy = false;
  dropped = 0;

  /** Runs `job` if idle and returns its promise, or returns null (frame dropped). */
  offer<T>(job: () => Promise<T>): Promise<T> | null {
    if (this.busy) {
      this.dropped++;
      return null;
    }
    this.busy = true;
    return job().finally(() => {
      this.busy = false;
    });
  }

  get inFlight(): boolean {
    return this.busy;
  }
}
