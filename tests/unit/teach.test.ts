// The Teach view's pure logic: class names, what can be learned, the held-out split, weight
// imprinting, the trained softmax head (on TF.js's cpu backend) and the dataset file.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { classNamesProblem, fineTuneProblem, heldOutIds, learnProblem, sampleSize } from '../../workers/contracts/teach-rules';
import { argmax, countCorrect, imprint, IMPRINT_SCALE, l2Normalize, logits } from '../../workers/teach/imprint';
import { trainHead } from '../../workers/teach/head';
import { fineTune, fineTuneConfig, namedState } from '../../workers/teach/finetune';
import { decodeDataset, encodeDataset } from '../../workers/teach/dataset-file';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cls = (...names: string[]) => names.map((name, i) => ({ id: `c${i}`, name }));

describe('class names and what can be learned', () => {
  it('refuses empty, repeated (case-blind, trimmed) and too many names', () => {
    expect(classNamesProblem(cls('mug', 'cat'))).toBeNull();
    expect(classNamesProblem(cls('mug', '  '))).toMatch(/Class 2 has no name/);
    expect(classNamesProblem(cls('Mug', 'cat', 'mug '))).toMatch(/Two classes are named "mug" \(1 and 3\)/);
    expect(classNamesProblem(cls(...'abcdefghijk'.split('')))).toMatch(/At most 10 classes/);
  });
  it('needs two classes, each with a sample', () => {
    expect(learnProblem(cls('mug'), [{ classId: 'c0' }])).toMatch(/at least 2 classes: with only "mug"/);
    expect(learnProblem(cls('mug', 'cat', 'dog'), [{ classId: 'c0' }])).toMatch(/"cat", "dog" have no samples/);
    expect(learnProblem(cls('mug', 'cat'), [{ classId: 'c0' }])).toMatch(/"cat" has no samples/);
    expect(learnProblem(cls('mug', 'cat'), [{ classId: 'c0' }, { classId: 'c1' }])).toBeNull();
  });
});

describe('held-out split', () => {
  it('holds out every 5th sample of each class in the order added, whatever the list order', () => {
    const s = Array.from({ length: 12 }, (_, i) => ({ id: `a${i}`, classId: 'a', addedAt: 100 + i }));
    const t = Array.from({ length: 4 }, (_, i) => ({ id: `b${i}`, classId: 'b', addedAt: 100 + i }));
    const held = heldOutIds([...s, ...t].reverse());
    expect([...held].sort()).toEqual(['a4', 'a9']);
  });
  it('stores frames with the aspect kept, long side at most 320', () => {
    expect(sampleSize(640, 480)).toEqual({ width: 320, height: 240 });
    expect(sampleSize(200, 100)).toEqual({ width: 200, height: 100 });
  });
});

describe('weight imprinting', () => {
  it('makes each class weight the scaled, normalised mean of its normalised embeddings', () => {
    const e = [l2Normalize([1, 0, 0]), l2Normalize([1, 1, 0]), l2Normalize([0, 0, 2])];
    const head = imprint(e, [0, 0, 1], 2);
    const m0 = l2Normalize([1 + Math.SQRT1_2, Math.SQRT1_2, 0]);
    // [in, out] layout: weight[j * classes + c].
    for (let j = 0; j < 3; j++) {
      expect(head.weight[j * 2]).toBeCloseTo(IMPRINT_SCALE * m0[j]!, 5);
      expect(head.weight[j * 2 + 1]).toBeCloseTo(IMPRINT_SCALE * [0, 0, 1][j]!, 5);
    }
    expect([...head.bias]).toEqual([0, 0]);
    // The logit is the scaled cosine to the class mean.
    const x = l2Normalize([0.2, 0.1, 1]);
    const z = logits(head, x);
    expect(z[1]).toBeCloseTo(IMPRINT_SCALE * x[2]!, 5);
    expect(argmax(z)).toBe(1);
    expect(countCorrect(head, [l2Normalize([3, 1, 0]), x], [0, 1])).toBe(2);
  });
  it('refuses a class with no samples', () => {
    expect(() => imprint([l2Normalize([1, 0])], [0], 2)).toThrow(/Class 1 has no samples/);
  });
});

