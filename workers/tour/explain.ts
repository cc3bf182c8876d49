// What a unit responds to, three ways (the seed's section 4):
//  - deconvnet (Zeiler & Fergus 2013) for the plain stacks: one channel's strongest activation
//    projected back to pixels by max-unpooling with the switches recorded on the way up, ReLU,
//    and transposed convolution with the layer's own filters;
//  - guided backpropagation (Springenberg et al. 2015): the input gradient of the top-1 logit,
//    with every ReLU passing back only positive gradient where its input was positive;
//  - Grad-CAM (Selvaraju et al. 2017): the last 4-D stage's channels weighted by the mean
//    gradient of the top-1 logit, ReLU, as a map over the frame.
// Written here because TF.js has none of them. tests/unit/tour-explain.test.ts checks all
// three against PyTorch implementations (tools/tour_fixtures.py).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { BatchNorm2d, Conv2d, EVAL, type Ctx, type Module } from '../../models/nn';

/** Eval mode through ops with gradients (models/nn.ts Ctx.differentiable). */
const GRAD: Ctx = { training: false, differentiable: true };
import { Sequential, lecunTanh, maxPool2d, opSpec, type Op } from '../../models/layers';
import type { Classifier } from '../../models/builders';

/** One step of a plain stack, as the deconvnet walks it back. */
type Step =
  | { kind: 'conv'; name: string; run: (x: tf.Tensor) => tf.Tensor; kernel: () => tf.Tensor4D; stride: number; pad: number }
  | { kind: 'rectify'; name: string; run: (x: tf.Tensor) => tf.Tensor }
  | { kind: 'maxpool'; name: string; k: number; s: number; p: number; ceil: boolean }
  | { kind: 'subsample'; name: string; run: (x: tf.Tensor) => tf.Tensor; coefficient: () => tf.Tensor }
  | { kind: 'pass'; name: string; run: (x: tf.Tensor) => tf.Tensor };

function convStep(name: string, c: Conv2d): Step {
  const p = c.opts.padding ?? 0;
  if (typeof p !== 'number') throw new Error(`${name}: the deconvnet needs numeric padding.`);
  return { kind: 'conv', name, run: (x) => c.forward(x, EVAL), kernel: () => c.kernel, stride: c.opts.stride ?? 1, pad: p };
}

function opStep(name: string, op: Op): Step {
  const s = opSpec(op);
  if (s?.kind === 'maxpool') return { kind: 'maxpool', name, k: s.k, s: s.s, p: s.p, ceil: s.ceil };
  if (s?.kind === 'relu') return { kind: 'rectify', name, run: (x) => op(x, EVAL) };
  // LRN, dropout (identity in eval): the deconvnet passes through them unchanged on the way down.
  return { kind: 'pass', name, run: (x) => op(x, EVAL) };
}

function child(model: Module, name: string): Module {
  for (const [n, m] of model.namedModules()) if (n === name) return m;
  throw new Error(`No module ${name}.`);
}

/**
 * The feature stack of a plain model as steps, or null for a model with branches or shortcuts:
 * torchvision's features Sequential (AlexNet, ZFNet, VGG), or LeNet-5's layers in its order.
 */
