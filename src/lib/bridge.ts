// The one typed bridge from the UI to the inference worker (Comlink). Calls can be
// aborted with an AbortSignal; `FrameGate` keeps at most one frame in flight per model.
import * as Comlink from 'comlink';
import type {
  CachedModel,
  ClassifyResult,
  EngineOptions,
  Frame,
  InferenceApi,
  InferenceBackend,
  LayerRow,
  LoadedModel,
  ProgressListener,
  WeightsInput,
} from '../../workers/protocol';

export class Bridge {
  private worker!: Worker;
  private api!: Comlink.Remote<InferenceApi>;
  private nextId = 1;
  private ended = false;

  constructor() {
    this.spawn();
  }

  private spawn(): void {
    this.ended = false;
    this.worker = new Worker(new URL('../../workers/inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' });
    this.api = Comlink.wrap<InferenceApi>(this.worker);
  }

  /**
   * A fresh worker in place of this one (after its GPU device was lost): init() must run
   * again. Calls still in flight on the old worker never settle; callers drop them.
   */
  restart(): void {
    this.terminate();
    this.spawn();
  }

  init(opts: EngineOptions, onProgress: ProgressListener): Promise<InferenceBackend> {
    return this.api.init({ ...opts, baseUrl: document.baseURI }, Comlink.proxy(onProgress));
  }

  load(modelId: string, onProgress: ProgressListener): Promise<LoadedModel> {
    return this.api.load(modelId, Comlink.proxy(onProgress));
  }

  /** Transfers `frame` to the worker (the caller must not use it again). */
  classify(modelId: string, frame: Frame, signal?: AbortSignal): Promise<ClassifyResult> {
    const id = this.nextId++;
    const call = this.api.classify(modelId, Comlink.transfer(frame, [frame]), id);
    if (!signal) return call;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        void this.api.cancel(id);
        reject(new DOMException('Aborted', 'AbortError'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  memory() {
    return this.api.memory();
  }

  importWeights(modelId: string, input: WeightsInput, onProgress: ProgressListener): Promise<CachedModel> {
    return this.api.importWeights(modelId, input, Comlink.proxy(onProgress));
  }

  cached(): Promise<CachedModel[]> {
    return this.api.cached();
  }

  deleteCached(modelId: string): Promise<void> {
    return this.api.deleteCached(modelId);
  }

  layers(modelId: string): Promise<LayerRow[]> {
    return this.api.layers(modelId);
  }

  /** Ends the worker; calling it again does nothing. */
  terminate(): void {
    if (this.ended) return;
    this.ended = true;
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
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
