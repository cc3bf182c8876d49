// The typed bridge to the teach worker (Comlink), as train-bridge.ts is to the training worker.
// Every call settles even if the worker dies (WorkerLink); learning reports progress as it goes.
import * as Comlink from 'comlink';
import { WorkerLink } from './worker-link';
import { CALL_DEADLINES, type Deadline } from '../../workers/contracts/plan';
import type { EngineOptions } from '../../workers/contracts/inference-protocol';
import type { HeadOptions, LearnListener, TeachApi, TeachMethod } from '../../workers/contracts/teach-protocol';

type Api = Comlink.Remote<TeachApi>;

export class TeachBridge {
  private readonly link: WorkerLink<TeachApi>;
  private nextId = 1;

  constructor(onDeath: (e: Error) => void) {
    const make = () => new Worker(new URL('../../workers/teach/teach.worker.ts', import.meta.url), { type: 'module', name: 'teach' });
    this.link = new WorkerLink<TeachApi>(make, 'the teach worker', onDeath);
  }

  /** Any call but learning; loading a backbone reports nothing, so it gets the progress deadline. */
  call<R>(name: string, f: (api: Api) => Promise<R>, deadline: Deadline = CALL_DEADLINES.quick): Promise<R> {
    return this.link.watch(name, deadline, () => f(this.link.api));
  }

  restart(): void {
    this.link.restart();
  }

  init({ backend }: EngineOptions) {
    return this.link.watch('init', CALL_DEADLINES.init, () => this.link.api.init({ backend, baseUrl: document.baseURI }));
  }

  /**
   * Learns and stores the model; `signal` stops it, and then nothing is stored. A call given up
   * as hung is stopped in the worker too (WorkerLink.stoppable).
   */
  learn(method: TeachMethod, backboneId: string, head: HeadOptions, onEvent: LearnListener, signal?: AbortSignal) {
    const id = this.nextId++;
    const deadline = method === 'finetune' ? CALL_DEADLINES.step : CALL_DEADLINES.progress;
    return this.link.stoppable('learn', deadline, signal, () => void this.link.api.cancelCall(id), (kick) =>
      this.link.api.learn(method, backboneId, head, Comlink.proxy((e) => (kick(), onEvent(e))), id),
    );
  }
}
