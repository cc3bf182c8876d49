// Backend choice: webgpu -> webgl -> wasm -> cpu, or the one named by ?backend=.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { BACKEND_ORDER, type BackendAttempt, type BackendInfo, type BackendName } from '../contracts/inference-protocol';
import { planBackends, planThreads } from '../contracts/plan';
import { watchDeviceLoss } from './gpu-lost';

// Explicit URLs so Vite fingerprints the .wasm files and the service worker precaches them.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

/**
 * TF.js's wasm build caps its thread pool at navigator.hardwareConcurrency / 2 (it assumes
 * two hardware threads per core), read once as the module starts, so on 2 cores no count
 * above 1 takes effect. While the module starts it is shown a concurrency of twice the count
 * asked for; the real value is restored as soon as it has started.
 */
async function startWasm(threads: number): Promise<boolean> {
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
  try {
    return await tf.setBackend('wasm');
  } finally {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
}

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

export async function chooseBackend(requested?: string, avoid: readonly BackendName[] = [], threads?: number): Promise<BackendInfo> {
  const { order, note } = planBackends(requested, avoid);
  // Listed first so that the reason names them ("webgl, because webgpu: …").
  const attempts: BackendAttempt[] = avoid.map((name) => ({ name, ok: false, why: 'it failed earlier on this page' }));
  // Read when the wasm backend starts; without it TF.js's build uses half the cores (1 on 2).
  const wantThreads = planThreads(threads, navigator.hardwareConcurrency);
  setThreadsCount(wantThreads.threads);
  for (const name of order) {
    let why = await probe(name);
    if (!why) {
      try {
        const ok = name === 'wasm' ? await startWasm(wantThreads.threads) : await tf.setBackend(name);
        why = ok ? null : `TF.js could not initialise ${name}`;
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
    const got = name === 'wasm' ? getThreadsCount() : undefined;
    const how = got ? ` (SIMD, ${got} thread${got === 1 ? '' : 's'}: ${got === wantThreads.threads ? wantThreads.why : `${wantThreads.threads} asked, ${crossOriginIsolated ? 'the build gave fewer' : 'threads need a cross-origin-isolated page'}`})` : '';
    return { name, reason: (note ? `${note} ${reason}` : reason) + how, attempts, canTrain: name === 'webgpu' || name === 'webgl', threads: got };
  }
  throw new Error(`No TF.js backend could start: ${attempts.map((a) => `${a.name}: ${a.why}`).join('; ')}`);
}
