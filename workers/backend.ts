// Backend choice: webgpu -> webgl -> wasm -> cpu, or the one named by ?backend=.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { BACKEND_ORDER, type BackendAttempt, type BackendInfo, type BackendName } from './protocol';
import { planBackends } from './plan';
import { watchDeviceLoss } from './gpu-lost';

// Explicit URLs so Vite fingerprints the .wasm files and the service worker precaches them.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

async function probe(name: BackendName): Promise<string | null> {
  if (name === 'webgpu') {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    if (!gpu) return 'WebGPU is not available in this browser (navigator.gpu is missing)';
    const adapter = await gpu.requestAdapter().catch(() => null);
    if (!adapter) return 'WebGPU found no GPU adapter';
  }
  if (name === 'webgl' && typeof OffscreenCanvas === 'undefined') return 'OffscreenCanvas is missing, so WebGL cannot run in a worker';
  if (name === 'webgl') {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
    if (!gl) return 'WebGL2 is not available';
  }
  return null;
}

export async function chooseBackend(requested?: string, avoid: readonly BackendName[] = []): Promise<BackendInfo> {
  const { order, note } = planBackends(requested, avoid);
  // Listed first so that the reason names them ("webgl, because webgpu: …").
  const attempts: BackendAttempt[] = avoid.map((name) => ({ name, ok: false, why: 'its GPU device was lost earlier on this page' }));
  for (const name of order) {
    let why = await probe(name);
    if (!why) {
      try {
        why = (await tf.setBackend(name)) ? null : `TF.js could not initialise ${name}`;
      } catch (e) {
        why = `TF.js could not initialise ${name}: ${(e as Error).message}`;
      }
    }
    if (why) {
      attempts.push({ name, ok: false, why });
      continue;
    }
    await tf.ready();
    // Every engine on webgpu reports a lost device by name (gpu-lost.ts).
    if (name === 'webgpu') watchDeviceLoss();
    const forced = requested === name;
    const skipped = attempts.map((a) => `${a.name}: ${a.why}`).join('; ');
    const reason = forced
      ? `${name}, as asked by ?backend=${name}`
      : skipped
        ? `${name}, because ${skipped}`
        : `${name}, the first choice (${BACKEND_ORDER.join(' → ')})`;
    attempts.push({ name, ok: true, why: 'picked' });
    // Threads need SharedArrayBuffer, i.e. a cross-origin-isolated page (COOP/COEP headers).
    const threads = name === 'wasm' ? getThreadsCount() : undefined;
    const how = threads ? ` (SIMD, ${threads} thread${threads === 1 ? '' : 's'})` : '';
    return { name, reason: (note ? `${note} ${reason}` : reason) + how, attempts, canTrain: name === 'webgpu' || name === 'webgl', threads };
  }
  throw new Error(`No TF.js backend could start: ${attempts.map((a) => `${a.name}: ${a.why}`).join('; ')}`);
}
