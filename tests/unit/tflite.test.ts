// The TensorFlow Lite importer on the four real MobileNets of ../shared/models/tflite/: the
// container, dequantisation, the mapping onto our families (every layer, the card's figures)
// and the imported models classifying the real photos of ../shared/images/imagenet/.
import { describe, expect, it, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { constantF32, dequantize, parseTflite, TfliteError, type TfliteGraph, type TfliteTensor } from '../../workers/import/tflite';
import { mapTfliteMobilenet, type TfliteImport } from '../../workers/import/tflite-mobilenet';
import { Op } from '../../workers/import/tflite-schema';
import { loadClassifier } from '../../models/builders';
import { EVAL } from '../../models/nn';
import { parseSafetensors } from '../../models/safetensors';
import { PUBLISHED_TFLITE } from '../../models/tflite-published';
import { IMAGENET_LABELS, IMAGENET_LABELS_1001, READABLE, TORCHVISION_IMAGENET_NAMES } from '../../models/imagenet-labels';
import { centreSquare, decodePhoto, IMAGENET_PHOTOS, IMAGENET_PHOTOS_DIR, TFLITE_DIR, TFLITE_FILES } from '../../tools/photos';

const read = (f: string) => new Uint8Array(readFileSync(join(TFLITE_DIR, f)));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function imported(f: string): Promise<TfliteImport> {
  const bytes = read(f);
  return mapTfliteMobilenet(parseTflite(bytes), { file: f, url: '', sha256: sha(bytes), bytes: bytes.byteLength });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the container', () => {
  it('reads each file: the README hashes, one uint8 input in [-1, 1], 1001 uint8 outputs', () => {
    for (const f of TFLITE_FILES) {
      const bytes = read(f);
      expect(PUBLISHED_TFLITE[sha(bytes)]?.file).toBe(f);
      const g = parseTflite(bytes);
      expect(g.version).toBe(3);
      const input = g.tensors[g.inputs[0]!]!;
      const size = Number(/_(\d+)_quant/.exec(f)![1]);
      expect(input.shape).toEqual([1, size, size, 3]);
      expect(input.type).toBe('UINT8');
      expect(input.quant).toEqual({ scale: [1 / 128], zeroPoint: [128], axis: 0 });
      const output = g.tensors[g.outputs[0]!]!;
      expect([output.shape, output.type]).toEqual([[1, 1001], 'UINT8']);
    }
  });

  it('lists MobileNetV2 ops as TFLite runs them: 36 convs, 17 depthwise, 10 residual adds', () => {
    const g = parseTflite(read(TFLITE_FILES[0]));
    const count = (code: number) => g.ops.filter((o) => o.code === code).length;
    expect([count(Op.CONV_2D), count(Op.DEPTHWISE_CONV_2D), count(Op.ADD), count(Op.AVERAGE_POOL_2D), g.ops.length]).toEqual([36, 17, 10, 1, 66]);
    const first = g.ops[0]!.raw.conv2d();
    // SAME (0), stride 2, fused ReLU6 (3).
    expect(first).toMatchObject({ padding: 0, strideW: 2, strideH: 2, activation: 3, dilationW: 1, dilationH: 1 });
  });

  it('refuses what is not TFLite, or is cut short, with a message that says so', () => {
    const safetensors = new Uint8Array(64);
    new DataView(safetensors.buffer).setBigUint64(0, 2n, true);
    safetensors.set(new TextEncoder().encode('{}'), 8);
    expect(() => parseTflite(safetensors)).toThrow(/not a TensorFlow Lite model/);
    const whole = read(TFLITE_FILES[3]);
    // The last ~21 KB of these files is a ZIP of imagenet_labels.txt (TFLite metadata) after the flatbuffer.
    // And the safetensors importer, given a TFLite file, points at this importer.
    expect(() => parseSafetensors(whole.slice().buffer)).toThrow(/TensorFlow Lite model \(import it with "Import a TensorFlow Lite MobileNet"/);
    for (const cut of [4096, whole.byteLength - 30_000]) {
      expect(() => parseTflite(whole.subarray(0, cut))).toThrow(TfliteError);
      expect(() => parseTflite(whole.subarray(0, cut))).toThrow(/damaged or truncated/);
    }
  });
});

describe('dequantisation', () => {
  const tensor = (over: Partial<TfliteTensor>): TfliteTensor => ({ index: 0, name: 't', shape: [2, 3], type: 'UINT8', quant: null, data: null, ...over });

  it('uint8 per tensor, real = scale × (q − zero point), on the file: the first conv of MobileNetV2', () => {
    const g = parseTflite(read(TFLITE_FILES[0]));
    const w = g.tensors[g.ops[0]!.inputs[1]!]!;
    const got = constantF32(g, w.index);
    const { scale: [s], zeroPoint: [z] } = w.quant!;
    expect(got.length).toBe(32 * 3 * 3 * 3);
    for (const i of [0, 1, 100, 863]) expect(got[i]).toBe(Math.fround(s! * (w.data![i]! - z!)));
    // The int32 bias, scale = input scale × weight scale, zero point 0.
    const b = g.tensors[g.ops[0]!.inputs[2]!]!;
    const q0 = new DataView(b.data!.buffer, b.data!.byteOffset).getInt32(0, true);
    expect(constantF32(g, b.index)[0]).toBe(Math.fround(b.quant!.scale[0]! * q0));
  });

  it('int8 per channel along the quantised axis, float16 and float32', () => {
    const q = new Int8Array([-128, 0, 127, 10, -10, 1]);
    const perChannel = tensor({ type: 'INT8', quant: { scale: [0.5, 2], zeroPoint: [0, 1], axis: 0 }, data: new Uint8Array(q.buffer) });
    expect([...dequantize(perChannel)]).toEqual([-64, 0, 63.5, 18, -22, 0]);
    const lastAxis = tensor({ type: 'INT8', quant: { scale: [1, 10, 100], zeroPoint: [0, 0, 0], axis: 1 }, data: new Uint8Array(q.buffer) });
    expect([...dequantize(lastAxis)]).toEqual([-128, 0, 12700, 10, -100, 100]);
    // 1.0, -2.0, 0.5, 65504, 2^-24 (the smallest subnormal), -0
    const halves = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x8000]);
    expect([...dequantize(tensor({ type: 'FLOAT16', data: new Uint8Array(halves.buffer) }))]).toEqual([1, -2, 0.5, 65504, 2 ** -24, -0]);
    const floats = new Float32Array([1.5, -3.25, 0, 1e-8, 7, 8]);
    expect([...dequantize(tensor({ type: 'FLOAT32', data: new Uint8Array(floats.buffer) }))]).toEqual([...floats]);
    expect(() => dequantize(tensor({ type: 'UINT8', data: new Uint8Array(6) }))).toThrow(/without quantisation parameters/);
    expect(() => dequantize(tensor({ type: 'FLOAT32', data: new Uint8Array(8) }))).toThrow(/should have 24 bytes/);
  });
});

