// State of the Compare view: 2 to 4 models on the same camera frames, side by side.
//
// One worker per model, not one shared worker with a scheduler: tf.memory() (tensors,
// bytes, GPU bytes) is per TF.js engine, so only a worker of its own gives each model its
// own memory figures, and on CPU backends (wasm, cpu) the models then run in parallel, so a
// slow model does not hold back a fast one. The cost is one backend init per model.
import { Bridge } from './bridge';
import { afterFrameImport, captureFrame } from './capture';
import { restartAfterLoss } from './recovery';
import { Pane, type FrameSink } from './session.svelte';
import { chartTop, compareCsv, compareJson, compareRow, type CompareExport } from './compare';
import { findCard, DEFAULT_MODEL_ID } from '../../models/registry';
import { isGpuLost, type EngineOptions, type InferenceBackend } from '../../workers/protocol';

export const MIN_MODELS = 2;
export const MAX_MODELS = 4;
export const SCHEDULING = 'one worker (and TF.js engine) per model; each camera frame is offered to every idle model, latest frame wins per model';

/** One compared model: its pane of figures and the worker that runs it. */
export class Contender {
  backend = $state<InferenceBackend | null>(null);
  /** Replaced, with empty figures, when the worker restarts after a lost GPU device. */
  pane = $state() as Pane;
  readonly bridge = new Bridge();
  restarting = false;

  constructor(
    id: string,
    public engine: EngineOptions,
  ) {
    this.pane = new Pane(findCard(id));
  }
}

export class CompareSession implements FrameSink {
  selected = $state<string[]>([DEFAULT_MODEL_ID]);
  contenders = $state<Contender[]>([]);
  /** performance.now() when the comparison started; history times are relative to it. */
  startedAt = 0;

  private frameNo = 0;
  private abort = new AbortController();

  constructor(private readonly engine: EngineOptions) {}

  get canRun(): boolean {
    return this.selected.length >= MIN_MODELS && this.selected.length <= MAX_MODELS;
  }

  get ready(): boolean {
    return this.contenders.length > 0 && this.contenders.every((c) => c.pane.model || c.pane.error);
  }

  /** One y scale for all latency charts, so their heights compare. */
  get chartTop(): number {
    return chartTop(this.contenders.flatMap((c) => c.pane.history));
  }

  toggle(id: string): void {
    if (this.selected.includes(id)) this.selected = this.selected.filter((s) => s !== id);
    else if (this.selected.length < MAX_MODELS) this.selected = [...this.selected, id];
  }

  /** Starts one worker per selected model and loads it there. */
  async run(): Promise<void> {
    if (!this.canRun) return;
    this.stop();
    this.startedAt = performance.now();
    this.frameNo = 0;
    this.contenders = this.selected.map((id) => new Contender(id, this.engine));
    await Promise.all(this.contenders.map((c) => this.load(c)));
  }

  private async load(c: Contender): Promise<void> {
    try {
      c.backend = await c.bridge.init(this.engine, () => {});
      c.pane.model = await c.bridge.load(c.pane.card.id, () => {});
    } catch (e) {
      if (isGpuLost(e)) await this.recover(c, e);
      else c.pane.error = `Could not load ${c.pane.card.name}: ${(e as Error).message}`;
    }
  }

  /** Ends the workers, freeing their memory. */
  stop(): void {
    this.cancelInFlight();
    for (const c of this.contenders) c.bridge.terminate();
    this.contenders = [];
  }

  /**
   * Gives the current video frame to every idle model, cropped and resized for each; a busy
   * model drops it. createImageBitmap takes the video's current frame when it is called, and
   * every call below happens in this one task, so all models get the same frame; they share
   * the frame numbers, so their results can be matched frame by frame.
   */
  offerVideoFrame(video: HTMLVideoElement, afterRender: () => Promise<void>): void {
    const frame = ++this.frameNo;
    const captured = performance.now();
    for (const c of this.contenders) {
      if (!c.pane.model) continue;
      const run = c.pane.gate.offer(async () => {
        // Called before the job's first await, so still in this task (the same frame).
        const image = await captureFrame(video, c.pane.card.preprocess, c.backend?.frameImport.mode ?? 'bitmap');
        const captureMs = performance.now() - captured;
        const r = await c.bridge.classify(c.pane.card.id, image, this.abort.signal);
        c.backend = afterFrameImport(c.backend, r);
        c.pane.show(r, `camera frame ${frame}`, frame);
        await afterRender();
        const shown = performance.now();
        c.pane.record({ captureMs, preprocessMs: r.preprocessMs, modelMs: r.modelMs, e2eMs: shown - captured }, shown, frame);
      });
      if (!run) c.pane.dropped = c.pane.gate.dropped;
      else run.catch((e) => this.report(c, e));
    }
  }

  private report(c: Contender, e: unknown): void {
    if ((e as Error)?.name === 'AbortError') return;
    if (isGpuLost(e)) void this.recover(c, e);
    else c.pane.error = (e as Error)?.message ?? String(e);
  }

  /** A new worker for this model after a lost GPU device; the other models run on. */
  private async recover(c: Contender, lost: Error): Promise<void> {
    if (c.restarting) return;
    c.restarting = true;
    const card = c.pane.card;
    c.pane.model = null;
    try {
      await restartAfterLoss(c, lost, () => {}, async (notice) => {
        c.pane = Object.assign(new Pane(card), { notice });
        c.pane.model = await c.bridge.load(card.id, () => {});
      });
    } catch (e) {
      c.pane.error = (e as Error).message;
    } finally {
      c.restarting = false;
      // Stopped meanwhile: the restarted worker must not outlive the comparison.
      if (!this.contenders.includes(c)) c.bridge.terminate();
    }
  }

  cancelInFlight(): void {
    this.abort.abort();
    this.abort = new AbortController();
  }

  private rows() {
    return this.contenders.map((c) => ({ pane: c.pane, backend: c.backend?.name ?? '' }));
  }

  exportJson(): CompareExport {
    return compareJson(this.rows(), this.startedAt, {
      exportedAt: new Date().toISOString(),
      userAgent: navigator.userAgent,
      scheduling: SCHEDULING,
    });
  }

  exportCsv(): string {
    return compareCsv(this.rows().map(({ pane, backend }) => compareRow(pane, backend)));
  }
}
