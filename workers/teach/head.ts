// A softmax layer trained on frozen, L2-normalised embeddings: one matMul, a bias and the
// cross-entropy, so it needs only dense gradients and trains on every backend, wasm and cpu
// included (TF.js's wasm backend cannot train convolutions). Full batch: a few hundred
// samples fit in one step.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core leaves gradients unregistered (the umbrella package registers them), as in trainer.ts.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { DenseHead } from './imprint';

export interface HeadTraining {
  epochs: number;
  lr: number;
  /** Whether the head has a bias (airbench's has none); default true. */
  bias?: boolean;
  /** L2 penalty on the weight. */
  weightDecay?: number;
  signal?: AbortSignal;
  onEpoch?: (epoch: number, loss: number) => void | Promise<void>;
}

/** Trains from zeros with Adam; returns the head and the loss before each epoch's step. */
export async function trainHead(embeddings: readonly Float32Array[], labels: readonly number[], k: number, opts: HeadTraining): Promise<{ head: DenseHead; losses: number[] }> {
  const d = embeddings[0]!.length;
  const flat = new Float32Array(embeddings.length * d);
  embeddings.forEach((e, i) => flat.set(e, i * d));
  const x = tf.tensor2d(flat, [embeddings.length, d]);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), k), 'float32'));
  // Inside tidy: a variable takes the zeros' data, and the zeros themselves must go.
  const w = tf.tidy(() => tf.variable(tf.zeros([d, k])));
  const b = tf.tidy(() => tf.variable(tf.zeros([k])));
  const optimizer = tf.train.adam(opts.lr);
  const wd = opts.weightDecay ?? 1e-4;
  const useBias = opts.bias ?? true;
  const losses: number[] = [];
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      opts.signal?.throwIfAborted();
      const loss = optimizer.minimize(() => {
        const z = tf.matMul(x, w);
        const ce = tf.losses.softmaxCrossEntropy(y, useBias ? tf.add(z, b) : z);
        return tf.add(ce, tf.mul(wd, tf.sum(tf.square(w)))) as tf.Scalar;
      }, true, useBias ? [w, b] : [w])!;
      const value = (await loss.data())[0]!;
      loss.dispose();
      losses.push(value);
      await opts.onEpoch?.(epoch + 1, value);
    }
    return { head: { inputs: d, classes: k, weight: (await w.data()) as Float32Array, bias: (await b.data()) as Float32Array }, losses };
  } finally {
    optimizer.dispose();
    tf.dispose([x, y, w, b]);
  }
}
