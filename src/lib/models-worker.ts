// The Models view's own inference worker (Squoosh: one bridge per feature). Listing, importing,
// deleting and profiling weights need no GPU, so it runs TF.js on the CPU backend, never waits
// behind the camera's frames, and survives the Live view's restarts. Started on first use.
import { Bridge } from './bridge';
import type { EngineOptions } from '../../workers/contracts/inference-protocol';

export class ModelsWorker {
  private readonly bridge: Bridge;
  private started: Promise<unknown> | null = null;

  /** `engine`: the page's options (the tests' fault switches); the backend is always the CPU. */
  constructor(private readonly engine: EngineOptions) {
    this.bridge = new Bridge('models', () => {
      // A crash: the next call starts a fresh worker.
      this.bridge.restart();
      this.started = null;
    });
  }

  /** The bridge, once its worker is up. */
  async ready(): Promise<Bridge> {
    this.started ??= this.bridge.init({ ...this.engine, backend: 'cpu', avoid: [] }, () => {}).catch((e: unknown) => {
      this.started = null;
      throw e;
    });
    await this.started;
    return this.bridge;
  }
}
