// The Live view's session: one ModelRunner (the picked model on its worker), the page's
// progress line, and image files. The Compare view runs several runners (compare.svelte.ts).
import { ModelRunner } from './runner.svelte';
import { fileRejection } from './errors';
import { findCard, DEFAULT_MODEL_ID } from '../../models/registry';
import type { EngineOptions, Prediction, ProgressEvent } from '../../workers/contracts/inference-protocol';

/** One model's latest answer, as drawn over the video. */
export interface Answer {
  modelId: string;
  name: string;
  top: Prediction[];
}

/** What the camera view feeds frames to: the live session or the compare session. */
export interface FrameSink {
  readonly ready: boolean;
  /** The latest answer of each model, drawn over the video (one for Live, a legend for Compare). */
  readonly answers: Answer[];
  offerVideoFrame(video: HTMLVideoElement, afterRender: () => Promise<void>): void;
  cancelInFlight(): void;
}

export class Session implements FrameSink {
  progress = $state<ProgressEvent | null>(null);
  fatal = $state<string | null>(null);
  fileError = $state<string | null>(null);
  readonly runner: ModelRunner;
  readonly defaultModelId = DEFAULT_MODEL_ID;

  constructor(engine: EngineOptions) {
    this.runner = new ModelRunner(findCard(DEFAULT_MODEL_ID), engine, 'live', (e) => {
      this.progress = e;
    });
  }

  get backend() {
    return this.runner.backend;
  }

  get pane() {
    return this.runner.pane;
  }

  get ready(): boolean {
    return this.runner.ready;
  }

  get answers(): Answer[] {
    const p = this.runner.pane;
    return [{ modelId: p.card.id, name: p.card.name, top: p.top }];
  }

  async start(): Promise<void> {
    try {
      await this.runner.start();
    } catch (e) {
      this.fatal = (e as Error).message;
    }
  }

  /** The Live view's picker. */
  selectModel(id: string): Promise<void> {
    return this.runner.select(findCard(id));
  }

  offerVideoFrame(video: HTMLVideoElement, afterRender: () => Promise<void>): void {
    this.runner.offerVideoFrame(video, afterRender);
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
    try {
      this.fileError = await this.runner.classifyImage(bitmap, file.name, afterRender);
    } finally {
      bitmap.close();
    }
  }

  cancelInFlight(): void {
    this.runner.cancelInFlight();
  }

  /** Weights of `id` were stored anew (the pane reloads them) or are being deleted (the default model takes its place). */
  async weightsChanged(id: string, change: 'imported' | 'deleted'): Promise<void> {
    if (this.runner.pane.card.id !== id) return;
    if (change === 'imported') return this.runner.reload(weightsNotice(id));
    const name = this.runner.pane.card.name;
    await this.selectModel(DEFAULT_MODEL_ID);
    this.runner.pane.notice = `${name} was deleted in Models, so ${this.runner.pane.card.name} runs instead.`;
  }
}

export function weightsNotice(id: string): string {
  return `The new weights of ${id} were imported; the model was reloaded with them.`;
}
