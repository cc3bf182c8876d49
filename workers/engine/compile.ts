// WebGPU: compile every shader of a forward pass in parallel before the first real run.
import * as tf from '@tensorflow/tfjs-core';
import { Mutex } from 'async-mutex';
import { webgpuBackend } from './webgpu-internals';
import { stallCompileIfAsked } from './faults';

/**
 * One TF.js job at a time in a worker: loading a model (its weights, fusion and precompile),
 * a forward pass, a conversion. While a precompile waits for its pipelines, TF.js holds them
 * as pending promises, and any other kernel that needs one throws; so work that may dispatch
 * kernels runs under this lock. Not re-entrant: a holder never awaits another holder.
 */
export const tfWork = new Mutex();

/**
 * On webgpu, traces `forward` with WEBGPU_ENGINE_COMPILE_ONLY: each kernel's pipeline is
 * created with createComputePipelineAsync and nothing is dispatched; then waits for all of
 * them at once. Elsewhere it does nothing. Returns whether it compiled. The flag is on for
 * the synchronous trace alone: left on across the wait, it made any other work of the worker
 * meanwhile (another model's weights being fused) skip its kernels, and so read garbage.
 * Call it holding tfWork.
 */
export async function precompile(forward: () => tf.Tensor): Promise<boolean> {
  const backend = webgpuBackend();
  if (typeof backend?.checkCompileCompletionAsync !== 'function') return false;
  tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);
  try {
    tf.tidy(forward);
  } finally {
    tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false);
  }
  await backend.checkCompileCompletionAsync();
  await stallCompileIfAsked();
  return true;
}
