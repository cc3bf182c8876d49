// One model on one worker: its bridge, backend, pane of results, frame gate, watchdog and
// recovery. The Live view is one runner; the Compare view is one runner per model.
import { Bridge } from './bridge';
import { Pane } from './pane.svelte';
import { Rolling } from './stats';
import { captureFor, captureFrame } from './capture';
import { restartAfter } from './recovery';
import { classifyDeadline } from '../../workers/contracts/plan';
import type { ModelCard } from '../../models/card';
import { failureOf, type EngineOptions, type Failure, type Frame, type InferenceBackend, type ProgressListener } from '../../workers/contracts/inference-protocol';

const message = (e: unknown) => (e as Error)?.message ?? String(e);

export class ModelRunner {
  backend = $state<InferenceBackend | null>(null);
  /** Replaced, with empty figures, when another model is picked or the worker restarts. */
  pane = $state() as Pane;
  engine: EngineOptions;
  readonly bridge: Bridge;
  readonly failures = new Map<Failure, number>();

  private restarting = false;
  private ended = false;
  private abort = new AbortController();
  /** Round trips of classify calls on the current worker: the watchdog's p95. */
  private readonly callMs = new Rolling(100);

  /** `name` identifies the worker to the tests' fault injection ('live', 'compare:<id>'). */
  constructor(
    card: ModelCard,
    engine: EngineOptions,
    name: string,
    private readonly onProgress: ProgressListener = () => {},
  ) {
    this.engine = engine;
    this.pane = new Pane(card);
    this.bridge = new Bridge(name, (e) => void this.recover(e));
  }

  /** The current pane's model load (or restart), settled once it has a model or an error. */
  private loading: Promise<void> = Promise.resolve();

  /** Starts the worker and loads the model; rejects only if no backend could start. */
  async start(): Promise<void> {
    const started = this.bridge.init(this.engine, this.onProgress).then((b) => {
      this.backend = b;
    });
    this.loading = started.then(() => this.load(this.pane), () => {});
    await started;
    await this.loading;
  }

  /**
   * Another model on the same worker (the Live view's picker). The worker drops the previous
   * model first: on a phone, models picked in turn would otherwise stay in memory, and the
   * pane's memory figure would count them all.
   */
  async select(card: ModelCard): Promise<void> {
    if (this.pane.card.id === card.id) return;
    const previous = this.pane.card.id;
    this.cancelInFlight();
    const pane = (this.pane = new Pane(card));
    await this.forgetThenLoad(previous, pane);
  }

  /**
   * The model again, from what is stored now (its weights were imported anew): a fresh pane
   * with `notice`, and the worker's old copy dropped first.
   */
  async reload(notice: string): Promise<void> {
    if (this.restarting || this.ended) return;
    this.cancelInFlight();
    const pane = Object.assign(new Pane(this.pane.card), { notice });
    this.pane = pane;
    await this.forgetThenLoad(pane.card.id, pane);
  }

  /** The worker drops `id`'s model, then loads `pane`'s. */
  private forgetThenLoad(id: string, pane: Pane): Promise<void> {
    this.loading = this.bridge.forget(id).then(() => this.load(pane), (e) => this.report(pane, e));
    return this.loading;
  }

  private async load(pane: Pane): Promise<void> {
    try {
      const model = await this.bridge.load(pane.card.id, this.onProgress);
      pane.model = model;
    } catch (e) {
      this.report(pane, e, `Could not load ${pane.card.name}: `);
    }
  }

  get ready(): boolean {
    return !!this.pane.model;
  }

