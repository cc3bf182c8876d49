// timm (pytorch-image-models) weight names -> our torchvision-named parameters.
//
// Users find most ImageNet weights on the Hugging Face hub in timm's naming. Our families
// carry torchvision's state-dict names, so a timm file is loaded in two steps:
//
//   const rename = timmRename(card.family);            // our name -> timm's name, or null
//   const weights = toTfWeights(model, reshapeTimm(card.family, parsed), rename!);
//
// Design (the simplest of the two considered): the file keeps timm's tensor names and
// `timmRename` tells toTfWeights which one to read for each of our parameters, so error
// messages name the tensor as it is in the user's file. Where timm stores a tensor with a
// different (but element-for-element identical) shape, `reshapeTimm` returns a new Parsed
// (data shared, not copied) whose shapes are torchvision's; there are exactly three:
//   - convnext:     stages.S.blocks.B.gamma  [C]          -> layer_scale [C, 1, 1]
//   - mobilenet-v3: conv_head.weight         [O, I, 1, 1] -> classifier.0.weight [O, I]
//     (timm applies a 1x1 conv with bias after global pooling; torchvision a Linear.)
//   - vgg:          pre_logits.fc1.weight [4096, 512, 7, 7] -> classifier.0.weight [4096, 25088],
//                   pre_logits.fc2.weight [4096, 4096, 1, 1] -> classifier.3.weight [4096, 4096]
// Squeeze-excitation layers need no reshape: both timm and torchvision store them as 1x1
// convs [O, I, 1, 1] with biases. Buffers num_batches_tracked are never read.
//
// Numerical caveats (names and shapes match, the arithmetic does not quite):
//   - timm's mobilenetv3_large_100 uses BatchNorm eps 1e-5, torchvision (and our family) 1e-3:
//     shiftBnEps folds the difference into the running variance on import.
//   - timm's test_* models use LayerNorm eps 1e-5 and tanh-GELU; convnext_tiny..xlarge use
//     eps 1e-6 and exact GELU like torchvision and our family.
// No TF.js here.
import type { Parsed, TensorEntry } from './safetensors';

export type Rename = (torchvisionName: string) => string;

// ---- ConvNeXt ----
// torchvision: features.0 = stem; features.(2s+1) = stage s blocks; features.(2s+2) = the
// downsample (LayerNorm, 2x2 conv) in front of stage s+1; classifier.{0: LayerNorm, 2: Linear}.
// timm: stem.{0,1}; stages.s.blocks.b.*; stages.s.downsample.{0,1} (s >= 1); head.{norm,fc}.
const CNBLOCK: Record<string, string> = { '0': 'conv_dw', '2': 'norm', '3': 'mlp.fc1', '5': 'mlp.fc2' };

function convnext(name: string): string {
  let m = /^features\.0\.([01])\.(.+)$/.exec(name);
  if (m) return `stem.${m[1]}.${m[2]}`;
  m = /^features\.(\d+)\.(\d+)\.(.+)$/.exec(name);
  if (m) {
    const k = Number(m[1]);
    const rest = m[3]!;
    if (k % 2 === 0) return `stages.${k / 2}.downsample.${m[2]}.${rest}`;
    const prefix = `stages.${(k - 1) / 2}.blocks.${m[2]}`;
    if (rest === 'layer_scale') return `${prefix}.gamma`;
    const b = /^block\.(\d+)\.(.+)$/.exec(rest);
    if (b && CNBLOCK[b[1]!]) return `${prefix}.${CNBLOCK[b[1]!]}.${b[2]}`;
    return name;
  }
  m = /^classifier\.([02])\.(.+)$/.exec(name);
  if (m) return `${m[1] === '0' ? 'head.norm' : 'head.fc'}.${m[2]}`;
  return name;
}

// ---- MobileNetV2 / V3 (timm's EfficientNet-style builder) ----
// torchvision numbers every block in one `features` list; timm groups them into stages
// (blocks.S.B). The stage sizes are the architecture's, independent of the width multiplier.
/** Blocks per timm stage: torchvision's MOBILENET_V2_SETTING repeats. */
const V2_STAGES = [1, 2, 3, 4, 3, 3, 1];
/** Blocks per timm stage for MobileNetV3-Large (timm's arch_def; stage 6 is the 1x1 conv to 960). */
const V3_STAGES = [1, 2, 3, 4, 2, 3];
/** The same for MobileNetV3-Small (stage 5 is the 1x1 conv to 576). */
const V3_SMALL_STAGES = [1, 2, 3, 2, 3];

function stageOf(sizes: readonly number[], index: number): [number, number] | null {
  let i = index;
  for (let s = 0; s < sizes.length; s++) {
    if (i < sizes[s]!) return [s, i];
    i -= sizes[s]!;
  }
  return null;
}

