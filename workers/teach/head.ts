// A softmax layer, or a small MLP (one hidden ReLU layer as wide as the embedding, then the
// softmax layer), trained on frozen, L2-normalised embeddings: matMuls, biases and the
// cross-entropy, so it needs only dense gradients and trains on every backend, wasm and cpu
// included (TF.js's wasm backend cannot train convolutions). Full batch: a few hundred
// samples fit in one step.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core leaves gradients unregistered (the umbrella package registers them), as in trainer.ts.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { DenseHead } from './imprint';

/** The MLP's hidden layer as stored: ReLU(x W + b), W [inputs, inputs] (TF.js's Linear layout). */
export type HiddenLayer = DenseHead;

export interface HeadTraining {
  epochs: number;
  lr: number;
  /** Whether the head has a bias (airbench's has none); default true. */
  bias?: boolean;
  /** L2 penalty on the weight. */
  weightDecay?: number;
  /** Train a small MLP: a hidden ReLU layer of the embedding's width before the softmax layer. */
  mlp?: boolean;
  /** Seed of the hidden layer's He initialisation (default 1; the softmax layer starts from zeros). */
  seed?: number;
  signal?: AbortSignal;
  onEpoch?: (epoch: number, loss: number) => void | Promise<void>;
}

/**
 * Trains with Adam (the softmax layer from zeros; an MLP's hidden layer from a seeded He
 * initialisation, since zeros would keep every hidden unit alike); returns the head, the
 * MLP's hidden layer, and the loss before each epoch's step.
 */
export async function trainHead(embeddings: readonly Float32Array[], labels: readonly number[], k: number, opts: HeadTraining): Promise<{ head: DenseHead; hidden?: HiddenLayer; losses: number[] }> {
  const d = embeddings[0]!.length;
  const flat = new Float32Array(embeddings.length * d);
  embeddings.forEach((e, i) => flat.set(e, i * d));
  const x = tf.tensor2d(flat, [embeddings.length, d]);
  const y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(labels), 'int32'), k), 'float32'));
  // Inside tidy: a variable takes the zeros' data, and the zeros themselves must go.
  const w = tf.tidy(() => tf.variable(tf.zeros([d, k])));
  const b = tf.tidy(() => tf.variable(tf.zeros([k])));
  const w1 = opts.mlp ? tf.tidy(() => tf.variable(tf.randomNormal([d, d], 0, Math.sqrt(2 / d), 'float32', opts.seed ?? 1))) : null;
  const b1 = opts.mlp ? tf.tidy(() => tf.variable(tf.zeros([d]))) : null;
  const optimizer = tf.train.adam(opts.lr);
  const wd = opts.weightDecay ?? 1e-4;
  const useBias = opts.bias ?? true;
  const losses: number[] = [];
  try {
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      opts.signal?.throwIfAborted();
      const loss = optimizer.minimize(() => {
        const h = w1 && b1 ? tf.relu(tf.add(tf.matMul(x, w1), b1)) : x;
        const z = tf.matMul(h, w);
        const ce = tf.losses.softmaxCrossEntropy(y, useBias ? tf.add(z, b) : z);
        const l2 = w1 ? tf.add(tf.sum(tf.square(w)), tf.sum(tf.square(w1))) : tf.sum(tf.square(w));
        return tf.add(ce, tf.mul(wd, l2)) as tf.Scalar;
      }, true, [...(useBias ? [w, b] : [w]), ...(w1 && b1 ? [w1, b1] : [])])!;
      const value = (await loss.data())[0]!;
      loss.dispose();
      losses.push(value);
      await opts.onEpoch?.(epoch + 1, value);
    }
    const head = { inputs: d, classes: k, weight: (await w.data()) as Float32Array, bias: (await b.data()) as Float32Array };
    const hidden = w1 && b1 ? { inputs: d, classes: d, weight: (await w1.data()) as Float32Array, bias: (await b1.data()) as Float32Array } : undefined;
    return { head, hidden, losses };
  } finally {
    optimizer.dispose();
    tf.dispose([x, y, w, b, ...(w1 && b1 ? [w1, b1] : [])]);
  }
}
