// This engine's memory, as the panes and the training progress show it.
import * as tf from '@tensorflow/tfjs-core';
import type { MemoryInfo } from '../contracts/inference-protocol';

/** Tensors, their bytes, and GPU bytes where the backend reports them. */
export function memory(): MemoryInfo {
  const m = tf.memory() as tf.MemoryInfo & { numBytesInGPU?: number };
  return { numTensors: m.numTensors, numBytes: m.numBytes, gpuBytes: m.numBytesInGPU };
}
