// Layers and ops the model zoo needs on top of nn.ts: a PyTorch-like Sequential (index
// names with gaps for parameter-free ops, as torchvision's state dicts have), pooling with
// PyTorch's padding and ceil_mode rules, adaptive average pooling, LayerNorm over the last
// axis (NHWC, so it is also torchvision's LayerNorm2d over channels), LRN, hard-swish,
// squeeze-excitation and torchvision's Conv2dNormActivation. All NHWC.
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Linear, Module, type Ctx, type FusedAct, type Padding } from './nn';

/** A parameter-free step inside a Sequential (ReLU, pooling, dropout, flatten...). */
export type Op = (x: tf.Tensor, ctx: Ctx) => tf.Tensor;

/**
 * What a parameterised op is, attached to the op function itself, so that code reading a
 * model (the Tour's facts, models/tour-facts.ts) can find pooling windows, LRN and dropout
 * without a separate description that could drift from the forward.
 */
export type OpSpec =
  | { kind: 'maxpool'; k: number; s: number; p: number; ceil: boolean }
  | { kind: 'lrn'; size: number; alpha: number; beta: number; k: number }
  | { kind: 'dropout'; p: number }
  | { kind: 'relu' };

export function opSpec(op: unknown): OpSpec | undefined {
  return typeof op === 'function' ? (op as { spec?: OpSpec }).spec : undefined;
}

function withSpec(op: Op, spec: OpSpec): Op {
  return Object.assign(op, { spec });
}

/** Layers outside nn.ts that multiply-add report to nn.ts's trace hook (models/profile.ts). */
export { trace as tracing } from './nn';

/**
 * torchvision's nn.Sequential: item i is named String(i); ops take an index but hold no
 * parameters, so names keep PyTorch's gaps (features.0, features.3, ...).
 */
export class Sequential extends Module {
  private readonly items: (Module | Op)[] = [];
  /** Items folded into the conv before them by fuseForInference (a BatchNorm, an activation). */
  private readonly folded = new Set<number>();
  constructor(items: (Module | Op)[]) {
    super();
    items.forEach((it, i) => {
      this.items.push(it instanceof Module ? this.add(String(i), it) : it);
    });
  }

  get length(): number {
    return this.items.length;
  }

  /** The items in order (modules and parameter-free ops), for code that reads the architecture. */
  get entries(): readonly (Module | Op)[] {
    return this.items;
  }

  /** The module at index i (throws for an op). */
  at<M extends Module = Module>(i: number): M {
    const it = this.items[i];
    if (!(it instanceof Module)) throw new Error(`Item ${i} holds no module.`);
    return it as M;
  }

  /**
   * Replaces item i by a module (e.g. a new classifier head), disposing the old one's
   * variables; the new module must be materialised by the caller.
   */
  set(i: number, m: Module): void {
    if (i < 0 || i >= this.items.length) throw new Error(`Index ${i} is out of range.`);
    const old = this.items[i];
    if (old instanceof Module && old !== m) old.dispose();
    this.items[i] = this.add(String(i), m);
  }

  /**
   * A Sequential runs its items in order, so an adjacent conv, BatchNorm and ReLU/ReLU6 are a
   * foldable run without any declaration (torchvision's Conv2dNormActivation, downsample).
   */
  override fuseForInference(): void {
    super.fuseForInference();
    const actOf = (it: Module | Op | undefined): FusedAct => (it === relu ? 'relu' : it === relu6 ? 'relu6' : 'linear');
    for (let i = 0; i + 1 < this.items.length; i++) {
      const [conv, bn, next] = [this.items[i], this.items[i + 1], this.items[i + 2]];
      if (!(conv instanceof Conv2d)) continue;
      if (bn instanceof BatchNorm2d) {
        const act = actOf(next);
        conv.foldBatchNorm(bn, act);
        this.folded.add(i + 1);
        if (act !== 'linear') this.folded.add(i + 2);
      } else if (actOf(bn) !== 'linear' && !conv.isFolded) {
        // A conv whose BatchNorm was folded before import (TFLite): its ReLU/ReLU6 runs in the kernel.
        conv.fuseActivation(actOf(bn));
        this.folded.add(i + 1);
      }
    }
  }

  protected override resetInference(): void {
    this.folded.clear();
  }

  /** Runs items [start, end). */
  run(x: tf.Tensor, ctx: Ctx, start = 0, end = this.items.length): tf.Tensor {
    for (let i = start; i < end; i++) {
      if (this.folded.has(i)) continue;
      const it = this.items[i]!;
      x = it instanceof Module ? it.forward(x, ctx) : it(x, ctx);
    }
    return x;
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.run(x, ctx);
  }
}

// ---- activations ----

