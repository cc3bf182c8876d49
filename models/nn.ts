// A small PyTorch-like module system over tfjs-core ops.
//
// Why not tf.layers: parameters here carry PyTorch state-dict names and layouts, so a
// torchvision/timm safetensors file maps onto a model by name with one transpose per
// tensor; BatchNorm train/eval is explicit per call; and a forward is plain ops with no
// Keras per-call overhead. Parameters are declared as specs first and materialised
// later, so parameter counts need no memory and imports are validated before upload.
import * as tf from '@tensorflow/tfjs-core';

/** How a parameter is stored by PyTorch, which fixes the transpose on import. */
export type TorchLayout = 'conv' | 'depthwise' | 'linear' | 'plain';

export interface ParamSpec {
  /** Shape in TF.js layout (HWIO for conv, [in, out] for linear). */
  shape: number[];
  /** Shape in the PyTorch state dict. */
  torchShape: number[];
  layout: TorchLayout;
  init: 'zeros' | 'ones' | 'he' | 'normal';
  /** Buffers (BatchNorm running stats) are imported but are not parameters. */
  buffer: boolean;
  /** A parameter that is never trained (requires_grad=False in PyTorch); still counted. */
  frozen: boolean;
}

export interface Ctx {
  training: boolean;
  /** One view only: no test-time augmentation (profiling counts the cost of one view). */
  singleView?: boolean;
  /** Inference (running statistics) through ops that all have TF.js gradients: the Tour's gradient methods differentiate it. */
  differentiable?: boolean;
}

export const EVAL: Ctx = { training: false };

/** Activations a conv kernel can apply itself (TF.js fused conv; XNNPACK's output clamp on wasm). */
export type FusedAct = 'linear' | 'relu' | 'relu6';

function applyAct(x: tf.Tensor, act: FusedAct): tf.Tensor {
  return act === 'relu' ? tf.relu(x) : act === 'relu6' ? tf.relu6(x) : x;
}

/**
 * Set by models/profile.ts while it traces one forward pass: layers that multiply-add report
 * their output shape and MACs to `hook`. With `shapeOnly`, Conv2d and Linear return zeros of
 * the right shape and unloaded parameters read as ones, so big models profile without weights.
 */
export const trace: {
  hook: ((m: Module, outShape: number[], macs: number) => void) | null;
  shapeOnly: boolean;
} = { hook: null, shapeOnly: false };

export abstract class Module {
  private readonly kids = new Map<string, Module>();
  private readonly specs = new Map<string, ParamSpec>();
  private readonly values = new Map<string, tf.Variable>();
  private readonly foldPairs: ConvBn[] = [];

  protected add<M extends Module>(name: string, m: M): M {
    this.kids.set(name, m);
    return m;
  }

  /** Adds a child from outside the architecture (a taught MLP's hidden layer), before materialize(). */
  attach<M extends Module>(name: string, m: M): M {
    return this.add(name, m);
  }

  protected param(name: string, spec: Omit<ParamSpec, 'buffer' | 'frozen'> & { buffer?: boolean; frozen?: boolean }): void {
    this.specs.set(name, { buffer: false, frozen: false, ...spec });
  }

  protected p(name: string): tf.Tensor {
    const v = this.values.get(name);
    if (v) return v;
    const spec = this.specs.get(name);
    if (trace.shapeOnly && spec) return tf.ones(spec.shape);
    throw new Error(`Parameter ${name} is not loaded: call materialize() first.`);
  }

  /** Overwrites a buffer; tidy frees the temporaries while the variable keeps its data. */
  protected assignBuffer(name: string, value: () => tf.Tensor): void {
    tf.tidy(() => this.values.get(name)!.assign(value()));
  }

  abstract forward(x: tf.Tensor, ctx: Ctx): tf.Tensor;

  /**
   * Declares that `conv` is followed by `bn` (and `act`) in this module's forward, which runs
   * them through the returned pair so that fuseForInference() can fold them into one kernel.
   * Pairing is explicit because a module's forward order is not its children's order.
   */
  protected foldable(conv: Conv2d, bn: BatchNorm2d, act: FusedAct = 'linear'): ConvBn {
    const pair = new ConvBn(conv, bn, act);
    this.foldPairs.push(pair);
    return pair;
  }

