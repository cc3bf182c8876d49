// The training loop, free of workers and storage so it runs the same in the worker, in
// Node (unit tests, the one-step parity check) and headless. Storage and events are hooks.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core leaves gradients unregistered (the umbrella package registers them); training needs them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { Classifier } from '../../models/builders';
import type { Preprocess } from '../../models/card';
import type { EpochPoint, Evaluation, ImageSet, TrainConfig } from '../contracts/train-protocol';
import { Optimizer, type NamedVariable } from './optim';
import { learningRate } from './schedule';
import { isFrozen, stagesOf } from './stages';
import { resizeAndNormalize, resizeTo } from '../preprocess/preprocess';

export const TRAIN_CTX = { training: true } as const;
const EVAL_CTX = { training: false, singleView: true } as const;


/** The side of a set's square images: CIFAR's 32 unless the set says otherwise. */
export function sideOf(data: ImageSet): number {
  return data.side ?? 32;
}

export class DivergedError extends Error {
  override name = 'DivergedError';
}

/** A small seeded PRNG (mulberry32): shuffles and augmentation repeat for a seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffled(n: number, rand: () => number): Uint32Array {
  const a = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/**
 * uint8 NHWC images of side `side` (CIFAR's 32 by default) -> the model's input at `size`, by
 * the inference path's own resizeAndNormalize (bilinear with half-pixel centres, as torch's
 * interpolate; grey-scale where the card asks; the card's mean and std), so training,
 * evaluation and the camera agree.
 */
export function toInput(bytes: Uint8Array, n: number, pre: Pick<Preprocess, 'mean' | 'std' | 'channels'>, size: number, side = 32): tf.Tensor4D {
  return tf.tidy(() => resizeAndNormalize(tf.tensor4d(Float32Array.from(bytes), [n, side, side, 3]), { ...pre, size: [size, size] }));
}

/**
 * Random crop after reflect-padding by `pad` pixels (as airbench; padding by reflection
 * keeps the image statistics), and random horizontal flip, on the backend for the batch.
 */
export function augment(x: tf.Tensor4D, pad: number, flip: boolean, rand: () => number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w] = x.shape;
    let y = x;
    if (pad > 0) {
      const padded = tf.mirrorPad(y, [[0, 0], [pad, pad], [pad, pad], [0, 0]], 'reflect');
      const H = h + 2 * pad - 1;
      const W = w + 2 * pad - 1;
      const boxes: number[][] = [];
      for (let i = 0; i < n; i++) {
        const oy = Math.floor(rand() * (2 * pad + 1));
        const ox = Math.floor(rand() * (2 * pad + 1));
        boxes.push([oy / H, ox / W, (oy + h - 1) / H, (ox + w - 1) / W]);
      }
      // Integer-aligned boxes: every output pixel samples one input pixel exactly.
      y = tf.image.cropAndResize(padded, boxes, [...Array(n).keys()], [h, w], 'nearest');
    }
    if (flip) {
      const m = tf.tensor4d(Array.from({ length: n }, () => (rand() < 0.5 ? 1 : 0)), [n, 1, 1, 1]);
      y = tf.add(tf.mul(y, tf.sub(1, m)), tf.mul(tf.reverse(y, 2), m));
    }
    return y;
  });
}

/** Mean softmax cross-entropy with label smoothing, as torch's CrossEntropyLoss(label_smoothing). */
export function crossEntropy(logits: tf.Tensor, labels: tf.Tensor1D, classes: number, smoothing: number): tf.Scalar {
  return tf.tidy(() => {
    const target = tf.add(tf.mul(tf.cast(tf.oneHot(labels, classes), 'float32'), 1 - smoothing), smoothing / classes);
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), -1))) as tf.Scalar;
  });
}

export interface StepResult {
  loss: number;
  correct: number;
}

export class Trainer {
  readonly optimizer: Optimizer;
  readonly stages: string[];
  private trainable: NamedVariable[] = [];

  constructor(
    readonly model: Classifier,
    readonly pre: Pick<Preprocess, 'mean' | 'std' | 'channels'>,
    readonly cfg: TrainConfig,
    readonly headName: string,
    readonly classes = 10,
  ) {
    this.optimizer = new Optimizer(cfg.optimizer);
    this.stages = stagesOf(model.variables().map((v) => v.name), headName);
    this.freeze(cfg.frozenStages);
  }

  /** Freezes the first `n` stages; the rest (and the head) train. */
  freeze(n: number): void {
    this.trainable = this.model
      .variables()
      .filter(({ name, spec }) => !spec.buffer && !spec.frozen && !isFrozen(name, this.stages, n))
      .map(({ name, variable }) => ({ name, variable }));
  }

  get trainableCount(): number {
    return this.trainable.reduce((n, v) => n + v.variable.size, 0);
  }