export const relu: Op = withSpec((x) => tf.relu(x), { kind: 'relu' });
export const relu6: Op = (x) => tf.relu6(x);
/** PyTorch's Hardswish: x * relu6(x + 3) / 6. */
export const hardswish: Op = (x) => tf.tidy(() => tf.mul(x, tf.div(tf.relu6(tf.add(x, 3)), 6)));
/** PyTorch's Hardsigmoid: relu6(x + 3) / 6. */
export const hardsigmoid: Op = (x) => tf.tidy(() => tf.div(tf.relu6(tf.add(x, 3)), 6));
/** 1.7159 tanh(2a/3), LeCun et al. 1998, appendix A. */
export const lecunTanh: Op = (x) => tf.tidy(() => tf.mul(tf.tanh(tf.mul(x, 2 / 3)), 1.7159));

/** Inverted dropout while training, identity in eval (as nn.Dropout). */
export function dropout(p: number): Op {
  return withSpec((x, ctx) => (ctx.training && p > 0 ? tf.dropout(x, p) : x), { kind: 'dropout', p });
}

// ---- pooling ----

/** Output size of a PyTorch pooling window (MaxPool2d/AvgPool2d rules, ceil_mode included). */
export function poolOut(n: number, k: number, s: number, p: number, ceil: boolean): number {
  if (!ceil) return Math.floor((n + 2 * p - k) / s) + 1;
  let o = Math.ceil((n + 2 * p - k) / s) + 1;
  // The last window must start inside the input or the left padding.
  if ((o - 1) * s >= n + p) o--;
  return o;
}

/** nn.MaxPool2d(k, stride, padding, ceil_mode): padding never wins the max. */
export function maxPool2d(x: tf.Tensor, k: number, s = k, p = 0, ceil = false): tf.Tensor {
  const [, h, w] = x.shape as number[];
  const oh = poolOut(h!, k, s, p, ceil);
  const ow = poolOut(w!, k, s, p, ceil);
  const extraH = Math.max(0, (oh - 1) * s + k - (h! + 2 * p));
  const extraW = Math.max(0, (ow - 1) * s + k - (w! + 2 * p));
  return tf.tidy(() => {
    const xp =
      p || extraH || extraW
        ? tf.pad(x as tf.Tensor4D, [[0, 0], [p, p + extraH], [p, p + extraW], [0, 0]], -Infinity)
        : (x as tf.Tensor4D);
    return tf.maxPool(xp, k, s, 'valid');
  });
}

export function maxPoolOp(k: number, s = k, p = 0, ceil = false): Op {
  return withSpec((x) => maxPool2d(x, k, s, p, ceil), { kind: 'maxpool', k, s, p, ceil });
}

/** Mean over H and W: [N, H, W, C] -> [N, C]. */
export const globalAvgPool: Op = (x) => tf.mean(x, [1, 2]);

function adaptiveAxis(x: tf.Tensor, axis: 1 | 2, out: number): tf.Tensor {
  const n = x.shape[axis]!;
  if (n === out) return x;
  if (n % out === 0) {
    const k = n / out;
    return axis === 1
      ? tf.avgPool(x as tf.Tensor4D, [k, 1], [k, 1], 'valid')
      : tf.avgPool(x as tf.Tensor4D, [1, k], [1, k], 'valid');
  }
  const parts: tf.Tensor[] = [];
  for (let i = 0; i < out; i++) {
    const s = Math.floor((i * n) / out);
    const e = Math.ceil(((i + 1) * n) / out);
    const begin = [0, 0, 0, 0];
    const size = [-1, -1, -1, -1];
    begin[axis] = s;
    size[axis] = e - s;
    parts.push(tf.mean(tf.slice(x, begin, size), axis, true));
  }
  return tf.concat(parts, axis);
}

/** nn.AdaptiveAvgPool2d((oh, ow)); the bins are PyTorch's floor/ceil bins (separable). */
export function adaptiveAvgPool2d(x: tf.Tensor, oh: number, ow: number): tf.Tensor {
  return tf.tidy(() => adaptiveAxis(adaptiveAxis(x, 1, oh), 2, ow));
}

/** Flattens NHWC in PyTorch's NCHW order, so a following Linear takes torch weights as is. */
export const flattenNCHW: Op = (x) =>
  tf.tidy(() => {
    const n = x.shape[0]!;
    return tf.reshape(x.rank === 4 ? tf.transpose(x, [0, 3, 1, 2]) : x, [n, -1]);
  });

/**
 * nn.LocalResponseNorm(size, alpha, beta, k): b = a / (k + alpha/size * sum a^2)^beta over
 * `size` neighbouring channels (odd size: centred).
 */
export function lrn(size: number, alpha = 1e-4, beta = 0.75, k = 1): Op {
  return withSpec((x) => tf.localResponseNormalization(x as tf.Tensor4D, (size - 1) / 2, k, alpha / size, beta), { kind: 'lrn', size, alpha, beta, k });
}

// ---- layers with parameters ----

/** nn.LayerNorm(c) over the last axis; on NHWC it is also torchvision's LayerNorm2d. */
export class LayerNorm extends Module {
  constructor(readonly c: number, readonly eps = 1e-5) {
    super();
    const vec = { shape: [c], torchShape: [c], layout: 'plain' as const };
    this.param('weight', { ...vec, init: 'ones' });
    this.param('bias', { ...vec, init: 'zeros' });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(y, this.p('weight')), this.p('bias'));
    });
  }
}