export async function plainSteps(model: Module): Promise<Step[] | null> {
  const { LeNet5, PartialConv2d, Subsample } = await import('../../models/families/lenet');
  if (model instanceof LeNet5) {
    if (model.cfg.variant === 'modern') {
      const pool: Step = { kind: 'maxpool', name: 'pool', k: 2, s: 2, p: 0, ceil: false };
      const relu: Step = { kind: 'rectify', name: 'relu', run: (x) => tf.relu(x) };
      return [convStep('conv1', child(model, 'conv1') as Conv2d), relu, { ...pool, name: 'pool1' }, convStep('conv2', child(model, 'conv2') as Conv2d), relu, { ...pool, name: 'pool2' }];
    }
    // The 1998 squashing function is rectified on the way down, as the deconvnet rectifies.
    const squash: Step = { kind: 'rectify', name: 'tanh', run: (x) => lecunTanh(x, EVAL) };
    const sub = (n: string): Step => {
      const m = child(model, n) as InstanceType<typeof Subsample>;
      return { kind: 'subsample', name: n, run: (x) => m.forward(x), coefficient: () => m.variables().find((v) => v.name === 'weight')!.variable };
    };
    const c3 = child(model, 'c3') as InstanceType<typeof PartialConv2d>;
    return [
      convStep('c1', child(model, 'c1') as Conv2d), squash, sub('s2'), squash,
      { kind: 'conv', name: 'c3', run: (x) => c3.forward(x), kernel: () => c3.denseKernel(), stride: 1, pad: 0 }, squash, sub('s4'), squash,
      convStep('c5', child(model, 'c5') as Conv2d),
    ];
  }
  const features = [...model.namedModules()].find(([n]) => n === 'features')?.[1];
  if (!(features instanceof Sequential)) return null;
  const steps: Step[] = [];
  for (const [i, it] of features.entries.entries()) {
    const name = `features.${i}`;
    if (it instanceof Conv2d) steps.push(convStep(name, it));
    else if (typeof it === 'function') steps.push(opStep(name, it));
    // BatchNorm (VGG): folded into the conv before it in the Tour's fused model; else as is.
    else if (it instanceof BatchNorm2d) steps.push({ kind: 'pass', name, run: (x) => it.forward(x, EVAL) });
    // Blocks (MobileNet, ConvNeXt): not a plain stack.
    else return null;
  }
  return steps;
}

/** Transpose of max-pooling: each value goes back to the input position that won its window (its switch); values of overlapping windows that share a switch add. */
function unpool(input: tf.Tensor, r: tf.Tensor, s: Extract<Step, { kind: 'maxpool' }>): tf.Tensor {
  return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(maxPool2d(x, s.k, s.s, s.p, s.ceil), r)))(input);
}

export interface Deconv {
  /** [1, h, w, c_in] reconstruction in the input's space. */
  image: tf.Tensor;
  /** Where in the layer's map the channel was strongest, and its value. */
  at: [number, number];
  value: number;
}

/**
 * Projects channel `channel` of layer `layer` (a step name) back to pixels for input x
 * ([1, h, w, c]): all other activations of the layer are zeroed, as in Zeiler & Fergus.
 */
export async function deconvnet(steps: Step[], layer: string, channel: number, x: tf.Tensor): Promise<Deconv> {
  const target = steps.findIndex((s) => s.name === layer);
  if (target < 0) throw new Error(`The deconvnet has no layer "${layer}".`);
  const inputs: tf.Tensor[] = [];
  let y = x;
  try {
    for (const s of steps.slice(0, target + 1)) {
      inputs.push(y);
      y = s.kind === 'maxpool' ? maxPool2d(y, s.k, s.s, s.p, s.ceil) : s.run(y);
    }
    const [, h, w, c] = y.shape as [number, number, number, number];
    if (channel < 0 || channel >= c) throw new Error(`${layer} has ${c} channels; there is no channel ${channel}.`);
    const plane = tf.tidy(() => tf.reshape(tf.slice(y, [0, 0, 0, channel], [1, h, w, 1]), [h * w]));
    const values = await plane.data();
    plane.dispose();
    let best = 0;
    for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
    const value = values[best]!;
    const image = tf.tidy(() => {
      const one = new Float32Array(h * w * c);
      one[best * c + channel] = value;
      let r: tf.Tensor = tf.tensor4d(one, [1, h, w, c]);
      for (let i = target; i >= 0; i--) {
        const s = steps[i]!;
        const input = inputs[i]!;
        if (s.kind === 'conv') r = tf.conv2dTranspose(r as tf.Tensor4D, s.kernel(), input.shape as [number, number, number, number], s.stride, s.pad);
        else if (s.kind === 'rectify') r = tf.relu(r);
        else if (s.kind === 'maxpool') r = unpool(input, r, s);
        else if (s.kind === 'subsample') {
          // y = coef * (sum of each 2x2 window) + bias: each value goes back to its window, times coef.
          const [, hh, ww, cc] = r.shape as [number, number, number, number];
          const up = tf.reshape(tf.tile(tf.reshape(r, [1, hh, 1, ww, 1, cc]), [1, 1, 2, 1, 2, 1]), [1, 2 * hh, 2 * ww, cc]);
          r = tf.mul(up, s.coefficient());
        }
      }
      return r;
    });
    return { image, at: [Math.floor(best / w), best % w], value };
  } finally {
    // Every intermediate but the caller's input and the returned image.
    tf.dispose([...inputs.slice(1), y].filter((t) => t !== x));
  }
}

