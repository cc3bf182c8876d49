// The typed bridge to the Tour's worker (Comlink), as bridge.ts is to the inference worker:
// every call settles even if the worker hangs or dies (WorkerLink), and a frame's maps take
// an AbortSignal, after which the worker drops the call and the UI never sees a late answer.
import * as Comlink from 'comlink';
import { WorkerLink, withSignal } from './worker-link';
import { CALL_DEADLINES } from '../../workers/contracts/plan';
import type { EngineOptions } from '../../workers/contracts/inference-protocol';
import type { ExplainedMaps, SectionInfo, TourApi, TourProgress } from '../../workers/contracts/tour-protocol';
import type { TourSectionId } from '../../models/tour-sections';

/** A frame's maps on a CIFAR-size model take milliseconds; a minute means the worker hangs. */
const MAPS_DEADLINE = { ms: 60_000, why: 'one frame through a CIFAR-size model, with its gradients, takes about a second at most' };

export class TourBridge {
  private readonly link: WorkerLink<TourApi>;
  private nextId = 1;

  constructor(onDeath: (e: Error) => void) {
    const make = () => new Worker(new URL('../../workers/tour/tour.worker.ts', import.meta.url), { type: 'module', name: 'tour' });
    this.link = new WorkerLink<TourApi>(make, "the Tour's worker", onDeath);
  }

  init({ backend, threads }: EngineOptions) {
    return this.link.watch('init', CALL_DEADLINES.init, () => this.link.api.init({ backend, threads, baseUrl: document.baseURI }));
  }

  open(section: TourSectionId, modelId: string, trained: boolean, onProgress: (e: TourProgress) => void): Promise<SectionInfo> {
    return this.link.watch(`open(${modelId})`, CALL_DEADLINES.progress, (kick) =>
      this.link.api.open(section, modelId, trained, Comlink.proxy((e) => (kick(), onProgress(e)))),
    );
  }

  /** Transfers `frame` (the caller must not use it again). */
  maps(modelId: string, layer: string, frame: ImageBitmap, signal: AbortSignal, opts: { explain: boolean; channel: number | null }): Promise<ExplainedMaps> {
    if (signal.aborted) frame.close();
    const id = this.nextId++;
    return this.link.watch('a frame', MAPS_DEADLINE, () =>
      withSignal(signal, () => this.link.api.maps(modelId, layer, Comlink.transfer(frame, [frame]), id, opts), () => void this.link.api.cancel(id)),
    );
  }

  close(modelId: string): Promise<void> {
    return this.link.watch(`close(${modelId})`, CALL_DEADLINES.init, () => this.link.api.close(modelId));
  }

  /** A fresh worker in place of one that died: init() and open() must run again. */
  restart(): void {
    this.link.restart();
  }
}
