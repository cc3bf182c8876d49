// Maps a TensorFlow Lite TF-slim MobileNet (v1 at any alpha and resolution, or V2) onto the
// project's own families (models/families/mobilenet-v1.ts, mobilenet-v2.ts) with TF-slim's
// options: ReLU6, TensorFlow SAME padding, BatchNorm folded into conv biases, the 1x1-conv
// classifier over 1001 classes. The TFLite graph is read in execution order and matched conv
// by conv against the model the card builds: kind, shape, stride, padding and activation must
// all agree, and anything else (another architecture, an op we do not map) is refused with a
// message that names it. Weights are dequantised to float32 and laid out as TF.js wants them.
import type { ModelCard, TfliteOrigin } from '../../models/card';
import { IMAGENET_LABELS_1001, IMAGENET_LABELS } from '../../models/imagenet-labels';
import { PUBLISHED_TFLITE } from '../../models/tflite-published';
import { buildModel } from '../../models/builders';
import { Conv2d, Linear } from '../../models/nn';
import { profile } from '../../models/profile';
import { Activation, Op, Padding } from './tflite-schema';
import { constantF32, storedAs, TfliteError, type TfliteGraph, type TfliteOp, type TfliteTensor } from './tflite';
import type { StoredTensor } from '../store/db';

/** Ops that carry no weights and that a MobileNet's graph may hold around its layers. */
const PASS_THROUGH = new Set<number>([Op.RESHAPE, Op.SQUEEZE, Op.SOFTMAX, Op.QUANTIZE, Op.DEQUANTIZE]);
const MAPPED = new Set<number>([Op.CONV_2D, Op.DEPTHWISE_CONV_2D, Op.ADD, Op.AVERAGE_POOL_2D, Op.MEAN, Op.FULLY_CONNECTED, ...PASS_THROUGH]);

interface ConvLayer {
  op: TfliteOp;
  depthwise: boolean;
  stride: [number, number];
  padding: number;
  activation: number;
  dilation: [number, number];
  weight: TfliteTensor;
  bias: TfliteTensor | null;
}

export interface TfliteImport {
  card: ModelCard<'mobilenet-v1'> | ModelCard<'mobilenet-v2'>;
  /** In TF.js layout, by the family's parameter names: what the weight store keeps. */
  tensors: StoredTensor[];
}

const ACT_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Activation).map(([k, v]) => [v, k]));

function convLayer(g: TfliteGraph, op: TfliteOp): ConvLayer {
  const depthwise = op.code === Op.DEPTHWISE_CONV_2D;
  const o = depthwise ? op.raw.depthwiseConv2d() : op.raw.conv2d();
  const weight = g.tensors[op.inputs[1]!]!;
  const biasIndex = op.inputs[2];
  return {
    op,
    depthwise,
    stride: [o.strideH, o.strideW],
    padding: o.padding,
    activation: o.activation,
    dilation: [o.dilationH, o.dilationW],
    weight,
    bias: biasIndex !== undefined && biasIndex >= 0 ? g.tensors[biasIndex]! : null,
  };
}

/** Which of our families the graph is, from its ops: the residual ADDs tell V2 from v1. */
function layersOf(g: TfliteGraph): { convs: ConvLayer[]; adds: TfliteOp[]; pool: TfliteOp | null; logits: TfliteOp | null } {
  const unknown = [...new Set(g.ops.filter((o) => !MAPPED.has(o.code)).map((o) => o.name))];
  if (unknown.length) {
    throw new TfliteError(`The model uses ${unknown.join(', ')}, which this importer does not map: it maps TF-slim's MobileNet v1 and MobileNetV2 (CONV_2D, DEPTHWISE_CONV_2D, ADD, AVERAGE_POOL_2D or MEAN, and RESHAPE, SQUEEZE, SOFTMAX around them).`);
  }
  const convs: ConvLayer[] = [];
  const adds: TfliteOp[] = [];
  let pool: TfliteOp | null = null;
  let logits: TfliteOp | null = null;
  for (const op of g.ops) {
    if (op.code === Op.CONV_2D || op.code === Op.DEPTHWISE_CONV_2D || op.code === Op.FULLY_CONNECTED) {
      if (pool) {
        if (logits) throw new TfliteError('The model has more than one layer after its global pooling: it is not a MobileNet classifier.');
        logits = op;
      } else if (op.code === Op.FULLY_CONNECTED) {
        throw new TfliteError('The model has a FULLY_CONNECTED layer before its global pooling: it is not a MobileNet.');
      } else {
        convs.push(convLayer(g, op));
      }
    } else if (op.code === Op.ADD) {
      adds.push(op);
    } else if (op.code === Op.AVERAGE_POOL_2D || op.code === Op.MEAN) {
      if (pool) throw new TfliteError('The model pools more than once: it is not a MobileNet.');
      pool = op;
    }
  }
  return { convs, adds, pool, logits };
}