/** nn.Linear applied to the last axis of any rank (torch semantics); Linear in nn.ts is 2-D. */
export function linearLastAxis(l: Linear, x: tf.Tensor): tf.Tensor {
  if (x.rank === 2) return l.forward(x);
  const shape = x.shape.slice(0, -1);
  return tf.reshape(l.forward(tf.reshape(x, [-1, x.shape[x.rank - 1]!])), [...shape, l.fout]);
}

export type Act = 'relu' | 'relu6' | 'hardswish' | 'none';

export function activation(a: Act): Op | null {
  return a === 'relu' ? relu : a === 'relu6' ? relu6 : a === 'hardswish' ? hardswish : null;
}

/**
 * How a family pads its convs: 'torch' is PyTorch's symmetric (k - 1) / 2; 'tf-same' is
 * TensorFlow's SAME (output ceil(n / stride); for a stride-2 conv on an even input the extra
 * row and column go at the bottom and right only), which TF-slim weights were trained with.
 */
export type ConvPadding = 'torch' | 'tf-same';

export function convPadding(k: number, padding: ConvPadding = 'torch'): Padding {
  return padding === 'tf-same' ? 'same' : (k - 1) / 2;
}

/**
 * torchvision.ops.Conv2dNormActivation: conv (no bias) as "0", BatchNorm as "1", activation
 * as "2"; padding (k - 1) / 2 unless `padding` says 'tf-same'. With `foldedBn` (weights whose
 * BatchNorm is already folded into the conv, as TensorFlow Lite files are): conv with a bias
 * as "0", activation as "1".
 */
export function convBnAct(
  cin: number,
  cout: number,
  k: number,
  opts: { stride?: number; groups?: number; act?: Act; eps?: number; momentum?: number; padding?: ConvPadding; foldedBn?: boolean } = {},
): Sequential {
  const conv = new Conv2d(cin, cout, k, { stride: opts.stride ?? 1, padding: convPadding(k, opts.padding), bias: !!opts.foldedBn, groups: opts.groups ?? 1 });
  const act = activation(opts.act ?? 'relu');
  if (opts.foldedBn) return new Sequential(act ? [conv, act] : [conv]);
  const bn = new BatchNorm2d(cout, { eps: opts.eps ?? 1e-5, momentum: opts.momentum ?? 0.1 });
  return new Sequential(act ? [conv, bn, act] : [conv, bn]);
}

/** torchvision.ops.SqueezeExcitation with hardsigmoid gating (as MobileNetV3): fc1, fc2 are 1x1 convs. */
export class SqueezeExcitation extends Module {
  fc1: Conv2d;
  fc2: Conv2d;
  constructor(c: number, squeeze: number) {
    super();
    this.fc1 = this.add('fc1', new Conv2d(c, squeeze, 1));
    this.fc2 = this.add('fc2', new Conv2d(squeeze, c, 1));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const s = tf.mean(x, [1, 2], true);
      const g = hardsigmoid(this.fc2.forward(tf.relu(this.fc1.forward(s))), { training: false });
      return tf.mul(x, g);
    });
  }
}

/** torchvision's _make_divisible: rounds channels to a multiple of `divisor`, at most 10% down. */
export function makeDivisible(v: number, divisor = 8, minValue = divisor): number {
  let n = Math.max(minValue, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

/** Implemented by every zoo model: logits, the features the head sees, and head swapping. */
export interface ZooModel extends Module {
  features(x: tf.Tensor, ctx: Ctx): tf.Tensor;
  /** Name prefix of the replaceable head (a Linear) in the state dict, e.g. "fc" or "classifier.6". */
  readonly headName: string;
  /**
   * Swaps the final Linear for one with `numClasses` outputs (disposing the old head's
   * variables) and returns it, not materialised: call `head.materialize()` before a forward.
   */
  replaceHead(numClasses: number): Linear;
}

/**
 * A backbone whose head is one Linear attribute (torchvision's ResNet `fc`, GoogLeNet `fc`,
 * the CIFAR ResNet's `linear`): logits are head(features(x)), and replaceHead swaps it.
 * Subclasses call setHead last in their constructor, so parameters keep PyTorch's order.
 */
export abstract class LinearHeadModel extends Module implements ZooModel {
  private head: Linear | null = null;
  private width = 0;
  constructor(readonly headName: string) {
    super();
  }

  abstract features(x: tf.Tensor, ctx: Ctx): tf.Tensor;

  protected setHead(width: number, numClasses: number): Linear {
    this.head?.dispose();
    this.width = width;
    this.head = this.add(this.headName, new Linear(width, numClasses));
    return this.head;
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.head!.forward(this.features(x, ctx));
  }

  replaceHead(numClasses: number): Linear {
    return this.setHead(this.width, numClasses);
  }
}