describe('trained head', () => {
  it('lowers the loss, separates the classes, and leaves no tensor behind', async () => {
    let s = 7;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
    const centres = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
    const labels = Array.from({ length: 30 }, (_, i) => i % 3);
    const e = labels.map((c) => l2Normalize(centres[c]!.map((v) => v + 0.6 * rnd())));
    // A first run leaves TF.js's one-time constants behind; a second must leave nothing.
    await trainHead(e, labels, 3, { epochs: 2, lr: 0.05 });
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const { head, losses } = await trainHead(e, labels, 3, { epochs: 60, lr: 0.05, onEpoch: (ep) => void epochs.push(ep) });
    expect(tf.memory().numTensors).toBe(before);
    expect(epochs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(losses[0]).toBeCloseTo(Math.log(3), 5); // zeros: uniform softmax
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
    expect(countCorrect(head, e, labels)).toBe(30);
  });
  it('matches one hand-computed gradient step of softmax cross-entropy', async () => {
    // From zeros, Adam's first step moves every parameter by -lr * sign(gradient).
    const e = [Float32Array.from([1, 0]), Float32Array.from([0, 1])];
    const { head } = await trainHead(e, [0, 1], 2, { epochs: 1, lr: 0.1, weightDecay: 0 });
    // dL/dW[j][c] = mean over samples of x_j (p_c - y_c), p = 1/2: W[0][0] gets -1/4 (moves up), W[0][1] +1/4.
    expect([...head.weight].map((v) => +v.toFixed(4))).toEqual([0.1, -0.1, -0.1, 0.1]);
    expect([...head.bias].map((v) => +v.toFixed(4))).toEqual([0, 0]);
  });
  it('trains a small MLP that separates classes no linear head can (XOR), and leaves no tensor behind', async () => {
    // XOR of the sign of two coordinates: not linearly separable, so only the hidden layer can fit it.
    let s = 11;
    const rnd = () => ((s = (s * 16807) % 2147483647) / 2147483647) - 0.5;
    const pts = Array.from({ length: 40 }, (_, i) => [i & 1 ? 1 : -1, i & 2 ? 1 : -1] as const);
    const labels = pts.map(([a, b]) => (a * b > 0 ? 0 : 1));
    const e = pts.map(([a, b]) => l2Normalize([a + 0.3 * rnd(), b + 0.3 * rnd(), 0.2, 0, 0, 0, 0, 0]));
    await trainHead(e, labels, 2, { epochs: 2, lr: 0.05, mlp: true });
    const before = tf.memory().numTensors;
    const mlp = await trainHead(e, labels, 2, { epochs: 200, lr: 0.05, mlp: true, weightDecay: 0 });
    // Seeded: the same hidden layer every run.
    expect((await trainHead(e, labels, 2, { epochs: 1, lr: 0.05, mlp: true })).hidden!.weight).toEqual((await trainHead(e, labels, 2, { epochs: 1, lr: 0.05, mlp: true })).hidden!.weight);
    expect(tf.memory().numTensors).toBe(before);
    expect(mlp.hidden).toMatchObject({ inputs: 8, classes: 8 });
    expect(mlp.losses.at(-1)!).toBeLessThan(0.2 * mlp.losses[0]!);
    expect(countCorrect(mlp.head, e, labels, mlp.hidden)).toBe(40);
    const linear = await trainHead(e, labels, 2, { epochs: 200, lr: 0.05, weightDecay: 0 });
    expect(linear.hidden).toBeUndefined();
    expect(countCorrect(linear.head, e, labels)).toBeLessThan(40);
  });
  it('stops when its signal aborts', async () => {
    const c = new AbortController();
    c.abort();
    await expect(trainHead([Float32Array.from([1])], [0], 2, { epochs: 5, lr: 0.1, signal: c.signal })).rejects.toThrow();
  });
});

describe('dataset file', () => {
  const jpeg = new Blob([new Uint8Array([0xff, 0xd8, 1, 2, 3])], { type: 'image/jpeg' });
  const samples = [{ id: 's1', classId: 'c0', addedAt: 5, source: 'camera' as const, width: 4, height: 3, bytes: 5, image: jpeg }];
  it('round-trips classes and samples', async () => {
    const file = await encodeDataset(cls('mug', 'cat'), samples);
    const back = await decodeDataset(file, async () => true);
    expect(back.classes).toEqual(cls('mug', 'cat'));
    expect(back.samples.map(({ image: _i, ...r }) => r)).toEqual(samples.map(({ image: _i, ...r }) => r));
    expect(new Uint8Array(await back.samples[0]!.image.arrayBuffer())).toEqual(new Uint8Array([0xff, 0xd8, 1, 2, 3]));
  });
  it('refuses other files, and samples that are not images, with a message', async () => {
    await expect(decodeDataset(new Blob(['hello']), async () => true)).rejects.toThrow(/not a ConvCam Teach dataset file \(it is not JSON\)/);
    await expect(decodeDataset(new Blob(['{"a":1}']), async () => true)).rejects.toThrow(/not a ConvCam Teach dataset file/);
    await expect(decodeDataset(await encodeDataset(cls('mug', 'cat'), samples), async () => false)).rejects.toThrow(/Sample 1 of the file is not an image/);
    await expect(decodeDataset(await encodeDataset(cls('mug', 'mug'), samples), async () => true)).rejects.toThrow(/classes are not usable/);
  });
});

describe('a taught model classifies the L2-normalised embedding', () => {
  it('gives head(features / |features|) for any family, here LeNet-5', async () => {
    const { findCard } = await import('../../models/registry');
    const { withNumClasses } = await import('../../models/card');
    const { loadClassifier } = await import('../../models/builders');
    const { EVAL } = await import('../../models/nn');
    const base = findCard('lenet5-modern-cifar10');
    const taught = { backbone: base.id, backboneName: base.name, method: 'instant' as const, samples: 3, heldOutAccuracy: null, heldOutCount: 0, learnedAt: 0 };
    const card = { ...withNumClasses(base, 3), id: 'taught-test', labels: ['a', 'b', 'c'], taught };
    const plain = await loadClassifier({ ...card, taught: undefined }, null, { seed: 3 });
    const model = await loadClassifier(card, null, { seed: 3 });
    const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 5);
    const got = await model.forward(x, EVAL).array() as number[][];
    const f = plain.features(x, EVAL);
    const head = (n: string) => model.variables().find((v) => v.name === `${model.headName}.${n}`)!.variable;
    const want = await tf.add(tf.matMul(tf.div(f, tf.norm(f, 'euclidean', -1, true)), head('weight')), head('bias')).array() as number[][];
    const unnormalised = await plain.forward(x, EVAL).array() as number[][];
    for (let i = 0; i < 2; i++) for (let c = 0; c < 3; c++) expect(got[i]![c]).toBeCloseTo(want[i]![c]!, 5);
    expect(Math.max(...got.flat().map((v, i) => Math.abs(v - unnormalised.flat()[i]!)))).toBeGreaterThan(1e-3);
  });
  it('a taught MLP gives head(relu(hidden(features / |features|))), and its hidden layer counts and exports', async () => {
    const { findCard } = await import('../../models/registry');
    const { withNumClasses } = await import('../../models/card');
    const { loadClassifier, buildModel, TAUGHT_HIDDEN } = await import('../../models/builders');
    const { EVAL } = await import('../../models/nn');
    const base = findCard('lenet5-modern-cifar10');
    const taught = { backbone: base.id, backboneName: base.name, method: 'mlp' as const, samples: 3, heldOutAccuracy: null, heldOutCount: 0, learnedAt: 0 };
    const card = { ...withNumClasses(base, 3), id: 'taught-mlp-test', labels: ['a', 'b', 'c'], taught };
    const plain = await loadClassifier({ ...card, taught: undefined }, null, { seed: 3 });
    const model = await loadClassifier(card, null, { seed: 3 });
    const v = (n: string) => model.variables().find((x) => x.name === n)!.variable;
    const d = v(`${model.headName}.weight`).shape[0]!;
    expect(v(`${TAUGHT_HIDDEN}.weight`).shape).toEqual([d, d]);
    expect((await buildModel(card)).paramCount() - (await buildModel(withNumClasses(base, 3))).paramCount()).toBe(d * d + d);
    const x = tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 5);
    const got = await model.forward(x, EVAL).array() as number[][];
    const f = plain.features(x, EVAL);
    const h = tf.relu(tf.add(tf.matMul(tf.div(f, tf.norm(f, 'euclidean', -1, true)), v(`${TAUGHT_HIDDEN}.weight`)), v(`${TAUGHT_HIDDEN}.bias`)));
    const want = await tf.add(tf.matMul(h, v(`${model.headName}.weight`)), v(`${model.headName}.bias`)).array() as number[][];
    for (let i = 0; i < 2; i++) for (let c = 0; c < 3; c++) expect(got[i]![c]).toBeCloseTo(want[i]![c]!, 5);
  });
});

