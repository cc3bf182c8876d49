// Shared by the parity tests: running a fixture's input, and the error measure that the
// tolerance (1e-4) is stated in.
import * as tf from '@tensorflow/tfjs-core';
import { EVAL, type Module } from '../../models/nn';

export function maxErrors(want: ArrayLike<number>, got: ArrayLike<number>): { maxDiff: number; maxAbs: number } {
  let maxDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(want[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(want[i]! - got[i]!));
  }
  return { maxDiff, maxAbs };
}

/** Runs a PyTorch-layout (NCHW) input through a model in eval mode; returns shape and logits. */
export async function forwardNCHW(model: Module, input: { data: Float32Array; shape: number[] }): Promise<{ shape: number[]; data: Float32Array }> {
  const got = tf.tidy(() => model.forward(tf.transpose(tf.tensor(input.data, input.shape, 'float32'), [0, 2, 3, 1]), EVAL));
  try {
    return { shape: got.shape, data: (await got.data()) as Float32Array };
  } finally {
    got.dispose();
  }
}