/** Guided ReLU gradients taken since the worker started: 0 after a guided backprop means the model has no ReLU. */
export const guidedCalls = { count: 0 };

/** Runs `f` with ReLU and ReLU6 passing back only positive gradients where their input was positive. */
export function withGuidedRelu<R>(f: () => R): R {
  const saved = ['Relu', 'Relu6'].map((k) => tf.getGradient(k));
  const guided = (kernelName: string, hi: number) => ({
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy: tf.Tensor | tf.Tensor[], kept: tf.Tensor[]) => {
      const [x] = kept as [tf.Tensor];
      const g = dy as tf.Tensor;
      guidedCalls.count++;
      const open = hi === Infinity ? tf.step(x) : tf.mul(tf.step(x), tf.cast(tf.less(x, hi), 'float32'));
      return { x: () => tf.mul(tf.mul(g, open), tf.step(g)) };
    },
  });
  try {
    for (const [k, hi] of [['Relu', Infinity], ['Relu6', 6]] as const) {
      tf.unregisterGradient(k);
      tf.registerGradient(guided(k, hi));
    }
    return f();
  } finally {
    for (const [i, k] of ['Relu', 'Relu6'].entries()) {
      tf.unregisterGradient(k);
      if (saved[i]) tf.registerGradient(saved[i]!);
    }
  }
}

/** The top-1 class index of logits [1, n]. */
export async function top1(model: Classifier, x: tf.Tensor): Promise<number> {
  const i = tf.tidy(() => tf.argMax(tf.reshape(model.forward(x, EVAL), [-1])));
  const v = (await i.data())[0]!;
  i.dispose();
  return v;
}

/** Guided backpropagation: d logit[cls] / d input with guided ReLUs, [1, h, w, c]. The model must not be fused (fused ReLUs have their own gradient). */
export function guidedBackprop(model: Classifier, x: tf.Tensor, cls: number): tf.Tensor {
  return withGuidedRelu(() => tf.grad((z: tf.Tensor) => tf.sum(tf.slice(tf.reshape(model.forward(z, GRAD), [-1]), [cls], [1])))(x));
}

/** The last top-level module with a 4-D output in the forward: Grad-CAM's layer. */
export function gradCamLayer(model: Classifier, x: tf.Tensor): string {
  const tops = [...model.namedModules()].filter(([n]) => !n.includes('.'));
  let last = '';
  const patched = tops.map(([n, m]) => {
    const mod = m as Module & { forward: Module['forward'] };
    const original = mod.forward;
    mod.forward = function (this: Module, ...args: Parameters<Module['forward']>) {
      const y = original.apply(this, args);
      if (y.rank === 4) last = n;
      return y;
    };
    return mod;
  });
  try {
    tf.tidy(() => {
      model.forward(x, EVAL);
    });
  } finally {
    for (const m of patched) delete (m as { forward?: unknown }).forward;
  }
  if (!last) throw new Error('The model has no 4-D layer for Grad-CAM.');
  return last;
}

/**
 * Grad-CAM for class `cls` at `layer`: relu(sum_k mean(d logit / d A_k) * A_k), [h, w] at the
 * layer's resolution. The layer's output gets a zero addend whose gradient is d logit / d A.
 */
export function gradCam(model: Classifier, x: tf.Tensor, cls: number, layer: string): tf.Tensor {
  const m = child(model, layer) as Module & { forward: Module['forward'] };
  const original = m.forward;
  let act: tf.Tensor | null = null;
  let addend: tf.Tensor | null = null;
  m.forward = function (this: Module, ...args: Parameters<Module['forward']>) {
    const y = original.apply(this, args);
    act = y;
    return addend ? tf.add(y, addend) : y;
  };
  try {
    return tf.tidy(() => {
      const a = tf.tidy(() => {
        model.forward(x, GRAD);
        return act!;
      });
      const grad = tf.grad((d: tf.Tensor) => {
        addend = d;
        return tf.sum(tf.slice(tf.reshape(model.forward(x, GRAD), [-1]), [cls], [1]));
      })(tf.zerosLike(a));
      return tf.relu(tf.sum(tf.mul(a, tf.mean(grad, [0, 1, 2])), [0, 3]));
    });
  } finally {
    delete (m as { forward?: unknown }).forward;
  }
}