describe('full fine-tuning', () => {
  it('is refused on wasm (no convolution gradients) and for a backbone of non-square input, with a message', () => {
    expect(fineTuneProblem('wasm', [32, 32])).toMatch(/wasm backend cannot.*WebGPU or WebGL/);
    expect(fineTuneProblem('webgl', [224, 160])).toMatch(/square images, and this backbone takes 160x224/);
    expect(fineTuneProblem('webgl', [224, 224])).toBeNull();
    expect(fineTuneProblem('webgl', [32, 32])).toBeNull();
    expect(fineTuneProblem('webgpu', [32, 32])).toBeNull();
  });
  it('trains the whole backbone and the new head through the Train view\'s trainer, and leaves no tensor behind', async () => {
    const { findCard } = await import('../../models/registry');
    const { withNumClasses } = await import('../../models/card');
    const { loadClassifier } = await import('../../models/builders');
    const base = findCard('lenet5-modern-cifar10');
    const taught = { backbone: base.id, backboneName: base.name, method: 'finetune' as const, samples: 20, heldOutAccuracy: null, heldOutCount: 4, learnedAt: 0 };
    const card = { ...withNumClasses(base, 2), id: 'taught-finetune-test', labels: ['red', 'blue'], taught };
    const model = await loadClassifier(card, null, { fuse: false, seed: 2 });
    // Two classes anyone can tell apart: reddish and bluish noise images, 32x32 RGB.
    let s = 5;
    const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
    const set = (n: number, side = 32) => {
      const labels = Uint8Array.from({ length: n }, (_, i) => i % 2);
      const pixels = new Uint8Array(n * side * side * 3);
      for (let i = 0; i < n; i++) for (let p = 0; p < side * side; p++) {
        const o = (i * side * side + p) * 3;
        pixels[o] = labels[i] ? 40 * rnd() : 160 + 90 * rnd();
        pixels[o + 1] = 80 * rnd();
        pixels[o + 2] = labels[i] ? 160 + 90 * rnd() : 40 * rnd();
      }
      return { labels, pixels, side };
    };
    const train = set(16);
    const test = set(4);
    const before0 = new Map(namedState(model).map(([n, t]) => [n, t.dataSync().slice()]));
    const cfg = fineTuneConfig(base.id, 32, 16, { epochs: 8, lr: 3e-3 });
    const tensors = tf.memory().numTensors;
    const epochs: number[] = [];
    const steps: string[] = [];
    const r = await fineTune(model, base.preprocess, cfg, 2, train, test, { onEpoch: (e) => void epochs.push(e), onStep: (e, st, n) => void steps.push(`${e}:${st}/${n}`) });
    expect(tf.memory().numTensors).toBe(tensors);
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // 16 samples in batches of 16: one step an epoch, each reported, and the start.
    expect(steps).toEqual(['1:0/1', ...epochs.map((e) => `${e}:1/1`)]);
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]!);
    expect(r.correct).toBe(4);
    // Every parameter moved: the backbone's first conv as well as the head.
    const after = new Map(namedState(model).map(([n, t]) => [n, t.dataSync()]));
    const moved = [...model.variables()].filter((v) => !v.spec.buffer).map((v) => v.name).filter((n) => after.get(n)!.some((x, i) => x !== before0.get(n)![i]));
    expect(moved).toEqual(model.variables().filter((v) => !v.spec.buffer).map((v) => v.name));
    // Samples stored at another side than the model's input (as an ImageNet backbone's 224)
    // are cropped in their own pixels and resized to the input: the set's side is read, not assumed.
    const big = fineTuneConfig(base.id, 32, 8, { epochs: 1, lr: 3e-3 });
    expect(big.augment.cropPadding).toBe(2);
    expect(fineTuneConfig(base.id, 224, 8, { epochs: 1, lr: 3e-3 }).augment.cropPadding).toBe(14);
    const r64 = await fineTune(model, base.preprocess, big, 2, set(8, 64), set(4, 64), {});
    expect(tf.memory().numTensors).toBe(tensors);
    expect(r64.correct).toBe(4);
    const c = new AbortController();
    c.abort();
    await expect(fineTune(model, base.preprocess, cfg, 2, train, test, { signal: c.signal })).rejects.toThrow();
    model.dispose();
  });
});