function dims(t: TfliteTensor): string {
  return `[${t.shape.join(', ')}]`;
}

/** TFLite conv weights [O, H, W, I] -> HWIO; depthwise [1, H, W, C*m] -> [H, W, C, m] (the same order). */
function toTfLayout(data: Float32Array, shape: number[], depthwise: boolean): Float32Array {
  if (depthwise) return data;
  const [o, h, w, i] = shape as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let a = 0; a < o; a++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < i; c++) out[((y * w + x) * i + c) * o + a] = data[((a * h + y) * w + x) * i + c]!;
  return out;
}

function requireFinite(name: string, data: Float32Array): Float32Array {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new TfliteError(`Tensor "${name}" holds ${data[i]} at element ${i}: the weights are not all finite numbers.`);
  }
  return data;
}

/** The input's pixel scaling, as the card's mean/std on pixels in [0, 1]. */
function inputScaling(input: TfliteTensor): { mean: number; std: number } {
  // uint8 input: real = scale * (q - zero_point) with q = 255 x; so x -> (x - zp/255) / (1 / (255 scale)).
  if (input.quant && input.type === 'UINT8') return { mean: input.quant.zeroPoint[0]! / 255, std: 1 / (255 * input.quant.scale[0]!) };
  if (input.quant && input.type === 'INT8') return { mean: (input.quant.zeroPoint[0]! + 128) / 255, std: 1 / (255 * input.quant.scale[0]!) };
  // A float input: TF-slim's MobileNets take [-1, 1].
  return { mean: 0.5, std: 0.5 };
}

function quantisationOf(g: TfliteGraph, convs: ConvLayer[]): TfliteOrigin['quantisation'] {
  const q = convs.map((c) => storedAs(g, c.weight.index).quant).filter((x) => x !== null);
  if (!q.length) return null;
  return q.some((x) => x.scale.length > 1) ? 'per-channel' : 'per-tensor';
}

/**
 * Recognises the graph, builds the card and the model it describes, checks every layer
 * against it, and returns the card and the dequantised weights. `source` names the file.
 */