  /**
   * Offers the video's current frame to the model if it is idle (latest frame wins). The
   * capture starts before the first await, so runners offered one frame in one task get the
   * same frame. `frame` numbers it (the Compare view; 0 in the Live view).
   */
  offerVideoFrame(video: HTMLVideoElement, afterRender: () => Promise<void>, frame = 0, captured = performance.now()): void {
    const pane = this.pane;
    if (!pane.model || this.restarting || this.ended) return;
    const run = pane.gate.offer(async () => {
      const image = await captureFrame(video, pane.card.preprocess, this.backend?.frameImport.mode ?? 'bitmap');
      await this.classifyInto(pane, image, frame ? `camera frame ${frame}` : 'camera', captured, performance.now() - captured, afterRender, frame);
    });
    if (!run) pane.dropped = pane.gate.dropped;
    else run.catch((e) => this.report(pane, e));
  }

  /**
   * Classifies a decoded image file (the caller keeps and closes `bitmap`). A file given while
   * the model loads waits for it; resolves with why it could not be classified, if it could not.
   */
  async classifyImage(bitmap: ImageBitmap, name: string, afterRender: () => Promise<void>): Promise<string | null> {
    await this.loading;
    const pane = this.pane;
    if (!pane.model) return `"${name}" was not classified: ${pane.card.name} is not loaded${pane.error ? ` (${pane.error})` : ''}.`;
    const captured = performance.now();
    const copy = await captureFor(bitmap, pane.card.preprocess);
    const captureMs = performance.now() - captured;
    const run = pane.gate.offer(() => this.classifyInto(pane, copy, `file: ${name}`, captured, captureMs, afterRender));
    if (!run) {
      copy.close();
      return `"${name}" was not classified: the model is busy with another image; try again.`;
    }
    await run.catch((e) => this.report(pane, e));
    return null;
  }

  private async classifyInto(pane: Pane, image: Frame, source: string, captured: number, captureMs: number, afterRender: () => Promise<void>, frame = 0) {
    const sent = performance.now();
    const r = await this.bridge.classify(pane.card.id, image, this.abort.signal, classifyDeadline(this.callMs.percentile(95), this.callMs.size));
    this.callMs.push(performance.now() - sent);
    // Newest wins: a pane replaced meanwhile (another model, a restart) shows nothing old.
    if (pane !== this.pane) return;
    // The worker owns the frame-import plan (it moves to bitmaps when an import fails).
    if (this.backend && this.backend.frameImport.mode !== r.plan.mode) this.backend = { ...this.backend, frameImport: r.plan };
    pane.show(r, source, frame);
    await afterRender();
    const shown = performance.now();
    pane.record({ captureMs, preprocessMs: r.preprocessMs, modelMs: r.modelMs, e2eMs: shown - captured }, shown, frame);
  }

  private report(pane: Pane, e: unknown, prefix = ''): void {
    if ((e as Error)?.name === 'AbortError') return;
    if (failureOf(e)) void this.recover(e as Error);
    else if (pane === this.pane) pane.error = prefix + message(e);
  }

  /** A new worker after a lost GPU device, a hung call or a crash; the pane says so. */
  private async recover(cause: Error): Promise<void> {
    if (this.restarting || this.ended) return;
    this.restarting = true;
    this.cancelInFlight();
    const card = this.pane.card;
    this.pane.model = null;
    let done = () => {};
    this.loading = new Promise((ok) => (done = ok));
    try {
      await restartAfter(this, cause, this.onProgress, async (notice) => {
        this.callMs.clear();
        const pane = Object.assign(new Pane(card), { notice });
        this.pane = pane;
        pane.model = await this.bridge.load(card.id, this.onProgress);
      });
    } catch (e) {
      this.pane.error = message(e);
    } finally {
      done();
      this.restarting = false;
      // Stopped meanwhile: the restarted worker must not outlive its owner.
      if (this.ended) this.bridge.terminate();
    }
  }

  /** Cancels whatever is in flight (switching camera, leaving the page). */
  cancelInFlight(): void {
    this.abort.abort();
    this.abort = new AbortController();
  }

  /** Ends the worker, freeing its memory. */
  stop(): void {
    this.ended = true;
    this.cancelInFlight();
    this.bridge.terminate();
  }
}
