// The classification session: the worker bridge, the backend, loaded models, and one
// pane of results and statistics per model. The compare view reuses Pane (compare.svelte.ts).
import { Bridge, FrameGate } from './bridge';
import { Rolling } from './stats';
import { appendCapped, NO_FIGURES, type Figures, type FrameTiming, type LatencySample } from './compare';
import { fileRejection } from './errors';
import { afterFrameImport, captureFor, captureFrame } from './capture';
import { restartAfterLoss } from './recovery';
import { findCard, DEFAULT_MODEL_ID } from '../../models/registry';
import type { ModelCard } from '../../models/card';
import { isGpuLost, type ClassifyResult, type EngineOptions, type Frame, type FrameImport, type InferenceBackend, type LoadedModel, type MemoryInfo, type Prediction, type ProgressEvent } from '../../workers/protocol';

const WINDOW = 100;
/** Samples kept for the latency-over-time chart. */
const HISTORY = 300;

/** What the camera view feeds frames to: the live session or the compare session. */
export interface FrameSink {
  readonly ready: boolean;
  offerVideoFrame(video: HTMLVideoElement, afterRender: () => Promise<void>): void;
  cancelInFlight(): void;
}

export class Pane {
  top = $state<Prediction[]>([]);
  source = $state<string>('');
  frames = $state(0);
  dropped = $state(0);
  model = $state<LoadedModel | null>(null);
  memory = $state<MemoryInfo | null>(null);
  error = $state<string | null>(null);
  /** Something the user should know that is not an error (a restart after a lost GPU). */
  notice = $state<string | null>(null);
  /** Percentiles and rate, refreshed with each result. */
  figures = $state<Figures>(NO_FIGURES);
  /** Recent samples for the latency chart (replaced, not mutated: $state.raw). */
  history = $state.raw<LatencySample[]>([]);
  /** Camera frame number of the result shown (0 for files and the live view). */
  frame = $state(0);
  /** How the last frame reached the model. */
  frameImport = $state<FrameImport | null>(null);

  readonly gate = new FrameGate();
  private readonly modelMs = new Rolling(WINDOW);
  private readonly e2eMs = new Rolling(WINDOW);
  private readonly shownAt = new Rolling(WINDOW);
  private readonly captureMs = new Rolling(WINDOW);
  private readonly preprocessMs = new Rolling(WINDOW);
  private readonly otherMs = new Rolling(WINDOW);

  constructor(readonly card: ModelCard) {}

  show(r: ClassifyResult, source: string, frame = 0): void {
    this.top = r.top;
    this.source = source;
    this.memory = r.memory;
    this.frame = frame;
    this.frameImport = r.frameImport;
    this.frames++;
    this.error = null;
  }

  record(t: FrameTiming, shownAt: number, frame = 0): void {
    this.history = appendCapped(this.history, { t: shownAt, modelMs: t.modelMs, e2eMs: t.e2eMs, frame }, HISTORY);
    this.modelMs.push(t.modelMs);
    this.e2eMs.push(t.e2eMs);
    this.shownAt.push(shownAt);
    this.captureMs.push(t.captureMs);
    this.preprocessMs.push(t.preprocessMs);
    this.otherMs.push(t.e2eMs - t.captureMs - t.preprocessMs - t.modelMs);
    this.figures = {
      modelP50: this.modelMs.percentile(50),
      modelP95: this.modelMs.percentile(95),
      e2eP50: this.e2eMs.percentile(50),
      e2eP95: this.e2eMs.percentile(95),
      fps: this.shownAt.rate(),
      captureP50: this.captureMs.percentile(50),
      preprocessP50: this.preprocessMs.percentile(50),
      otherP50: this.otherMs.percentile(50),
    };
  }

  resetStats(): void {
    for (const r of [this.modelMs, this.e2eMs, this.shownAt, this.captureMs, this.preprocessMs, this.otherMs]) r.clear();
    this.history = [];
  }
}

export class Session implements FrameSink {
  backend = $state<InferenceBackend | null>(null);
  progress = $state<ProgressEvent | null>(null);
  fatal = $state<string | null>(null);
  fileError = $state<string | null>(null);
  panes = $state<Pane[]>([]);

  readonly bridge = new Bridge();
  readonly defaultModelId = DEFAULT_MODEL_ID;
  engine: EngineOptions = {};
  private restarting = false;
  private abort = new AbortController();
  private readonly onProgress = (e: ProgressEvent) => {
    this.progress = e;
  };