  /** One optimizer step on an input batch; BatchNorm runs in train mode. */
  async step(x: tf.Tensor4D, labels: Uint8Array, lr: number): Promise<StepResult> {
    const y = tf.tensor1d(Int32Array.from(labels), 'int32');
    let correct: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const logits = this.model.forward(x, TRAIN_CTX);
      correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), y), 'int32'))) as tf.Scalar;
      return crossEntropy(logits, y, this.classes, this.cfg.labelSmoothing);
    }, this.trainable.map((v) => v.variable));
    try {
      // Read the loss before the update: a NaN must not reach the weights.
      const [loss] = await value.data();
      if (!Number.isFinite(loss)) throw new DivergedError(`The loss became ${loss}: training diverged (try a lower learning rate).`);
      this.optimizer.apply(this.trainable, grads, lr);
      return { loss: loss!, correct: (await correct!.data())[0]! };
    } finally {
      value.dispose();
      correct?.dispose();
      y.dispose();
      tf.dispose(grads);
    }
  }

  /** Full batches per epoch over `n` images (a last partial batch is dropped), at least 1. */
  stepsPerEpoch(n: number): number {
    return Math.floor(n / this.cfg.batchSize) || 1;
  }

  /** One epoch over `order`; `each` sees every step and may pause or throw to stop. */
  async epoch(
    data: ImageSet,
    order: Uint32Array,
    rand: () => number,
    each: (s: { step: number; steps: number; loss: number; acc: number; lr: number; images: number }) => Promise<void>,
  ): Promise<{ loss: number; acc: number }> {
    const b = this.cfg.batchSize;
    const steps = this.stepsPerEpoch(order.length);
    const total = steps * this.cfg.epochs;
    let lossSum = 0;
    let correct = 0;
    let seen = 0;
    for (let s = 0; s < steps; s++) {
      const idx = order.subarray(s * b, Math.min(order.length, (s + 1) * b));
      const { bytes, labels } = gather(data, idx);
      const lr = learningRate({ ...this.cfg.schedule, totalSteps: total }, this.optimizer.step);
      // Augment at the set's own side (crop offsets in its pixels), then resize to the model's input.
      const side = sideOf(data);
      const x = tf.tidy(() => resizeTo(augment(toInput(bytes, idx.length, this.pre, side, side), this.cfg.augment.cropPadding, this.cfg.augment.flip, rand), [this.cfg.inputSize, this.cfg.inputSize]));
      let r: StepResult;
      try {
        r = await this.step(x, labels, lr);
      } finally {
        x.dispose();
      }
      lossSum += r.loss * idx.length;
      correct += r.correct;
      seen += idx.length;
      await each({ step: s, steps, loss: r.loss, acc: r.correct / idx.length, lr, images: idx.length });
    }
    return { loss: lossSum / seen, acc: correct / seen };
  }

  /** Accuracy, loss, per-class accuracy and the confusion matrix, in eval mode. */
  async evaluate(data: ImageSet, limit = 0, batch = 100): Promise<Evaluation> {
    return evaluateModel(this.model, this.pre, data, this.cfg.inputSize, this.classes, limit, batch);
  }
}

export async function evaluateModel(
  model: Classifier,
  pre: Pick<Preprocess, 'mean' | 'std' | 'channels'>,
  data: ImageSet,
  size: number,
  classes: number,
  limit = 0,
  batch = 100,
  signal?: AbortSignal,
): Promise<Evaluation> {
  const n = limit > 0 ? Math.min(limit, data.labels.length) : data.labels.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let lossSum = 0;
  for (let s = 0; s < n; s += batch) {
    signal?.throwIfAborted();
    const idx = Uint32Array.from({ length: Math.min(batch, n - s) }, (_, i) => s + i);
    const { bytes, labels } = gather(data, idx);
    const [pred, loss] = tf.tidy(() => {
      const logits = model.forward(toInput(bytes, idx.length, pre, size, sideOf(data)), EVAL_CTX);
      const y = tf.tensor1d(Int32Array.from(labels), 'int32');
      return [tf.argMax(logits, -1), tf.mul(crossEntropy(logits, y, classes, 0), idx.length)];
    });
    const [p, l] = await Promise.all([pred.data(), loss.data()]);
    tf.dispose([pred, loss]);
    lossSum += l[0]!;
    labels.forEach((t, i) => confusion[t]![p[i]!]!++);
  }
  const right = confusion.reduce((a, row, i) => a + row[i]!, 0);
  return {
    accuracy: right / n,
    loss: lossSum / n,
    count: n,
    perClass: confusion.map((row, i) => row[i]! / Math.max(1, row.reduce((a, b) => a + b, 0))),
    confusion,
  };
}

export function gather(data: ImageSet, idx: Uint32Array): { bytes: Uint8Array; labels: Uint8Array } {
  const per = sideOf(data) ** 2 * 3;
  const bytes = new Uint8Array(idx.length * per);
  const labels = new Uint8Array(idx.length);
  idx.forEach((j, i) => {
    bytes.set(data.pixels.subarray(j * per, (j + 1) * per), i * per);
    labels[i] = data.labels[j]!;
  });
  return { bytes, labels };
}

export type { EpochPoint };