describe('mapping onto our families', () => {
  // The file's own weight and bias values, all of them: our model has exactly these parameters.
  const fileParams = (g: TfliteGraph) =>
    g.ops.filter((o) => o.code === Op.CONV_2D || o.code === Op.DEPTHWISE_CONV_2D).reduce((n, o) => n + o.inputs.slice(1).reduce((m, i) => m + g.tensors[i]!.shape.reduce((a, b) => a * b, 1), 0), 0);

  it.each([
    [TFLITE_FILES[0], 'mobilenet-v2', 'tflite-mobilenet-v2-1.0-224-quant', 1, 224, 300_775_552],
    [TFLITE_FILES[1], 'mobilenet-v1', 'tflite-mobilenet-v1-0.75-192-quant', 0.75, 192, 239_274_240],
    [TFLITE_FILES[2], 'mobilenet-v1', 'tflite-mobilenet-v1-0.5-160-quant', 0.5, 160, 76_525_312],
    [TFLITE_FILES[3], 'mobilenet-v1', 'tflite-mobilenet-v1-0.25-128-quant', 0.25, 128, 13_570_304],
  ])('%s: %s, id %s, alpha %s at %s, MACs %s', async (f, family, id, alpha, size, macs) => {
    const { card, tensors } = await imported(f);
    const g = parseTflite(read(f));
    expect([card.family, card.id, card.tflite?.alpha, card.tflite?.rho, card.preprocess.size]).toEqual([family, id, alpha, size / 224, [size, size]]);
    expect(card.params).toBe(fileParams(g));
    expect(tensors.reduce((n, t) => n + t.data.length, 0)).toBe(card.params);
    expect(card.macs).toBe(macs);
    expect(card.config).toMatchObject({ padding: 'tf-same', foldedBn: true, numClasses: 1001 });
    // [-1, 1] from the file's input quantisation: (255 x − 128) / 128.
    expect(card.preprocess.mean[0]).toBeCloseTo(128 / 255, 12);
    expect(card.preprocess.std[0]).toBeCloseTo(128 / 255, 12);
    expect(card.labels.length).toBe(1001);
    expect(card.labels[0]).toMatch(/background/);
    expect(card.tflite).toMatchObject({ dtype: 'UINT8', quantisation: 'per-tensor', publishedTop1: { value: PUBLISHED_TFLITE[card.weights.sha256]!.top1 } });
  });

  /** The graph with every conv weight re-stored by `store` (bias, pooling and the rest untouched). */
  function restored(g: TfliteGraph, store: (t: TfliteTensor, real: Float32Array) => Partial<TfliteTensor>, extraOps: (t: TfliteTensor) => TfliteGraph['ops'] = () => []): TfliteGraph {
    const weightIds = new Set(g.ops.filter((o) => o.code === Op.CONV_2D || o.code === Op.DEPTHWISE_CONV_2D).map((o) => o.inputs[1]!));
    const tensors = g.tensors.map((t) => (weightIds.has(t.index) ? { ...t, ...store(t, constantF32(g, t.index)) } : t));
    return { ...g, tensors, ops: [...tensors.filter((t) => weightIds.has(t.index)).flatMap(extraOps), ...g.ops] };
  }
  const absMax = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  /** float32 -> IEEE half, round to nearest even (normal range only: these weights are). */
  function toHalf(v: number): number {
    const f = new Float32Array([v]);
    const u = new Uint32Array(f.buffer)[0]!;
    const sign = (u >>> 16) & 0x8000;
    const e = ((u >>> 23) & 0xff) - 127 + 15;
    if (e <= 0) return sign; // underflow to zero (values below 6e-5)
    const m = u & 0x7fffff;
    let h = sign | (e << 10) | (m >>> 13);
    const rest = m & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
    return h;
  }

  it('maps float32, float16 (behind DEQUANTIZE ops) and int8 per-channel copies of a file to the same weights', async () => {
    const src = { file: 'x.tflite', url: '', sha256: '', bytes: 0 };
    const g = parseTflite(read(TFLITE_FILES[3]));
    const base = await mapTfliteMobilenet(g, src);
    const compare = (imp: TfliteImport, tol: (ref: Float32Array) => number) => {
      for (const [i, t] of imp.tensors.entries()) {
        const ref = base.tensors[i]!;
        expect(t.name).toBe(ref.name);
        let worst = 0;
        for (let k = 0; k < ref.data.length; k++) worst = Math.max(worst, Math.abs(t.data[k]! - ref.data[k]!));
        expect(worst, t.name).toBeLessThanOrEqual(tol(ref.data));
      }
    };
    const f32 = await mapTfliteMobilenet(restored(g, (_, real) => ({ type: 'FLOAT32', quant: null, data: bytesOf(real) })), src);
    compare(f32, () => 0);
    expect(f32.card.tflite).toMatchObject({ dtype: 'FLOAT32', quantisation: null });
    // float16 files keep weights as FLOAT16 constants that a DEQUANTIZE op widens: the conv reads the op's output.
    let next = g.tensors.length;
    const halfGraph = (() => {
      const ids = new Map<number, number>();
      const h = restored(g, (_, real) => ({ type: 'FLOAT16', quant: null, data: bytesOf(new Uint16Array(Array.from(real, toHalf))) }), (t) => {
        ids.set(t.index, next);
        return [{ code: Op.DEQUANTIZE, name: 'DEQUANTIZE', inputs: [t.index], outputs: [next++], raw: g.ops[0]!.raw }];
      });
      const out = [...h.tensors, ...[...ids].map(([from, to]) => ({ ...h.tensors[from]!, index: to, type: 'FLOAT32', data: null }))];
      const ops = h.ops.map((o) => (o.code === Op.DEQUANTIZE ? o : { ...o, inputs: o.inputs.map((i, k) => (k === 1 && ids.has(i) ? ids.get(i)! : i)) }));
      return { ...h, tensors: out, ops };
    })();
    const half = await mapTfliteMobilenet(halfGraph, src);
    expect(half.card.tflite).toMatchObject({ dtype: 'FLOAT16', quantisation: null });
    compare(half, (ref) => absMax(ref) * 2 ** -11);
    // int8, one symmetric scale per output channel: axis 0 of a conv's [O, H, W, I], axis 3 of a depthwise [1, H, W, C].
    const i8 = await mapTfliteMobilenet(restored(g, (t, real) => {
      const axis = t.shape[0] === 1 ? 3 : 0;
      const n = t.shape[axis]!;
      const inner = t.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const scale = Array.from({ length: n }, () => 0);
      real.forEach((v, k) => { const c = Math.floor(k / inner) % n; scale[c] = Math.max(scale[c]!, Math.abs(v) / 127); });
      const q = Int8Array.from(real, (v, k) => Math.round(v / (scale[Math.floor(k / inner) % n]! || 1)));
      return { type: 'INT8', quant: { scale: scale.map((x) => x || 1), zeroPoint: scale.map(() => 0), axis }, data: bytesOf(q) };
    }), src);
    expect(i8.card.tflite).toMatchObject({ dtype: 'INT8', quantisation: 'per-channel' });
    compare(i8, (ref) => absMax(ref) / 254 + 1e-7);
  });

  it('refuses another architecture and an op it does not map, naming them', async () => {
    const g = parseTflite(read(TFLITE_FILES[3]));
    const src = { file: 'x.tflite', url: '', sha256: '', bytes: 0 };
    // A layer dropped: the convs no longer line up with MobileNet v1's.
    const dropped: TfliteGraph = { ...g, ops: g.ops.filter((_, i) => i !== 3) };
    await expect(mapTfliteMobilenet(dropped, src)).rejects.toThrow(/another architecture/);
    const unknown: TfliteGraph = { ...g, ops: g.ops.map((o, i) => (i === 5 ? { ...o, code: Op.MAX_POOL_2D, name: 'MAX_POOL_2D' } : o)) };
    await expect(mapTfliteMobilenet(unknown, src)).rejects.toThrow(/uses MAX_POOL_2D, which this importer does not map/);
    const v2 = parseTflite(read(TFLITE_FILES[0]));
    const noResidual: TfliteGraph = { ...v2, ops: v2.ops.filter((o, i) => !(o.code === Op.ADD && i === v2.ops.findIndex((p) => p.code === Op.ADD))) };
    await expect(mapTfliteMobilenet(noResidual, src)).rejects.toThrow(/9 residual ADDs; MobileNetV2 has 10/);
  });
});

