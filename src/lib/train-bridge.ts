// The typed bridge to the training worker (Comlink), as bridge.ts is to the inference
// worker. Training runs in its own worker so the live view keeps classifying meanwhile.
import * as Comlink from 'comlink';
import type { TrainApi, TrainConfig, TrainListener } from '../../workers/train-protocol';

export class TrainBridge {
  private readonly worker: Worker;
  readonly api: Comlink.Remote<TrainApi>;

  constructor() {
    this.worker = new Worker(new URL('../../workers/train.worker.ts', import.meta.url), { type: 'module', name: 'train' });
    this.api = Comlink.wrap<TrainApi>(this.worker);
  }

  init(backend: string | undefined) {
    return this.api.init({ backend, baseUrl: document.baseURI });
  }

  importDataset(input: { file?: Blob; url?: string }, onEvent: TrainListener) {
    return this.api.importDataset(input, Comlink.proxy(onEvent));
  }

  train(config: TrainConfig, onEvent: TrainListener, resumeRunId?: string) {
    return this.api.train(config, Comlink.proxy(onEvent), resumeRunId);
  }

  terminate(): void {
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }
}