export async function mapTfliteMobilenet(
  g: TfliteGraph,
  source: { file: string; url: string; sha256: string; bytes: number },
): Promise<TfliteImport> {
  if (g.inputs.length !== 1 || g.outputs.length !== 1) throw new TfliteError(`The model has ${g.inputs.length} inputs and ${g.outputs.length} outputs; an image classifier has one of each.`);
  const input = g.tensors[g.inputs[0]!]!;
  const output = g.tensors[g.outputs[0]!]!;
  const [n, h, w, c] = input.shape;
  if (input.shape.length !== 4 || n !== 1 || c !== 3 || h !== w) {
    throw new TfliteError(`The model's input is ${dims(input)}; a MobileNet takes one square RGB image, [1, H, H, 3].`);
  }
  const classes = output.shape[output.shape.length - 1]!;
  if (classes !== 1001 && classes !== 1000) throw new TfliteError(`The model has ${classes} outputs; this importer maps ImageNet classifiers (1001 classes with background, or 1000).`);
  const { convs, adds, pool, logits } = layersOf(g);
  if (!pool || !logits) throw new TfliteError('The model has no global pooling followed by a classifier: it is not a MobileNet classifier.');
  const family = adds.length ? 'mobilenet-v2' : 'mobilenet-v1';
  const featureCh = logits.code === Op.FULLY_CONNECTED ? g.tensors[logits.inputs[1]!]!.shape[1]! : g.tensors[logits.inputs[1]!]!.shape[3]!;
  const rho = h! / 224;
  const dtype = convs[0] ? storedAs(g, convs[0].weight.index).type : 'FLOAT32';
  const origin = { rho, dtype, quantisation: quantisationOf(g, convs), file: source.file } satisfies Omit<TfliteOrigin, 'alpha'>;
  const known = PUBLISHED_TFLITE[source.sha256];
  const { mean, std } = inputScaling(input);
  // The README's reference crop: the centred square of the whole short side (TF-slim's
  // evaluation takes 87.5%; a camera frame is better kept whole). See ../shared/images/README.md.
  const preprocess = { size: [h!, w!] as [number, number], resize: 'center-crop' as const, cropFraction: 1, mean: [mean, mean, mean] as [number, number, number], std: [std, std, std] as [number, number, number] };
  const labels = classes === 1001 ? IMAGENET_LABELS_1001 : IMAGENET_LABELS;
  const weights = { url: source.url, sha256: source.sha256, bytes: source.bytes, format: 'tflite' as const, convention: 'tf-slim' as const, license: known ? 'Apache-2.0 (Google, as published in google-coral/test_data)' : 'as stated by the file\'s source', embedded: false };
  const size = `${h}`;
  const qname = `TFLite ${dtype.toLowerCase()}`;
  let card: TfliteImport['card'];
  if (family === 'mobilenet-v1') {
    const alpha = featureCh / 1024;
    const a = alpha.toFixed(2).replace(/0$/, '');
    card = {
      id: `tflite-mobilenet-v1-${a}-${size}${origin.quantisation ? '-quant' : ''}`,
      name: `MobileNet v1 (alpha ${a}, ${size}×${size}), ImageNet, ${qname}`,
      family, year: 2017,
      paper: { title: 'MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications (Howard et al.)', url: 'https://arxiv.org/abs/1704.04861' },
      preprocess, labels, params: 0, macs: 0, weights,
      tflite: { ...origin, alpha, ...(known ? { publishedTop1: { value: known.top1, source: known.source } } : {}) },
      config: { alpha, numClasses: classes, activation: 'relu6', padding: 'tf-same', foldedBn: true, dropout: 0 },
    };
  } else {
    const alpha = Math.round((featureCh > 1280 ? featureCh / 1280 : convs.at(-2)!.weight.shape[0]! / 320) * 100) / 100;
    const a = alpha.toFixed(2).replace(/0$/, '');
    card = {
      id: `tflite-mobilenet-v2-${a}-${size}${origin.quantisation ? '-quant' : ''}`,
      name: `MobileNetV2 (${a}, ${size}×${size}), ImageNet, ${qname}`,
      family, year: 2018,
      paper: { title: 'MobileNetV2: Inverted Residuals and Linear Bottlenecks (Sandler et al.)', url: 'https://arxiv.org/abs/1801.04381' },
      preprocess, labels, params: 0, macs: 0, weights,
      tflite: { ...origin, alpha, ...(known ? { publishedTop1: { value: known.top1, source: known.source } } : {}) },
      config: { widthMult: alpha, numClasses: classes, padding: 'tf-same', foldedBn: true, dropout: 0 },
    };
  }
  const model = await buildModel(card);
  const ours = [...model.namedModules()].filter((e): e is [string, Conv2d] => e[1] instanceof Conv2d);
  const head = [...model.namedModules()].find(([name]) => name === model.headName)?.[1];
  const what = family === 'mobilenet-v1' ? `MobileNet v1 at alpha ${card.tflite!.alpha}` : `MobileNetV2 at width ${card.tflite!.alpha}`;
  if (ours.length !== convs.length) {
    throw new TfliteError(`The model has ${convs.length} convolutions before its pooling; ${what} has ${ours.length}: it is another architecture.`);
  }
  const tensors: StoredTensor[] = [];
  for (const [i, layer] of convs.entries()) {
    const [name, conv] = ours[i]!;
    const where = `Layer ${i + 1} (${layer.op.name} "${layer.weight.name}")`;
    const groups = conv.opts.groups ?? 1;
    if (layer.depthwise !== (groups !== 1)) throw new TfliteError(`${where} is ${layer.depthwise ? 'depthwise' : 'a full convolution'}; ${what} has ${groups !== 1 ? 'a depthwise' : 'a full'} one there: it is another architecture.`);
    const ws = layer.weight.shape;
    const want = layer.depthwise ? [1, conv.k, conv.k, conv.cout] : [conv.cout, conv.k, conv.k, conv.cin];
    if (ws.join('x') !== want.join('x')) throw new TfliteError(`${where} has weights ${dims(layer.weight)}; ${what} has [${want.join(', ')}] there: it is another architecture or width.`);
    const stride = conv.opts.stride ?? 1;
    if (layer.stride[0] !== stride || layer.stride[1] !== stride) throw new TfliteError(`${where} has stride ${layer.stride.join('x')}; ${what} has ${stride} there.`);
    if (layer.dilation[0] !== 1 || layer.dilation[1] !== 1) throw new TfliteError(`${where} is dilated (${layer.dilation.join('x')}); MobileNets are not.`);
    if (layer.padding !== Padding.SAME && conv.k > 1) throw new TfliteError(`${where} has VALID padding; TF-slim's MobileNets use SAME.`);
    // The linear bottleneck (V2's projection) has no activation; every other conv has ReLU6.
    const projection = family === 'mobilenet-v2' && /\.conv\.\d+$/.test(name);
    const act = projection ? Activation.NONE : Activation.RELU6;
    if (layer.activation !== act) throw new TfliteError(`${where} is followed by ${ACT_NAMES[layer.activation] ?? layer.activation}; ${what} has ${ACT_NAMES[act]} there.`);
    if (!layer.bias) throw new TfliteError(`${where} has no bias: its BatchNorm is not folded in.`);
    tensors.push({ name: `${name}.weight`, shape: layer.depthwise ? [conv.k, conv.k, conv.cin, conv.cout / conv.cin] : [conv.k, conv.k, conv.cin, conv.cout], data: requireFinite(layer.weight.name, toTfLayout(constantF32(g, layer.weight.index), ws, layer.depthwise)) });
    tensors.push({ name: `${name}.bias`, shape: [conv.cout], data: requireFinite(layer.bias.name, constantF32(g, layer.bias.index)) });
  }
  checkPool(g, pool, featureCh);
  // The classifier: a 1x1 conv (or a fully connected layer) on the pooled 1x1 map, i.e. a linear layer.
  if (!(head instanceof Linear)) throw new Error(`${card.family}: its head ${model.headName} is not a Linear.`);
  const lw = g.tensors[logits.inputs[1]!]!;
  const lb = logits.inputs[2] !== undefined && logits.inputs[2] >= 0 ? g.tensors[logits.inputs[2]]! : null;
  const wantHead = logits.code === Op.FULLY_CONNECTED ? [classes, head.fin] : [classes, 1, 1, head.fin];
  if (lw.shape.join('x') !== wantHead.join('x')) throw new TfliteError(`The classifier has weights ${dims(lw)}; ${what} has [${wantHead.join(', ')}].`);
  if (!lb) throw new TfliteError('The classifier has no bias.');
  const hw = requireFinite(lw.name, constantF32(g, lw.index));
  const linear = new Float32Array(hw.length);
  for (let o = 0; o < classes; o++) for (let i = 0; i < head.fin; i++) linear[i * classes + o] = hw[o * head.fin + i]!;
  tensors.push({ name: `${model.headName}.weight`, shape: [head.fin, classes], data: linear });
  tensors.push({ name: `${model.headName}.bias`, shape: [classes], data: requireFinite(lb.name, constantF32(g, lb.index)) });
  if (family === 'mobilenet-v2') {
    // Each residual is an ADD (a static import of the family would pull it out of its own chunk).
    const want = [...model.namedModules()].filter(([, m]) => (m as { residual?: boolean }).residual === true).length;
    if (adds.length !== want) throw new TfliteError(`The model has ${adds.length} residual ADDs; MobileNetV2 has ${want}.`);
    const fused = adds.find((a) => a.raw.add().activation !== Activation.NONE);
    if (fused) throw new TfliteError(`A residual ADD is followed by ${ACT_NAMES[fused.raw.add().activation]}; MobileNetV2's residuals are linear.`);
  }
  // Every name and shape of the model, and nothing more.
  const specs = [...model.namedSpecs()];
  const got = new Map(tensors.map((t) => [t.name, t]));
  for (const [name, spec] of specs) {
    const t = got.get(name);
    if (!t || t.shape.join('x') !== spec.shape.join('x')) throw new Error(`Mapping ${card.id}: ${name} is ${t ? `[${t.shape}]` : 'missing'}, expected [${spec.shape}].`);
  }
  if (specs.length !== tensors.length) throw new Error(`Mapping ${card.id}: ${tensors.length} tensors for ${specs.length} parameters.`);
  const p = profile(model, [h!, w!, 3]);
  card.params = p.params;
  card.macs = p.macs;
  model.dispose();
  return { card, tensors };
}

function checkPool(g: TfliteGraph, pool: TfliteOp, channels: number): void {
  const x = g.tensors[pool.inputs[0]!]!;
  const y = g.tensors[pool.outputs[0]!]!;
  const [, ph, pw, pc] = x.shape;
  if (pc !== channels) throw new TfliteError(`The pooling sees ${pc} channels, the classifier ${channels}.`);
  const outSpatial = y.shape.length === 4 ? y.shape[1]! * y.shape[2]! : 1;
  if (pool.code === Op.AVERAGE_POOL_2D) {
    const o = pool.raw.pool2d();
    if (outSpatial !== 1 || o.filterH < ph! || o.filterW < pw! || o.padding !== Padding.VALID) {
      throw new TfliteError(`The average pooling (${o.filterH}x${o.filterW} on ${ph}x${pw}) is not global: it is not a MobileNet classifier.`);
    }
  } else if (outSpatial !== 1) {
    throw new TfliteError('The MEAN before the classifier is not over the whole map.');
  }
}