  /**
   * Folds every declared conv -> BatchNorm (-> ReLU/ReLU6) pair into one fused conv for
   * inference, and frees the unfolded tensors. The model is then inference-only: a training
   * forward or an export throws, and materialize() undoes it. On MobileNetV2 this removes 52
   * BatchNorm and 35 ReLU6 kernels per frame (BENCHMARKS.md).
   */
  fuseForInference(): void {
    for (const pair of this.foldPairs) pair.fold();
    for (const [, k] of this.kids) k.fuseForInference();
  }

  /** Drops this module's inference-only state (folded tensors, caches); materialize() and dispose() call it. */
  protected resetInference(): void {}

  *namedSpecs(prefix = ''): Generator<[string, ParamSpec]> {
    for (const [n, s] of this.specs) yield [prefix + n, s];
    for (const [n, k] of this.kids) yield* k.namedSpecs(`${prefix}${n}.`);
  }

  *namedModules(prefix = ''): Generator<[string, Module]> {
    for (const [n, k] of this.kids) {
      yield [prefix + n, k];
      yield* k.namedModules(`${prefix}${n}.`);
    }
  }

  /** Trainable parameter count, as PyTorch's sum(p.numel() for p in parameters()). */
  paramCount(): number {
    let n = 0;
    for (const [, s] of this.namedSpecs()) if (!s.buffer) n += s.torchShape.reduce((a, b) => a * b, 1);
    return n;
  }

  /**
   * Creates variables from `weights` (TF.js layout, by PyTorch name) or from each
   * spec's init. Every name must be known and every shape must match.
   */
  materialize(weights?: Map<string, tf.Tensor>, seed = 0): void {
    this.resetInferenceAll();
    let k = seed;
    for (const [name, s, owner, local] of this.walk()) {
      let t = weights?.get(name);
      if (weights && !t) throw new Error(`Weights lack ${name}.`);
      if (t && !sameShape(t.shape, s.shape)) throw new Error(`${name}: expected [${s.shape}], got [${t.shape}].`);
      // tf.variable copies its initial value: a fresh init tensor is freed at once.
      const init = t ? null : initTensor(s, k++);
      owner.values.get(local)?.dispose();
      owner.values.set(local, tf.variable(t ?? init!, !s.buffer && !s.frozen, undefined, 'float32'));
      init?.dispose();
    }
  }

  variables(): { name: string; variable: tf.Variable; spec: ParamSpec }[] {
    return [...this.walk()].map(([name, spec, owner, local]) => {
      const variable = owner.values.get(local);
      if (!variable) throw new Error(`${name} is not loaded, or the model was fused for inference (its weights cannot be trained or exported).`);
      return { name, variable, spec };
    });
  }

  /** Frees one parameter's tensor (folded into another module's by fuseForInference). */
  protected release(name: string): void {
    this.values.get(name)?.dispose();
    this.values.delete(name);
  }

  protected hasValue(name: string): boolean {
    return this.values.has(name);
  }

  private resetInferenceAll(): void {
    this.resetInference();
    for (const [, k] of this.namedModules()) k.resetInference();
  }

  dispose(): void {
    this.resetInferenceAll();
    for (const [, , owner, local] of this.walk()) {
      owner.values.get(local)?.dispose();
      owner.values.delete(local);
    }
  }

