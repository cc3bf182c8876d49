// What a layer sees: one layer's output for a frame, each channel normalised to its own
// range, the strongest channels, and the first conv's filters as pictures. Backend-neutral
// TF.js (the Tour's worker, and Node tests on the cpu backend); every tensor is made inside
// tf.tidy or disposed before the call returns, and only typed arrays leave.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelCard } from '../../models/card';
import type { Classifier } from '../../models/builders';
import { Conv2d, EVAL, type Module } from '../../models/nn';
import { profileOf } from '../../models/tour-facts';
import type { FeatureMaps, FilterPictures, MapLayer } from '../contracts/tour-protocol';

/** The layers with an [h, w, c] output (convs, LeNet's subsampling), in forward order. */
export function mapLayers(card: ModelCard, definition: Module): MapLayer[] {
  const seen = new Set<string>();
  const out: MapLayer[] = [];
  for (const r of profileOf(card, definition).rows) {
    // The per-pixel Linears of ConvNeXt run on a [pixels, channels] view: no map to capture.
    if (r.outShape.length !== 4 || r.type === 'Linear' || seen.has(r.name)) continue;
    seen.add(r.name);
    out.push({ name: r.name, type: r.type, shape: r.outShape.slice(1) as [number, number, number] });
  }
  return out;
}

function moduleNamed(model: Module, name: string): Module {
  for (const [n, m] of model.namedModules()) if (n === name) return m;
  throw new Error(`The model has no layer "${name}".`);
}

/**
 * The model's logits and `layer`'s output for input x, in one forward: the layer's forward is
 * wrapped on this instance for the call, so the model itself needs no hook. With BatchNorm
 * and ReLU folded into a conv (a fused model), its output includes them.
 * Both tensors belong to the caller.
 */
export function forwardWithLayer(model: Classifier, layer: string, x: tf.Tensor): { logits: tf.Tensor; act: tf.Tensor } {
  const m = moduleNamed(model, layer) as Module & { forward: Module['forward'] };
  const own = Object.prototype.hasOwnProperty.call(m, 'forward');
  if (own) throw new Error(`Layer "${layer}" is being captured already.`);
  let act: tf.Tensor | null = null;
  const original = m.forward;
  m.forward = function (this: Module, ...args: Parameters<Module['forward']>) {
    const y = original.apply(this, args);
    act ??= y;
    return y;
  };
  try {
    const [logits, kept] = tf.tidy(() => {
      const l = model.forward(x, EVAL);
      if (!act) throw new Error(`Layer "${layer}" did not run in the forward.`);
      return [l, act];
    });
    return { logits: logits!, act: kept! };
  } finally {
    delete (m as { forward?: unknown }).forward;
  }
}

/** Each channel of an [1, h, w, c] map scaled to 0..255 by its own min and max, as [c, h, w] bytes. */
export function normalisePerChannel(act: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [, h, w, c] = act.shape as [number, number, number, number];
    const chw = tf.reshape(tf.transpose(act, [0, 3, 1, 2]), [c, h * w]);
    const lo = tf.min(chw, 1, true);
    const hi = tf.max(chw, 1, true);
    // A flat channel (all one value) draws as black rather than dividing by zero.
    const span = tf.maximum(tf.sub(hi, lo), 1e-12);
    return tf.cast(tf.round(tf.mul(tf.div(tf.sub(chw, lo), span), 255)), 'int32');
  });
}

export function topChannels(strength: Float32Array, n = 9): number[] {
  return [...strength.keys()].sort((a, b) => strength[b]! - strength[a]! || a - b).slice(0, n);
}

/** The maps of `layer` for one normalised input [1, h, w, c]. */
export async function featureMaps(card: ModelCard, model: Classifier, layer: string, x: tf.Tensor): Promise<Omit<FeatureMaps, 'numTensors'>> {
  const { logits, act } = forwardWithLayer(model, layer, x);
  try {
    const [, h, w, c] = act.shape as [number, number, number, number];
    const [bytes, mean, probs] = tf.tidy(() => [normalisePerChannel(act), tf.mean(act, [0, 1, 2]), tf.softmax(tf.reshape(logits, [-1]))]);
    try {
      const [b, s, p] = await Promise.all([bytes!.data(), mean!.data(), probs!.data()]);
      const strength = Float32Array.from(s);
      let best = 0;
      for (let i = 1; i < p.length; i++) if (p[i]! > p[best]!) best = i;
      return {
        modelId: card.id,
        layer,
        h,
        w,
        c,
        maps: Uint8ClampedArray.from(b),
        strength,
        top: topChannels(strength),
        top1: { label: card.labels[best] ?? String(best), p: p[best]! },
      };
    } finally {
      tf.dispose([bytes!, mean!, probs!]);
    }
  } finally {
    tf.dispose([logits, act]);
  }
}

/** The first conv's filters, each scaled to its own range; 3 input channels are RGB, others grey. */
export async function filterPictures(card: ModelCard, model: Module): Promise<FilterPictures> {
  const first = [...model.namedModules()].find(([, m]) => m instanceof Conv2d) as [string, Conv2d] | undefined;
  if (!first) throw new Error(`${card.name} has no convolution.`);
  const [name, conv] = first;
  const { k, cin, cout } = conv;
  const pixels = tf.tidy(() => {
    // [k, k, cin, cout] -> [cout, k, k, cin], then per filter to 0..255.
    const f = tf.transpose(conv.kernel, [3, 0, 1, 2]);
    const flat = tf.reshape(f, [cout, -1]);
    const lo = tf.min(flat, 1, true);
    const span = tf.maximum(tf.sub(tf.max(flat, 1, true), lo), 1e-12);
    const scaled = tf.reshape(tf.div(tf.sub(flat, lo), span), [cout, k, k, cin]);
    const rgb = cin === 3 ? scaled : tf.tile(tf.mean(scaled, 3, true), [1, 1, 1, 3]);
    const rgba = tf.concat([rgb, tf.ones([cout, k, k, 1])], 3);
    return tf.cast(tf.round(tf.mul(rgba, 255)), 'int32');
  });
  try {
    return { modelId: card.id, layer: name, k, stride: conv.opts.stride ?? 1, cin, count: cout, rgba: Uint8ClampedArray.from(await pixels.data()) };
  } finally {
    pixels.dispose();
  }
}
