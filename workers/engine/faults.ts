/// <reference types="@webgpu/types" />
// Test-only fault injection. Recovery from a lost GPU device, a call that never returns, a
// dead worker and a failed VideoFrame import must be tested the same way on every machine,
// not through one GPU driver's quirk, so the end-to-end tests cause each fault on purpose.
// A worker honours injectFault only when its page was opened with ?faults (passed to
// init), so ordinary use cannot trip it; without the flag every fault is refused.
import * as tf from '@tensorflow/tfjs-core';
import { webgpuBackend } from './webgpu-internals';
import type { Fault } from '../contracts/inference-protocol';

let enabled = false;
let hangNext = false;
let breakImportNext = false;
let stallCompileNext = false;

export function enableFaults(on: boolean | undefined): void {
  enabled = !!on;
}

export function injectFault(fault: Fault): void {
  if (!enabled) throw new Error('Fault injection is off: it works only on a page opened with ?faults.');
  switch (fault) {
    case 'lose-device': {
      // The backend's own device: TF.js then fails as after a driver reset (device.lost
      // resolves with reason 'destroyed', which the app treats like any other loss).
      const device = webgpuBackend()?.device;
      if (!device) throw new Error(`No WebGPU device to lose: the backend is ${tf.getBackend()}.`);
      device.destroy();
      return;
    }
    case 'hang':
      hangNext = true;
      return;
    case 'crash':
      // An uncaught error: the page sees the worker's 'error' event, as after a crash.
      setTimeout(() => {
        throw new Error('The worker crashed (a crash injected through ?faults).');
      });
      return;
    case 'break-import':
      breakImportNext = true;
      return;
    case 'stall-compile':
      stallCompileNext = true;
      return;
  }
}

/** How long the precompile after a 'stall-compile' fault waits, as a slow GPU's compiler would. */
export const COMPILE_STALL_MS = 5_000;

/** After a 'stall-compile' fault, the next WebGPU precompile takes COMPILE_STALL_MS longer. */
export function stallCompileIfAsked(): Promise<void> {
  if (!stallCompileNext) return Promise.resolve();
  stallCompileNext = false;
  return new Promise((ok) => setTimeout(ok, COMPILE_STALL_MS));
}

/** The next call after a 'hang' fault never settles. */
export function hangIfAsked(): Promise<void> {
  if (!hangNext) return Promise.resolve();
  hangNext = false;
  return new Promise(() => {});
}

/**
 * The frame to import as a texture: after a 'break-import' fault, a closed copy of it, which
 * importExternalTexture really refuses (the original stays open for the bitmap fallback).
 */
export function importSource(frame: VideoFrame): VideoFrame {
  if (!breakImportNext) return frame;
  breakImportNext = false;
  const closed = frame.clone();
  closed.close();
  return closed;
}
