// WebGPU: compile every shader of a forward pass in parallel before the first real run.
import * as tf from '@tensorflow/tfjs-core';
import { webgpuBackend } from './webgpu-internals';

/**
 * On webgpu, traces `forward` with WEBGPU_ENGINE_COMPILE_ONLY: each kernel's pipeline is
 * created with createComputePipelineAsync and nothing is dispatched; then waits for all of
 * them at once. Elsewhere it does nothing. Returns whether it compiled.
 */
export async function precompile(forward: () => tf.Tensor): Promise<boolean> {
  const backend = webgpuBackend();
  if (typeof backend?.checkCompileCompletionAsync !== 'function') return false;
  tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);
  try {
    tf.tidy(forward);
    await backend.checkCompileCompletionAsync();
  } finally {
    tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false);
  }
  return true;
}