  async start(engine: EngineOptions, modelIds: string[] = [DEFAULT_MODEL_ID]): Promise<void> {
    this.engine = engine;
    try {
      this.backend = await this.bridge.init(engine, this.onProgress);
    } catch (e) {
      this.fatal = (e as Error).message;
      return;
    }
    this.panes = modelIds.map((id) => new Pane(findCard(id)));
    await this.loadAll(this.panes);
  }

  /** Replaces the model of the first pane (the live view's picker). */
  async selectModel(id: string): Promise<void> {
    if (this.panes[0]?.card.id === id) return;
    this.cancelInFlight();
    const pane = new Pane(findCard(id));
    this.panes = [pane, ...this.panes.slice(1)];
    await this.loadAll([pane]);
  }

  private async loadAll(panes: Pane[]): Promise<void> {
    const lost = await this.loadEach(panes);
    if (lost) await this.recover(lost);
  }

  /** Loads each pane's model; a failure shows in its pane, except a lost GPU device, which is returned. */
  private async loadEach(panes: Pane[]): Promise<Error | undefined> {
    const lost = await Promise.all(
      panes.map(async (pane) => {
        try {
          pane.model = await this.bridge.load(pane.card.id, this.onProgress);
        } catch (e) {
          if (isGpuLost(e)) return e;
          pane.error = `Could not load ${pane.card.name}: ${(e as Error).message}`;
        }
      }),
    );
    return lost.find((e) => e);
  }

  get ready(): boolean {
    return this.panes.some((p) => p.model);
  }

  /**
   * Offers one video frame to every pane whose model is idle (latest frame wins).
   * `afterRender` resolves once the result is on screen, for end-to-end latency.
   */
  offerVideoFrame(video: HTMLVideoElement, afterRender: () => Promise<void>): void {
    for (const pane of this.panes) {
      if (!pane.model) continue;
      const run = pane.gate.offer(async () => {
        const captured = performance.now();
        const frame = await captureFrame(video, pane.card.preprocess, this.backend?.frameImport.mode ?? 'bitmap');
        await this.classifyInto(pane, frame, 'camera', captured, performance.now() - captured, afterRender);
      });
      if (!run) pane.dropped = pane.gate.dropped;
      else run.catch((e) => this.report(pane, e));
    }
  }

  async classifyFile(file: File, afterRender: () => Promise<void>): Promise<void> {
    this.fileError = fileRejection(file);
    if (this.fileError) return;
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      this.fileError = `"${file.name}" could not be decoded as an image. It may be damaged or in an unsupported format.`;
      return;
    }
    for (const pane of this.panes) {
      if (!pane.model) continue;
      const captured = performance.now();
      const copy = await captureFor(bitmap, pane.card.preprocess);
      const captureMs = performance.now() - captured;
      await pane.gate.offer(() => this.classifyInto(pane, copy, `file: ${file.name}`, captured, captureMs, afterRender))?.catch((e) => this.report(pane, e));
    }
    bitmap.close();
  }

  private async classifyInto(pane: Pane, frame: Frame, source: string, captured: number, captureMs: number, afterRender: () => Promise<void>) {
    const r = await this.bridge.classify(pane.card.id, frame, this.abort.signal);
    this.backend = afterFrameImport(this.backend, r);
    pane.show(r, source);
    await afterRender();
    const shown = performance.now();
    pane.record({ captureMs, preprocessMs: r.preprocessMs, modelMs: r.modelMs, e2eMs: shown - captured }, shown);
  }

  private report(pane: Pane, e: unknown): void {
    if ((e as Error)?.name === 'AbortError') return;
    if (isGpuLost(e)) void this.recover(e);
    else pane.error = (e as Error)?.message ?? String(e);
  }

  /** A new worker after a lost GPU device, with the same models; every pane reports it at once. */
  private async recover(lost: Error): Promise<void> {
    if (this.restarting) return;
    this.restarting = true;
    this.cancelInFlight();
    const cards = this.panes.map((p) => p.card);
    // No frames are offered while there is no worker.
    for (const p of this.panes) p.model = null;
    try {
      await restartAfterLoss(this, lost, this.onProgress, async (notice) => {
        this.panes = cards.map((card) => Object.assign(new Pane(card), { notice }));
        const again = await this.loadEach(this.panes);
        if (again) throw again;
      });
    } catch (e) {
      this.fatal = (e as Error).message;
    } finally {
      this.restarting = false;
    }
  }

  /** Cancels whatever is in flight (switching camera, leaving the page). */
  cancelInFlight(): void {
    this.abort.abort();
    this.abort = new AbortController();
  }
}
