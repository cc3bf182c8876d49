// Maps a parsed safetensors file onto a model's parameter specs (PyTorch names).
import type * as tf from '@tensorflow/tfjs-core';
import { fromTorch, type Module } from './nn';
import type { Parsed } from './safetensors';
import { reshapeTimm, timmRename } from './timm';

/**
 * Checks every name and shape first, then converts. Throws a message that names the
 * first missing or mis-shaped tensor, so a wrong file is rejected before any upload.
 */
export function toTfWeights(model: Module, parsed: Parsed, rename: (name: string) => string = (n) => n): Map<string, tf.Tensor> {
  const specs = [...model.namedSpecs()];
  for (const [name, spec] of specs) {
    const t = parsed.tensors.get(rename(name));
    if (!t) throw new Error(`The weights file lacks tensor "${rename(name)}".`);
    const want = spec.torchShape.join('x');
    if (t.shape.join('x') !== want) throw new Error(`Tensor "${rename(name)}" has shape ${t.shape.join('x')}, expected ${want}.`);
  }
  const out = new Map<string, tf.Tensor>();
  for (const [name, spec] of specs) {
    const t = parsed.tensors.get(rename(name))!;
    out.set(name, fromTorch(spec, t.data, t.shape));
  }
  return out;
}

/**
 * As toTfWeights, for a file in either naming: torchvision's (our names) or timm's, which
 * is recognised by the model's first parameter and mapped through models/timm.ts.
 */
export function toTfWeightsAnyNaming(model: Module, family: string, parsed: Parsed, variant?: string): Map<string, tf.Tensor> {
  const first = model.namedSpecs().next().value?.[0];
  const rename = timmRename(family, variant);
  if (first && rename && !parsed.tensors.has(first) && parsed.tensors.has(rename(first))) {
    return toTfWeights(model, reshapeTimm(family, parsed), rename);
  }
  return toTfWeights(model, parsed);
}