/** timm's `blocks.<stage>.<block>` for torchvision's `features.<i>` (i from 1), or null past the end. */
function blockPrefix(stages: readonly number[], feature: string): string | null {
  const sb = stageOf(stages, Number(feature) - 1);
  return sb ? `blocks.${sb[0]}.${sb[1]}` : null;
}

function convOrBn(conv: string, bn: string, idx: string, rest: string): string {
  return `${idx === '0' ? conv : bn}.${rest}`;
}

function mobilenetV2(name: string): string {
  const last = 1 + V2_STAGES.reduce((a, b) => a + b, 0); // features.18: 1x1 conv to 1280
  let m = /^features\.(\d+)\.([01])\.(.+)$/.exec(name);
  if (m && (m[1] === '0' || Number(m[1]) === last)) {
    const [conv, bn] = m[1] === '0' ? ['conv_stem', 'bn1'] : ['conv_head', 'bn2'];
    return convOrBn(conv, bn, m[2]!, m[3]!);
  }
  m = /^features\.(\d+)\.conv\.(.+)$/.exec(name);
  if (m) {
    const prefix = blockPrefix(V2_STAGES, m[1]!);
    if (!prefix) return name;
    const rest = m[2]!;
    let r: RegExpExecArray | null;
    if (m[1] === '1') {
      // Expansion 1: conv.0 = depthwise Conv-BN-ReLU6, conv.1 = projection conv, conv.2 = its BN.
      if ((r = /^0\.([01])\.(.+)$/.exec(rest))) return `${prefix}.${convOrBn('conv_dw', 'bn1', r[1]!, r[2]!)}`;
      if ((r = /^1\.(.+)$/.exec(rest))) return `${prefix}.conv_pw.${r[1]}`;
      if ((r = /^2\.(.+)$/.exec(rest))) return `${prefix}.bn2.${r[1]}`;
      return name;
    }
    if ((r = /^0\.([01])\.(.+)$/.exec(rest))) return `${prefix}.${convOrBn('conv_pw', 'bn1', r[1]!, r[2]!)}`;
    if ((r = /^1\.([01])\.(.+)$/.exec(rest))) return `${prefix}.${convOrBn('conv_dw', 'bn2', r[1]!, r[2]!)}`;
    if ((r = /^2\.(.+)$/.exec(rest))) return `${prefix}.conv_pwl.${r[1]}`;
    if ((r = /^3\.(.+)$/.exec(rest))) return `${prefix}.bn3.${r[1]}`;
    return name;
  }
  m = /^classifier\.1\.(.+)$/.exec(name);
  if (m) return `classifier.${m[1]}`;
  return name;
}

function mobilenetV3(name: string, small: boolean): string {
  const stages = small ? V3_SMALL_STAGES : V3_STAGES;
  const last = 1 + stages.reduce((a, b) => a + b, 0); // Large: features.16, the 1x1 conv to 960
  let m = /^features\.(\d+)\.([01])\.(.+)$/.exec(name);
  if (m && m[1] === '0') return convOrBn('conv_stem', 'bn1', m[2]!, m[3]!);
  if (m && Number(m[1]) === last) return `blocks.${stages.length}.0.${convOrBn('conv', 'bn1', m[2]!, m[3]!)}`;
  m = /^features\.(\d+)\.block\.(.+)$/.exec(name);
  if (m) {
    const prefix = blockPrefix(stages, m[1]!);
    if (!prefix) return name;
    const rest = m[2]!;
    let r: RegExpExecArray | null;
    if (m[1] === '1') {
      // No expansion (16 -> 16): block.0 = depthwise Conv-BN-act, then (Small only) SE, then the
      // projection Conv-BN; timm's DepthwiseSeparable block names them conv_dw, bn1, se, conv_pw, bn2.
      if ((r = /^0\.([01])\.(.+)$/.exec(rest))) return `${prefix}.${convOrBn('conv_dw', 'bn1', r[1]!, r[2]!)}`;
      if ((r = /^1\.fc([12])\.(.+)$/.exec(rest))) return `${prefix}.se.${r[1] === '1' ? 'conv_reduce' : 'conv_expand'}.${r[2]}`;
      if ((r = /^[12]\.([01])\.(.+)$/.exec(rest))) return `${prefix}.${convOrBn('conv_pw', 'bn2', r[1]!, r[2]!)}`;
      return name;
    }
    // block.0 expansion, block.1 depthwise, then SE (block.2.fc1/fc2) if any, then projection.
    if ((r = /^0\.([01])\.(.+)$/.exec(rest))) return `${prefix}.${convOrBn('conv_pw', 'bn1', r[1]!, r[2]!)}`;
    if ((r = /^1\.([01])\.(.+)$/.exec(rest))) return `${prefix}.${convOrBn('conv_dw', 'bn2', r[1]!, r[2]!)}`;
    if ((r = /^2\.fc([12])\.(.+)$/.exec(rest))) return `${prefix}.se.${r[1] === '1' ? 'conv_reduce' : 'conv_expand'}.${r[2]}`;
    if ((r = /^[23]\.([01])\.(.+)$/.exec(rest))) return `${prefix}.${convOrBn('conv_pwl', 'bn3', r[1]!, r[2]!)}`;
    return name;
  }
  m = /^classifier\.([03])\.(.+)$/.exec(name);
  if (m) return `${m[1] === '0' ? 'conv_head' : 'classifier'}.${m[2]}`;
  return name;
}

