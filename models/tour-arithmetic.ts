// The arithmetic behind each family's idea in the Tour (src/components/TourView.svelte), and
// the types of the facts models/tour-facts.ts reads off a built model. Plain numbers, no
// TF.js, so the UI can recompute (MobileNet's alpha and rho sliders) without a worker.
// MACs follow models/profile.ts: a conv costs out_h * out_w * c_out * (c_in / groups) * k * k.
import { MOBILENET_V1_BLOCKS, scaleChannels } from './mobilenet-v1-costs';

export interface Cost {
  params: number;
  macs: number;
}

/** One k x k conv (groups = 1, or depthwise with groups = cin) producing an h x w x cout map. */
export function convCost(h: number, w: number, cin: number, cout: number, k: number, opts: { bias?: boolean; groups?: number } = {}): Cost {
  const perOut = (cin / (opts.groups ?? 1)) * k * k;
  return { params: cout * perOut + (opts.bias ? cout : 0), macs: h * w * cout * perOut };
}

export function addCosts(costs: readonly Cost[]): Cost {
  return costs.reduce((a, c) => ({ params: a.params + c.params, macs: a.macs + c.macs }), { params: 0, macs: 0 });
}

/** Receptive field of stride-1 convs of the given kernel sizes, one after another: 1 + sum(k - 1). */
export function stackedReceptiveField(kernels: readonly number[]): number {
  return 1 + kernels.reduce((a, k) => a + (k - 1), 0);
}

/**
 * A k x k conv from cin to cout channels on an h x w map, directly or after a 1x1 conv that
 * first reduces cin to `reduce` channels (GoogLeNet's section 5). No biases, as MACs count none.
 */
export function reductionCosts(h: number, w: number, cin: number, cout: number, k: number, reduce: number): { direct: Cost; reduced: Cost } {
  return {
    direct: convCost(h, w, cin, cout, k),
    reduced: addCosts([convCost(h, w, cin, reduce, 1), convCost(h, w, reduce, cout, k)]),
  };
}

/** Inverted dropout (as nn.Dropout): kept units are scaled by 1 / (1 - p) while training, nothing at test time. */
export function dropoutScales(p: number): { keep: number; train: number; test: number } {
  return { keep: 1 - p, train: 1 / (1 - p), test: 1 };
}

/** PyTorch's pooling output size (MaxPool2d rules, ceil_mode included). */
export function poolOutSize(n: number, k: number, s: number, p = 0, ceil = false): number {
  if (!ceil) return Math.floor((n + 2 * p - k) / s) + 1;
  let o = Math.ceil((n + 2 * p - k) / s) + 1;
  if ((o - 1) * s >= n + p) o--;
  return o;
}

/**
 * MobileNet v1 at width multiplier alpha and input resolution (rho = resolution / 224), the
 * whole network as models/families/mobilenet-v1.ts builds it: the 3x3 stride-2 stem, the 13
 * separable blocks, and the classifier; parameters include BatchNorm's scale and shift (as
 * PyTorch counts them). `standard` is the same network with every separable block replaced by
 * a standard 3x3 conv.
 */
export function mobileNetV1Totals(alpha: number, resolution: number, numClasses = 1001): { separable: Cost; standard: Cost } {
  let df = Math.ceil(resolution / 2);
  let m = scaleChannels(32, alpha);
  const stem = convCost(df, df, 3, m, 3);
  stem.params += 2 * m;
  const sep: Cost[] = [stem];
  const std: Cost[] = [stem];
  for (const [c, stride] of MOBILENET_V1_BLOCKS) {
    df = Math.ceil(df / stride);
    const n = scaleChannels(c, alpha);
    const dw = convCost(df, df, m, m, 3, { groups: m });
    const pw = convCost(df, df, m, n, 1);
    sep.push({ params: dw.params + 2 * m + pw.params + 2 * n, macs: dw.macs + pw.macs });
    const full = convCost(df, df, m, n, 3);
    std.push({ params: full.params + 2 * n, macs: full.macs });
    m = n;
  }
  const fc = { params: m * numClasses + numClasses, macs: m * numClasses };
  return { separable: addCosts([...sep, fc]), standard: addCosts([...std, fc]) };
}

