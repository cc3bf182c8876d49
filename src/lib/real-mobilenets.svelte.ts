// The Models view's table of the real (TensorFlow Lite) MobileNets: α, ρ, parameters, MACs,
// published top-1 and the model-only latency measured here, in a worker of its own on the
// page's backend (the Models view's own worker runs on the CPU), ended when the measurement is.
import { Bridge } from './bridge';
import { Rolling } from './stats';
import type { BackendName, EngineOptions } from '../../workers/contracts/inference-protocol';

export interface Latency {
  backend: BackendName;
  threads?: number;
  p50: number;
  p95: number;
  runs: number;
}

/** Timed forward passes per model (after one untimed, shader-compiling run). */
export const LATENCY_RUNS = 10;

export class RealMobileNets {
  latency = $state<Record<string, Latency>>({});
  /** The model being measured now, or null. */
  measuring = $state<string | null>(null);
  error = $state<string | null>(null);
  private abort: AbortController | null = null;

  constructor(private readonly engine: EngineOptions) {}

  /** Measures each of `ids` in turn in one fresh worker, which is ended afterwards. */
  async measure(ids: readonly string[]): Promise<void> {
    if (this.measuring) return;
    this.error = null;
    this.measuring = ids[0] ?? null;
    const abort = (this.abort = new AbortController());
    const bridge = new Bridge('latency');
    try {
      await bridge.init(this.engine, () => {});
      for (const id of ids) {
        if (abort.signal.aborted) break;
        this.measuring = id;
        await bridge.load(id, () => {});
        const t = await bridge.timeForward(id, LATENCY_RUNS, abort.signal);
        const r = new Rolling(t.runs.length);
        t.runs.forEach((v) => r.push(v));
        this.latency[id] = { backend: t.backend, threads: t.threads, p50: r.percentile(50), p95: r.percentile(95), runs: t.runs.length };
        await bridge.forget(id);
      }
    } catch (e) {
      if ((e as Error)?.name !== 'AbortError') this.error = `Could not measure ${this.measuring}: ${(e as Error).message}`;
    } finally {
      bridge.terminate();
      this.measuring = null;
      this.abort = null;
    }
  }

  cancel(): void {
    this.abort?.abort();
  }
}
