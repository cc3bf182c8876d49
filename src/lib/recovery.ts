// Recovery from a lost WebGPU device: the worker reports it as GPU_LOST, and the UI restarts
// that worker with what planRecovery picks, then loads its models again.
import type { Bridge } from './bridge';
import { planRecovery } from '../../workers/plan';
import { isGpuLost, type EngineOptions, type InferenceBackend, type ProgressListener } from '../../workers/protocol';

/** A worker and what it was started with (the live session, or one compared model). */
export interface Restartable {
  readonly bridge: Bridge;
  backend: InferenceBackend | null;
  engine: EngineOptions;
}

/**
 * Restarts `host`'s worker after `lost` and calls `reload` with a notice for the user.
 * `reload` rejects with GPU_LOST if the device goes again while the models load (on
 * SwiftShader one worker's failed import takes every device in the page); then the next
 * step of the plan follows. Rejects with the last loss when nothing is left to try, or with
 * an error that says the restart failed; either message is ready for the user.
 */
export async function restartAfterLoss(
  host: Restartable,
  lost: Error,
  onProgress: ProgressListener,
  reload: (notice: string) => Promise<void>,
): Promise<void> {
  for (let cause = lost; ; ) {
    const before = host.backend;
    const plan = before && planRecovery(before, host.engine);
    if (!plan) throw cause;
    host.bridge.restart();
    let next: InferenceBackend;
    try {
      next = await host.bridge.init(plan.engine, onProgress);
    } catch (e) {
      throw restartFailed(cause, e);
    }
    if (before.frameImport.mode === 'external-texture' && next.frameImport.mode === 'bitmap') {
      // Not "as asked by ?frameImport=bitmap": the recovery asked.
      next = { ...next, frameImport: { mode: 'bitmap', why: 'the WebGPU device was lost while camera frames were imported as textures' } };
    }
    host.backend = next;
    host.engine = plan.engine;
    try {
      return await reload(`${cause.message} The model's worker was restarted and ${plan.change}; it runs on ${next.name}.`);
    } catch (e) {
      if (!isGpuLost(e)) throw restartFailed(cause, e);
      cause = e;
    }
  }
}

function restartFailed(lost: Error, e: unknown): Error {
  return new Error(`${lost.message} Restarting the model's worker failed: ${(e as Error).message}`);
}