// ---- the facts read off a model (models/tour-facts.ts builds them in the Tour's worker) ----

export interface LeNetFacts {
  kind: 'lenet';
  /** The partially connected C3 (the 1998 variant); null for the modern one, fully connected. */
  c3: null | {
    cin: number;
    cout: number;
    k: number;
    /** table[o]: the input maps output map o sees. */
    table: number[][];
    params: number;
    /** The same layer fully connected. */
    fullParams: number;
    macs: number;
    fullMacs: number;
  };
  /** S2/S4's trainable coefficient and bias per map (the model's own values). */
  subsampling: { name: string; maps: number; coefficient: number[]; bias: number[] }[];
  /** What pools instead in the modern variant ("2x2 max-pooling, no parameters"). */
  pooling: string | null;
}

export interface PoolFact {
  /** State-dict index of the pooling op, e.g. "features.3". */
  name: string;
  input: number;
  k: number;
  s: number;
  output: number;
  /** The same stride with a window of k = s (no overlap). */
  nonOverlapping: number;
}

export interface AlexNetFacts {
  kind: 'alexnet';
  pools: PoolFact[];
  dropout: { name: string; p: number; keep: number; train: number; test: number }[];
}

export interface FirstConv {
  modelId: string;
  name: string;
  k: number;
  stride: number;
  padding: number;
  cin: number;
  cout: number;
  /** Output side for the card's input. */
  out: number;
  macs: number;
}

export interface ZFNetFacts {
  kind: 'zfnet';
  alexnet: FirstConv;
  zfnet: FirstConv;
}

export interface VGGStage {
  /** 1-based stage index. */
  stage: number;
  convs: string[];
  kernels: number[];
  size: number;
  cin: number;
  cout: number;
  receptiveField: number;
  stacked: Cost;
  /** One rf x rf conv from cin to cout at the same size. */
  single: Cost;
}

export interface VGGFacts {
  kind: 'vgg';
  stages: VGGStage[];
}

export interface InceptionBranch {
  name: string;
  k: number;
  reduce: number;
  cout: number;
  withReduction: Cost;
  without: Cost;
}

export interface GoogLeNetFacts {
  kind: 'googlenet';
  example: { h: number; w: number; cin: number; cout: number; k: number; reduce: number; direct: Cost; reduced: Cost };
  modules: { name: string; size: number; cin: number; branches: InceptionBranch[]; withReduction: Cost; without: Cost }[];
}

export type ShortcutKind = 'identity' | 'zero-pad' | 'projection';

export interface ResNetFacts {
  kind: 'resnet';
  models: { modelId: string; name: string; blocks: { name: string; shortcut: ShortcutKind; cin: number; cout: number; stride: number; params: number }[] }[];
}

export interface MobileNetFacts {
  kind: 'mobilenet';
  /** The running model's width multiplier (its config's α, or MobileNetV2's width) and input size. */
  alpha: number | null;
  input: number;
  /** The running model's depthwise + pointwise pairs, from its layer profile. */
  blocks: { name: string; size: number; cin: number; cout: number; separable: Cost; standard: Cost }[];
}

export interface ConvNeXtFacts {
  kind: 'convnext';
  block: string;
  steps: { step: string; shape: number[]; params: number }[];
}

export interface NormFacts {
  kind: 'norms';
  lrn: { modelId: string; layers: { name: string; size: number; alpha: number; beta: number; k: number }[]; params: 0 };
  batchNorm: { modelId: string; layers: number; channels: number; trainable: number; buffers: number; totalParams: number };
}

export type FamilyFacts = LeNetFacts | AlexNetFacts | ZFNetFacts | VGGFacts | GoogLeNetFacts | ResNetFacts | MobileNetFacts | ConvNeXtFacts | NormFacts;
