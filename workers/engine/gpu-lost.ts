/// <reference types="@webgpu/types" />
// A lost WebGPU device (driver reset, GPU process crash, a bad import). TF.js's WebGPU
// backend neither reports nor survives one: it creates its device once per engine, and every
// later call fails with an unrelated message (createBuffer "too large"). The worker turns
// that into one named error, GPU_LOST, and the UI restarts the worker (planRecovery).
import { webgpuBackend } from './webgpu-internals';
import { GPU_LOST } from '../contracts/inference-protocol';

let lost: string | undefined;
let watched: Promise<void> | undefined;

/** Watches the current backend's device; call once the backend is webgpu. */
export function watchDeviceLoss(): void {
  const device = webgpuBackend()?.device;
  watched = device?.lost.then((info) => {
    lost = info.message || `reason: ${info.reason}`;
  });
}

function lostError(): Error {
  const e = new Error(`The WebGPU device was lost (${lost}).`);
  e.name = GPU_LOST;
  return e;
}

export function throwIfDeviceLost(): void {
  if (lost) throw lostError();
}

/**
 * The error to report for a failed call: GPU_LOST where the device is gone, else `e`. The
 * lost promise settles a moment after the first call that fails, hence the short wait. An
 * AbortError is explained too: a readback (mapAsync) on a lost device rejects with one.
 */
export async function explainFailure(e: unknown): Promise<unknown> {
  if (!watched) return e;
  if (!lost) await Promise.race([watched, new Promise((ok) => setTimeout(ok, 250))]);
  return lost ? lostError() : e;
}
