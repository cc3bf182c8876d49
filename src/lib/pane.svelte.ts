// One model's pane of results and statistics: the top-5, latency percentiles, FPS, memory,
// and the samples of the latency chart. A ModelRunner owns one, replaced when its worker restarts.
import { FrameGate } from './bridge';
import { Rolling } from './stats';
import { appendCapped, NO_FIGURES, type Figures, type FrameTiming, type LatencySample } from './compare';
import type { ModelCard } from '../../models/card';
import type { ClassifyResult, FrameImport, LoadedModel, MemoryInfo, Prediction } from '../../workers/contracts/inference-protocol';

const WINDOW = 100;
/** Samples kept for the latency-over-time chart. */
const HISTORY = 300;

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
}