  private *walk(prefix = ''): Generator<[string, ParamSpec, Module, string]> {
    for (const [n, s] of this.specs) yield [prefix + n, s, this, n];
    for (const [n, k] of this.kids) yield* k.walk(`${prefix}${n}.`);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function initTensor(s: ParamSpec, seed: number): tf.Tensor {
  switch (s.init) {
    case 'zeros':
      return tf.zeros(s.shape);
    case 'ones':
      return tf.ones(s.shape);
    case 'normal':
      return tf.randomNormal(s.shape, 0, 0.01, 'float32', seed);
    case 'he': {
      // Kaiming-uniform fan-in, as PyTorch's default for conv and linear.
      const fanIn = s.torchShape.slice(1).reduce((a, b) => a * b, 1);
      const bound = 1 / Math.sqrt(fanIn);
      return tf.randomUniform(s.shape, -bound, bound, 'float32', seed);
    }
  }
}

/** Converts a PyTorch-layout array to the TF.js layout of `spec`. */
export function fromTorch(spec: ParamSpec, data: Float32Array, torchShape: number[]): tf.Tensor {
  if (!sameShape(torchShape, spec.torchShape)) {
    throw new Error(`expected PyTorch shape [${spec.torchShape}], got [${torchShape}]`);
  }
  return tf.tidy(() => {
    const t = tf.tensor(data, torchShape, 'float32');
    switch (spec.layout) {
      case 'conv':
        return tf.transpose(t, [2, 3, 1, 0]); // OIHW -> HWIO
      case 'depthwise':
        // [C*m, 1, H, W] -> [H, W, C, m]
        return tf.reshape(tf.transpose(t, [2, 3, 0, 1]), spec.shape);
      case 'linear':
        return tf.transpose(t, [1, 0]); // [out, in] -> [in, out]
      case 'plain':
        return tf.reshape(t, spec.shape);
    }
  });
}

/** The inverse of fromTorch: a TF.js-layout tensor back to the PyTorch layout of `spec`. */
export function toTorch(spec: ParamSpec, t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    switch (spec.layout) {
      case 'conv':
        return tf.transpose(t, [3, 2, 0, 1]); // HWIO -> OIHW
      case 'depthwise': {
        // [H, W, C, m] -> [C*m, 1, H, W]
        const [h, w] = spec.shape as [number, number];
        return tf.reshape(tf.transpose(tf.reshape(t, [h, w, spec.torchShape[0]!]), [2, 0, 1]), spec.torchShape);
      }
      case 'linear':
        return tf.transpose(t, [1, 0]);
      case 'plain':
        return tf.reshape(t, spec.torchShape);
    }
  });
}

export type Padding = 'same' | 'valid' | number;

interface Folded {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  act: FusedAct;
}

export class Conv2d extends Module {
  private folded?: Folded;

  constructor(
    readonly cin: number,
    readonly cout: number,
    readonly k: number,
    readonly opts: { stride?: number; padding?: Padding; bias?: boolean; groups?: number } = {},
  ) {
    super();
    const g = opts.groups ?? 1;
    if (g !== 1 && !(g === cin && cout % cin === 0)) throw new Error('Only groups=1 or depthwise (groups=cin) are supported.');
    if (g === 1) {
      this.param('weight', { shape: [k, k, cin, cout], torchShape: [cout, cin, k, k], layout: 'conv', init: 'he' });
    } else {
      this.param('weight', { shape: [k, k, cin, cout / cin], torchShape: [cout, 1, k, k], layout: 'depthwise', init: 'he' });
    }
    if (opts.bias ?? true) this.param('bias', { shape: [cout], torchShape: [cout], layout: 'plain', init: 'zeros' });
  }

  /** Output size along one spatial axis, as PyTorch computes it. */
  outSize(n: number): number {
    const { stride = 1, padding = 0 } = this.opts;
    if (padding === 'same') return Math.ceil(n / stride);
    const p = padding === 'valid' ? 0 : padding;
    return Math.floor((n + 2 * p - this.k) / stride) + 1;
  }

  /** The HWIO filter this conv runs: its weight, or the weight with a BatchNorm folded in (for pictures of filters). */
  get kernel(): tf.Tensor4D {
    return (this.folded?.filter ?? this.p('weight')) as tf.Tensor4D;
  }

  /** True once an eval-mode BatchNorm (and maybe an activation) is folded in: see foldBatchNorm. */
  get isFolded(): boolean {
    return this.folded !== undefined;
  }