// ---- VGG ----
// timm keeps torchvision's features.N; its first two classifier layers are convolutions
// (pre_logits.fc1: 7x7 over the 512x7x7 map, pre_logits.fc2: 1x1) and the last is head.fc.
const VGG_HEAD: Record<string, string> = { '0': 'pre_logits.fc1', '3': 'pre_logits.fc2', '6': 'head.fc' };

function vgg(name: string): string {
  const m = /^classifier\.([036])\.(.+)$/.exec(name);
  return m ? `${VGG_HEAD[m[1]!]}.${m[2]}` : name;
}

const RENAMES: Record<string, (variant?: string) => Rename> = {
  // timm's ResNet keeps torchvision's names (conv1, bn1, layerL.B.*, downsample.{0,1}, fc).
  resnet: () => (n) => n,
  'mobilenet-v2': () => mobilenetV2,
  'mobilenet-v3': (variant) => (n) => mobilenetV3(n, variant === 'small'),
  vgg: () => vgg,
  convnext: () => convnext,
};

/**
 * Maps our (torchvision) parameter/buffer name to the name of the same tensor in a timm
 * state dict, for the families timm shares with us; null for any other family. `variant`:
 * the card's config.variant where a family has several layouts (MobileNetV3 Large/Small).
 */
export function timmRename(family: string, variant?: string): Rename | null {
  return RENAMES[family]?.(variant) ?? null;
}

/**
 * The torchvision shape of a tensor found under `timmName` in a timm file of `family`
 * (the same elements in the same order); `shape` itself where the layouts agree.
 */
export function timmShape(family: string, timmName: string, shape: readonly number[]): number[] {
  if (family === 'convnext' && /^stages\.\d+\.blocks\.\d+\.gamma$/.test(timmName) && shape.length === 1) return [shape[0]!, 1, 1];
  if (family === 'mobilenet-v3' && timmName === 'conv_head.weight' && shape.length === 4 && shape[2] === 1 && shape[3] === 1) {
    return [shape[0]!, shape[1]!];
  }
  // A convolution over the whole map is a Linear over the flattened map (C, H, W), element for element.
  if (family === 'vgg' && /^pre_logits\.fc[12]\.weight$/.test(timmName) && shape.length === 4) return [shape[0]!, shape[1]! * shape[2]! * shape[3]!];
  return [...shape];
}

/**
 * A copy of `parsed` (same tensor names, data shared) in which the tensors that timm lays
 * out differently carry torchvision's shape; feed it to toTfWeights with timmRename(family).
 */
export function reshapeTimm(family: string, parsed: Parsed): Parsed {
  const tensors = new Map<string, TensorEntry>();
  for (const [name, t] of parsed.tensors) tensors.set(name, { ...t, shape: timmShape(family, name, t.shape) });
  const out = { tensors, metadata: parsed.metadata };
  return family === 'mobilenet-v3' ? shiftBnEps(out, TIMM_V3_BN_EPS, TORCHVISION_V3_BN_EPS) : out;
}

export const TIMM_V3_BN_EPS = 1e-5;
export const TORCHVISION_V3_BN_EPS = 1e-3;

/**
 * BatchNorm in eval mode divides by sqrt(running_var + eps). Weights trained with eps `from`
 * run exactly in a model built with eps `to` once running_var gets from - to added, since
 * (var + from - to) + to = var + from. A copy; the other tensors are shared.
 */
export function shiftBnEps(parsed: Parsed, from: number, to: number): Parsed {
  const tensors = new Map(parsed.tensors);
  for (const [name, t] of parsed.tensors) {
    if (name.endsWith('running_var')) tensors.set(name, { ...t, data: t.data.map((v) => v + from - to) });
  }
  return { tensors, metadata: parsed.metadata };
}
