// Restarting a worker that became unusable: its WebGPU device was lost, a call hung past its
// deadline, or it died. The worker names the first (GPU_LOST), the UI's WorkerLink the other
// two; planRestart picks what the new worker starts with, then the owner reloads its models.
import type { Bridge } from './bridge';
import { planRestart } from '../../workers/contracts/plan';
import { failureOf, type EngineOptions, type Failure, type InferenceBackend, type ProgressListener } from '../../workers/contracts/inference-protocol';

/** A worker and what it was started with (one ModelRunner). */
export interface Restartable {
  readonly bridge: Bridge;
  backend: InferenceBackend | null;
  engine: EngineOptions;
  /** How many failures of each kind this worker has met (planRestart's `earlier`). */
  readonly failures: Map<Failure, number>;
}

/**
 * Restarts `host`'s worker after `cause` and calls `reload` with a notice for the user. If the
 * new worker fails the same ways while it starts or reloads (on SwiftShader one worker's failed
 * import can take every device in the page), the next step of the plan follows. Rejects with
 * the last failure when nothing is left to try, or with an error that says the restart
 * failed; either message is ready for the user.
 */
export async function restartAfter(
  host: Restartable,
  cause: Error,
  onProgress: ProgressListener,
  reload: (notice: string) => Promise<void>,
): Promise<void> {
  // Bounded whatever the plan says: each step is a worker start, and a page must not spin.
  for (let attempt = 0; attempt < MAX_RESTARTS; attempt++) {
    const failure = failureOf(cause);
    const before = host.backend;
    const earlier = failure ? (host.failures.get(failure) ?? 0) : 0;
    const plan = before && failure && planRestart(before, host.engine, failure, earlier);
    if (!plan) throw cause;
    host.failures.set(failure!, earlier + 1);
    host.bridge.restart();
    let next: InferenceBackend; // its frame import says why, in the plan's words
    try {
      next = await host.bridge.init(plan.engine, onProgress);
    } catch (e) {
      if (!failureOf(e)) throw restartFailed(cause, e);
      cause = e as Error;
      continue;
    }
    host.backend = next;
    host.engine = plan.engine;
    try {
      const change = plan.change ? ` and ${plan.change}` : '';
      return await reload(`${cause.message} The model's worker was restarted${change}; it runs on ${next.name}.`);
    } catch (e) {
      if (!failureOf(e)) throw restartFailed(cause, e);
      cause = e as Error;
    }
  }
  throw cause;
}

/** Restarts in one recovery at most: the gpu-lost plan has two steps, hung and died two per backend. */
const MAX_RESTARTS = 6;

function restartFailed(cause: Error, e: unknown): Error {
  return new Error(`${cause.message} Restarting the model's worker failed: ${(e as Error).message}`);
}
