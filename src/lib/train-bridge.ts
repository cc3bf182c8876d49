// The typed bridge to the training worker (Comlink), as bridge.ts is to the inference
// worker. Training runs in its own worker so the live view keeps classifying meanwhile.
// Every call settles even if the worker dies (WorkerLink); a run reports progress at every
// step, so a run silent for longer than CALL_DEADLINES.long (its last evaluation reports
// nothing until it ends) is taken as hung.
import * as Comlink from 'comlink';
import { WorkerLink } from './worker-link';
import { faultTarget } from './faults';
import { CALL_DEADLINES, type Deadline } from '../../workers/contracts/plan';
import type { EngineOptions, Fault } from '../../workers/contracts/inference-protocol';
import type { TrainApi, TrainConfig, TrainListener } from '../../workers/contracts/train-protocol';

type Api = Comlink.Remote<TrainApi>;

export class TrainBridge {
  private readonly link: WorkerLink<TrainApi>;
  private readonly unregister: () => void;
  private nextId = 1;

  constructor(onDeath: (e: Error) => void) {
    const make = () => new Worker(new URL('../../workers/train/train.worker.ts', import.meta.url), { type: 'module', name: 'train' });
    this.link = new WorkerLink<TrainApi>(make, 'the training worker', onDeath);
    this.unregister = faultTarget('train', (f: Fault) => this.call('injectFault', (api) => api.injectFault(f)));
  }

  /** Any call but a dataset import or a run, watched by `deadline` (an evaluation reports no progress). */
  call<R>(name: string, f: (api: Api) => Promise<R>, deadline: Deadline = CALL_DEADLINES.quick): Promise<R> {
    return this.link.watch(name, deadline, () => f(this.link.api));
  }

  /** A fresh worker after the old one died: init() must run again. */
  restart(): void {
    this.link.restart();
  }

  init({ backend, faults, downloadStallMs }: EngineOptions) {
    return this.link.watch('init', CALL_DEADLINES.init, () => this.link.api.init({ backend, baseUrl: document.baseURI, faults, downloadStallMs }));
  }

  /** Reads, checks and stores CIFAR-10; `signal` cancels, and then nothing is stored. */
  importDataset(input: { file?: Blob; url?: string }, onEvent: TrainListener, signal?: AbortSignal) {
    const id = this.nextId++;
    return this.link.stoppable('importDataset', CALL_DEADLINES.progress, signal, () => void this.link.api.cancelCall(id), (kick) =>
      this.link.api.importDataset(input, Comlink.proxy((e) => (kick(), onEvent(e))), id),
    );
  }

  /** A run; `signal` cancels it, and the run then ends with its own 'end' event (status cancelled). */
  train(config: TrainConfig, onEvent: TrainListener, resumeRunId?: string, signal?: AbortSignal) {
    return this.link.stoppable('train', CALL_DEADLINES.long, signal, () => void this.link.api.cancel(), (kick) =>
      this.link.api.train(config, Comlink.proxy((e) => (kick(), onEvent(e))), resumeRunId),
    );
  }

  /** A stored model on the test split; `signal` stops it between batches. */
  evaluate(modelId: string, testLimit: number, signal?: AbortSignal) {
    const id = this.nextId++;
    return this.link.stoppable('evaluate', CALL_DEADLINES.long, signal, () => void this.link.api.cancelCall(id), () =>
      this.link.api.evaluate(modelId, testLimit, id),
    );
  }

  terminate(): void {
    this.unregister();
    this.link.stop();
  }
}