describe('the imported models on real photos', () => {
  /** Our float model's probabilities over the 1001 outputs for a photo, with the README's crop. */
  async function classify(imp: TfliteImport, photo: string): Promise<Float32Array> {
    const model = await loadClassifier(imp.card, () => new Map(imp.tensors.map((t) => [t.name, tf.tensor(t.data, t.shape)])));
    const sq = centreSquare(decodePhoto(join(IMAGENET_PHOTOS_DIR, photo)));
    const { mean: [m], std: [s] } = imp.card.preprocess;
    const probs = tf.tidy(() => {
      const img = tf.image.resizeBilinear(tf.tensor4d(sq.data, [1, sq.height, sq.width, 3], 'float32'), imp.card.preprocess.size, false, true);
      return tf.softmax(model.forward(tf.div(tf.sub(tf.div(img, 255), m!), s!), EVAL));
    });
    const out = (await probs.data()) as Float32Array;
    probs.dispose();
    model.dispose();
    return out;
  }
  const argmax = (p: Float32Array) => p.indexOf(Math.max(...p));

  it('MobileNetV2 names every photo as its README does (the interpreter\'s top-1 there)', async () => {
    const imp = await imported(TFLITE_FILES[0]);
    const before = tf.memory().numTensors;
    const top = [];
    for (const { file } of IMAGENET_PHOTOS) top.push(imp.card.labels[argmax(await classify(imp, file))]);
    expect(top).toEqual(['Egyptian cat', 'military uniform', 'hot dog', 'chickadee']);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('each MobileNet v1 names the cat one of the README\'s three cats', async () => {
    for (const f of TFLITE_FILES.slice(1)) {
      const p = await classify(await imported(f), 'cat.bmp');
      // Index 0 is background: the 1000-class index is one less.
      expect(IMAGENET_PHOTOS[0]!.classes).toContain(argmax(p) - 1);
    }
  }, 120_000);
});

describe('the ImageNet labels', () => {
  it('are short readable names, one per class, unique, with background first in the 1001', () => {
    expect(IMAGENET_LABELS).toHaveLength(1000);
    expect(new Set(IMAGENET_LABELS).size).toBe(1000);
    for (const l of IMAGENET_LABELS) {
      expect(l, l).not.toMatch(/,/);
      expect(l.length, l).toBeLessThanOrEqual(30);
      expect(l, l).toBe(l.trim());
    }
    expect([281, 282, 285, 652, 934, 19, 7, 517, 134].map((i) => IMAGENET_LABELS[i])).toEqual(['tabby cat', 'tiger cat', 'Egyptian cat', 'military uniform', 'hot dog', 'chickadee', 'rooster', 'construction crane', 'crane bird']);
    // A rename is a rename: never the torchvision name again, and only of existing indices.
    for (const [i, name] of Object.entries(READABLE)) {
      expect(Number(i)).toBeLessThan(1000);
      expect(name).not.toBe(TORCHVISION_IMAGENET_NAMES[Number(i)]);
    }
    expect(IMAGENET_LABELS_1001[0]).toBe('background');
    expect(IMAGENET_LABELS_1001.slice(1)).toEqual(IMAGENET_LABELS);
  });
});