  /**
   * bn(conv(x)) in eval mode is a conv with filter w * s and bias (b - mean) * s + beta, where
   * s = gamma / sqrt(var + eps) per output channel; `act` then runs inside the same kernel.
   * The unfolded weights and the BatchNorm's tensors are freed.
   */
  foldBatchNorm(bn: BatchNorm2d, act: FusedAct): void {
    if (this.folded) return;
    const { filter, bias } = tf.tidy(() => {
      const { scale, shift } = bn.affine();
      const w = this.p('weight');
      // Depthwise filters are [k, k, C, m]: output channel c*m + j scales filter [.., c, j].
      const s = w.shape[3] === this.cout ? scale : tf.reshape(scale, [this.cin, this.cout / this.cin]);
      const b = this.hasValue('bias') ? tf.add(tf.mul(this.p('bias'), scale), shift) : shift;
      return { filter: tf.keep(tf.mul(w, s)) as tf.Tensor4D, bias: tf.keep(b) as tf.Tensor1D };
    });
    this.release('weight');
    this.release('bias');
    bn.markFolded();
    this.folded = { filter, bias, act };
  }

  /** The activation after this conv runs inside its kernel, for inference (no BatchNorm to fold). */
  fuseActivation(act: FusedAct): void {
    this.fusedAct = act;
  }

  private fusedAct: FusedAct = 'linear';

  protected override resetInference(): void {
    this.folded?.filter.dispose();
    this.folded?.bias.dispose();
    this.folded = undefined;
    this.fusedAct = 'linear';
  }

  forward(x: tf.Tensor, ctx: Ctx = EVAL): tf.Tensor {
    if ((this.folded || this.fusedAct !== 'linear') && ctx.training) throw new Error('This model was fused for inference and cannot be trained; reload it.');
    if (trace.hook) {
      const [n, h, w] = x.shape as number[];
      const shape = [n!, this.outSize(h!), this.outSize(w!), this.cout];
      const perInput = (this.opts.groups ?? 1) === 1 ? this.cin : 1;
      const y = trace.shapeOnly ? tf.zeros(shape) : this.conv(x, ctx);
      if (!sameShape(y.shape, shape)) throw new Error(`Conv2d: expected output [${shape}], computed [${y.shape}].`);
      trace.hook(this, shape, shape[1]! * shape[2]! * this.cout * perInput * this.k * this.k);
      return y;
    }
    return this.conv(x, ctx);
  }

  private conv(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    const { stride = 1, padding = 0, bias = true, groups = 1 } = this.opts;
    // At stride 1, PyTorch's symmetric padding (k-1)/2 is TF's 'same'; any other number is
    // TF's explicit symmetric padding. Either way the conv kernel pads: no separate pad op.
    const same = typeof padding === 'number' && stride === 1 && 2 * padding === this.k - 1;
    const pad = same ? 'same' : padding;
    // The bias (and a folded BatchNorm and activation) run inside the conv kernel.
    const w = (this.folded?.filter ?? this.p('weight')) as tf.Tensor4D;
    const b = this.folded?.bias ?? (bias ? (this.p('bias') as tf.Tensor1D) : undefined);
    const activation = this.folded?.act ?? this.fusedAct;
    const xin = x as tf.Tensor4D;
    // TF.js's fused conv computes its filter gradient along with the input's, and wasm has no
    // kernel for it; the plain ops' input gradient needs only Conv2DBackpropInput.
    if (ctx.differentiable && activation === 'linear') {
      const y = groups === 1 ? tf.conv2d(xin, w, stride, pad) : tf.depthwiseConv2d(xin, w, stride, pad);
      return b ? tf.add(y, b) : y;
    }
    return groups === 1
      ? tf.fused.conv2d({ x: xin, filter: w, strides: stride, pad, bias: b, activation })
      : tf.fused.depthwiseConv2d({ x: xin, filter: w, strides: stride, pad, bias: b, activation });
  }
}

/** A conv -> BatchNorm (-> activation) run declared by Module.foldable(). */
export class ConvBn {
  constructor(readonly conv: Conv2d, readonly bn: BatchNorm2d, readonly act: FusedAct) {}

