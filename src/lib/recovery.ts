// Recovery from a lost WebGPU device: the worker reports it as GPU_LOST, and the UI restarts
// that worker with what planRecovery picks, then loads its models again.
import type { Bridge } from './bridge';
import { planRecovery } from '../../workers/plan';
import { GPU_LOST, type EngineOptions, type InferenceBackend, type ProgressListener } from '../../workers/protocol';

export function isGpuLost(e: unknown): e is Error {
  return (e as Error)?.name === GPU_LOST;
}

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
 * step of the plan follows. Rejects with the last loss when nothing is left to try.
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
    let next = await host.bridge.init(plan.engine, onProgress);
    if (before.frameImport.mode === 'external-texture' && next.frameImport.mode === 'bitmap') {
      // Not "as asked by ?frameImport=bitmap": the recovery asked.
      next = { ...next, frameImport: { mode: 'bitmap', why: 'the WebGPU device was lost while camera frames were imported as textures' } };
    }
    host.backend = next;
    host.engine = plan.engine;
    try {
      return await reload(`${cause.message} The model's worker was restarted and ${plan.change}; it runs on ${next.name}.`);
    } catch (e) {
      if (!isGpuLost(e)) throw e;
      cause = e;
    }
  }
}
