// State of the Compare view: 2 to 4 models on the same camera frames, side by side.
//
// One worker per model (one ModelRunner each), not one shared worker with a scheduler:
// tf.memory() (tensors, bytes, GPU bytes) is per TF.js engine, so only a worker of its own
// gives each model its own memory figures, and on CPU backends (wasm, cpu) the models then
// run in parallel, so a slow model does not hold back a fast one. The cost is one backend
// init per model. Each runner recovers from a lost device, a hang or a crash on its own.
import { ModelRunner } from './runner.svelte';
import { weightsNotice, type Answer, type FrameSink } from './session.svelte';
import { chartTop, compareCsv, compareJson, compareRow, type CompareExport } from './compare';
import { DEFAULT_COMPARISON, findCard, MAX_COMPARED } from '../../models/registry';
import type { EngineOptions } from '../../workers/contracts/inference-protocol';

export const MIN_MODELS = 2;
export const MAX_MODELS = MAX_COMPARED;
export const SCHEDULING = 'one worker (and TF.js engine) per model; each camera frame is offered to every idle model, latest frame wins per model';

export class CompareSession implements FrameSink {
  /** Opens with shipped models of the line, so a fresh install has something to compare. */
  selected = $state<string[]>([...DEFAULT_COMPARISON]);
  /** The compared models; after Stop they stay, with their last figures, for the exports. */
  runners = $state<ModelRunner[]>([]);
  /** Stop was pressed: the workers are ended, the panes and the exports stay. */
  stopped = $state(false);
  /** Something the user should know about the comparison (a model deleted meanwhile). */
  notice = $state<string | null>(null);
  /** performance.now() when the comparison started; history times are relative to it. */
  startedAt = 0;

  private frameNo = 0;

  constructor(private readonly engine: EngineOptions) {}

  get canRun(): boolean {
    return this.selected.length >= MIN_MODELS && this.selected.length <= MAX_MODELS;
  }

  get ready(): boolean {
    return !this.stopped && this.runners.length > 0 && this.runners.every((r) => r.pane.model || r.pane.error);
  }

  get answers(): Answer[] {
    return this.runners.map((r) => ({ modelId: r.pane.card.id, name: r.pane.card.name, top: r.pane.top }));
  }

  /** One y scale for all latency charts, so their heights compare. */
  get chartTop(): number {
    return chartTop(this.runners.flatMap((r) => r.pane.history));
  }

  toggle(id: string): void {
    if (this.selected.includes(id)) this.selected = this.selected.filter((s) => s !== id);
    else if (this.selected.length < MAX_MODELS) this.selected = [...this.selected, id];
  }

  /** Starts one worker per selected model and loads it there. */
  async run(): Promise<void> {
    if (!this.canRun) return;
    this.end();
    this.notice = null;
    this.stopped = false;
    this.startedAt = performance.now();
    this.frameNo = 0;
    this.runners = this.selected.map((id) => new ModelRunner(findCard(id), this.engine, `compare:${id}`));
    await Promise.all(
      this.runners.map((r) =>
        r.start().catch((e) => {
          r.pane.error = `Could not load ${r.pane.card.name}: ${(e as Error).message}`;
        }),
      ),
    );
  }

  /** Ends the workers, freeing their memory; the panes keep their last figures for the exports. */
  stop(): void {
    for (const r of this.runners) r.stop();
    this.stopped = true;
  }

  /** Ends the workers and drops the panes (a new comparison). */
  private end(): void {
    this.stop();
    this.runners = [];
  }

  /**
   * Gives the current video frame to every idle model, cropped and resized for each; a busy
   * model drops it. createImageBitmap takes the video's current frame when it is called, and
   * every call below happens in this one task, so all models get the same frame; they share
   * the frame numbers, so their results can be matched frame by frame.
   */
  offerVideoFrame(video: HTMLVideoElement, afterRender: () => Promise<void>): void {
    if (this.stopped) return;
    const frame = ++this.frameNo;
    const captured = performance.now();
    for (const r of this.runners) r.offerVideoFrame(video, afterRender, frame, captured);
  }

  cancelInFlight(): void {
    for (const r of this.runners) r.cancelInFlight();
  }

  /**
   * Weights of `id` were stored anew (its runner, its own worker, reloads them), or are being
   * deleted: it leaves the comparison and the selection, and the view says so.
   */
  async weightsChanged(id: string, change: 'imported' | 'deleted'): Promise<void> {
    const mine = this.runners.filter((r) => r.pane.card.id === id);
    if (change === 'imported') {
      if (!this.stopped) await Promise.all(mine.map((r) => r.reload(weightsNotice(id))));
      return;
    }
    if (!this.selected.includes(id) && !mine.length) return;
    for (const r of mine) r.stop();
    this.runners = this.runners.filter((r) => !mine.includes(r));
    this.selected = this.selected.filter((s) => s !== id);
    this.notice = `${findCard(id).name} was deleted in Models, so it left the comparison.`;
  }

  private rows() {
    return this.runners.map((r) => ({ pane: r.pane, backend: r.backend?.name ?? '' }));
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