  fold(): void {
    this.conv.foldBatchNorm(this.bn, this.act);
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    if (this.conv.isFolded) return this.conv.forward(x, ctx);
    return applyAct(this.bn.forward(this.conv.forward(x, ctx), ctx), this.act);
  }
}

export class Linear extends Module {
  constructor(readonly fin: number, readonly fout: number, readonly bias = true) {
    super();
    this.param('weight', { shape: [fin, fout], torchShape: [fout, fin], layout: 'linear', init: 'he' });
    if (bias) this.param('bias', { shape: [fout], torchShape: [fout], layout: 'plain', init: 'zeros' });
  }

  forward(x: tf.Tensor): tf.Tensor {
    if (trace.hook) {
      const shape = [...x.shape.slice(0, -1), this.fout];
      const y = trace.shapeOnly ? tf.zeros(shape) : this.matmul(x);
      // Profiles run at batch 1, and every row is the image's (ConvNeXt applies Linear per pixel).
      trace.hook(this, shape, (x.size / this.fin) * this.fin * this.fout);
      return y;
    }
    return this.matmul(x);
  }

  private matmul(x: tf.Tensor): tf.Tensor {
    const y = tf.matMul(x as tf.Tensor2D, this.p('weight') as tf.Tensor2D);
    return this.bias ? tf.add(y, this.p('bias')) : y;
  }
}

/** BatchNorm2d over NHWC; `affineWeight: false` freezes the scale (it stays 1 and is not trained). */
export class BatchNorm2d extends Module {
  constructor(readonly c: number, readonly opts: { eps?: number; momentum?: number; affineWeight?: boolean } = {}) {
    super();
    const vec = { shape: [c], torchShape: [c], layout: 'plain' as const };
    this.param('weight', { ...vec, init: 'ones', frozen: opts.affineWeight === false });
    this.param('bias', { ...vec, init: 'zeros' });
    this.param('running_mean', { ...vec, init: 'zeros', buffer: true });
    this.param('running_var', { ...vec, init: 'ones', buffer: true });
  }

  private folded = false;

  /** Eval-mode BatchNorm as y = x * scale + shift, per channel. */
  affine(): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
    return tf.tidy(() => {
      const scale = tf.div(this.p('weight'), tf.sqrt(tf.add(this.p('running_var'), this.opts.eps ?? 1e-5))) as tf.Tensor1D;
      const shift = tf.sub(this.p('bias'), tf.mul(this.p('running_mean'), scale)) as tf.Tensor1D;
      return { scale, shift };
    });
  }

  /** Called by the conv this BatchNorm was folded into: it becomes the identity and frees its tensors. */
  markFolded(): void {
    for (const n of ['weight', 'bias', 'running_mean', 'running_var']) this.release(n);
    this.folded = true;
  }

  protected override resetInference(): void {
    this.folded = false;
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    if (this.folded) {
      if (ctx.training) throw new Error('This model was fused for inference and cannot be trained; reload it.');
      return x;
    }
    const eps = this.opts.eps ?? 1e-5;
    if (!ctx.training) {
      return tf.batchNorm(x, this.p('running_mean'), this.p('running_var'), this.p('bias'), this.p('weight'), eps);
    }
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    // Running stats update like PyTorch (unbiased variance, momentum = new-value weight).
    const m = this.opts.momentum ?? 0.1;
    const n = x.size / this.c;
    this.assignBuffer('running_mean', () => tf.add(tf.mul(this.p('running_mean'), 1 - m), tf.mul(mean, m)));
    this.assignBuffer('running_var', () =>
      tf.add(tf.mul(this.p('running_var'), 1 - m), tf.mul(variance, (m * n) / Math.max(n - 1, 1))),
    );
    return tf.batchNorm(x, mean, variance, this.p('bias'), this.p('weight'), eps);
  }
}

/** Exact GELU, x * Phi(x), as PyTorch's default (approximate='none'). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}

/** GELU with the tanh approximation (PyTorch approximate='tanh', timm's gelu_tanh). */
export function geluTanh(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
    return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
  });
}
