// The Tour's feature maps, deconvnet, guided backprop and Grad-CAM against PyTorch
// implementations of the same methods (tools/tour_fixtures.py) on the small parity models'
// weights (tests/fixtures/parity). Tolerance: 1e-4 of the largest value, as the zoo's parity;
// every call leaves the tensor count as it found it.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildModel, type Classifier } from '../../models/builders';
import type { ArchitectureOf } from '../../models/card';
import { parseSafetensors } from '../../models/safetensors';
import { toTfWeights } from '../../models/weights';
import { findCard } from '../../models/registry';
import { maxErrors } from './parity-helpers';
import { featureMaps, forwardWithLayer, topChannels } from '../../workers/tour/feature-maps';
import { deconvnet, gradCam, gradCamLayer, guidedBackprop, plainSteps, top1 } from '../../workers/tour/explain';

const ROOT = resolve(__dirname, '../..');
const read = (p: string) => {
  const b = readFileSync(resolve(ROOT, p));
  return parseSafetensors(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
};

async function parityModel(name: string): Promise<Classifier> {
  const parsed = read(`tests/fixtures/parity/${name}.safetensors`);
  const model = await buildModel({ family: parsed.metadata.family!, config: JSON.parse(parsed.metadata.config!) } as ArchitectureOf);
  const weights = toTfWeights(model, parsed);
  model.materialize(weights);
  tf.dispose([...weights.values()]);
  return model;
}

const nhwc = (t: { data: Float32Array; shape: number[] }) => tf.tidy(() => tf.transpose(tf.tensor(t.data, t.shape, 'float32'), [0, 2, 3, 1]));

async function close(got: tf.Tensor, want: { data: Float32Array; shape: number[] }, what: string) {
  const w = want.shape.length === 4 ? nhwc(want) : tf.tensor(want.data, want.shape);
  expect(got.shape, what).toEqual(w.shape);
  const { maxDiff, maxAbs } = maxErrors(await w.data(), await got.data());
  w.dispose();
  console.info(`${what}: max diff / max |value| = ${(maxDiff / maxAbs).toExponential(2)}`);
  expect(maxAbs, what).toBeGreaterThan(0);
  expect(maxDiff, what).toBeLessThanOrEqual(1e-4 * maxAbs);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('feature maps against PyTorch (reduced CIFAR AlexNet)', () => {
  const fx = read('tests/fixtures/tour/alexnet_cifar.safetensors');
  const input = fx.tensors.get('input')!;

  it("a layer's maps are the model's intermediate output, fused or not", async () => {
    const model = await parityModel('alexnet_cifar');
    const x = nhwc(input);
    for (const fuse of [false, true]) {
      if (fuse) model.fuseForInference();
      const before = tf.memory().numTensors;
      const { logits, act } = forwardWithLayer(model, 'features.4', x);
      // Fused, the ReLU after features.4 runs in the conv's kernel (Sequential.fuseForInference),
      // so the layer's output is PyTorch's map rectified.
      const map = fx.tensors.get('fmap.features.4')!;
      const want = fuse ? { data: map.data.map((v) => Math.max(0, v)), shape: map.shape } : map;
      await close(act, want, `features.4 maps (fused: ${fuse})`);
      await close(logits, fx.tensors.get('logits')!, `logits (fused: ${fuse})`);
      tf.dispose([logits, act]);
      expect(tf.memory().numTensors).toBe(before);
    }
    // The drawn bytes of the fused model (as the Tour runs it): each channel of PyTorch's
    // rectified map scaled to its own 0..255.
    const before = tf.memory().numTensors;
    const m = await featureMaps(findCard('alexnet-cifar10'), model, 'features.4', x);
    expect(tf.memory().numTensors).toBe(before);
    const map = fx.tensors.get('fmap.features.4')!;
    const want = { data: map.data.map((v) => Math.max(0, v)), shape: map.shape };
    const [, c, h, w] = want.shape as [number, number, number, number];
    expect([m.c, m.h, m.w]).toEqual([c, h, w]);
    let worst = 0;
    const means = new Float32Array(c);
    for (let ch = 0; ch < c; ch++) {
      const plane = want.data.subarray(ch * h * w, (ch + 1) * h * w);
      const lo = Math.min(...plane);
      const hi = Math.max(...plane);
      means[ch] = plane.reduce((a, v) => a + v, 0) / plane.length;
      // A flat channel (rectified to all zeros) draws black.
      plane.forEach((v, i) => (worst = Math.max(worst, Math.abs((hi > lo ? Math.round((255 * (v - lo)) / (hi - lo)) : 0) - m.maps[ch * h * w + i]!))));
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(m.top).toEqual(topChannels(means));
    expect(m.top).toHaveLength(9);
    x.dispose();
    model.dispose();
  });

  it('finds plain stacks in the seed plain families only', async () => {
    for (const id of ['lenet5-cifar10', 'lenet5-modern-cifar10', 'alexnet-cifar10', 'zfnet-cifar10', 'vgg11-cifar10']) expect(await plainSteps(await buildModel(findCard(id))), id).not.toBeNull();
    for (const id of ['googlenet-cifar10', 'resnet20-cifar10', 'mobilenet-v1-cifar10', 'mobilenet-v2-cifar10', 'convnext-cifar10']) expect(await plainSteps(await buildModel(findCard(id))), id).toBeNull();
  });
});

describe('the deconvnet against PyTorch: switches, ReLU, transposed convs (and LeNet-5 1998 subsampling, C3, squashing)', () => {
  const cases = [
    ['alexnet_cifar', 'features.4', 5],
    ['alexnet_cifar', 'features.12', 3],
    ['lenet_1998', 'c3', 7],
    ['lenet_1998', 'c5', 11],
  ] as const;
  for (const [name, layer, channel] of cases) {
    it(`${name}: ${layer} channel ${channel}`, async () => {
      const fx = read(`tests/fixtures/tour/${name}.safetensors`);
      const model = await parityModel(name);
      const steps = (await plainSteps(model))!;
      const x = nhwc(fx.tensors.get('input')!);
      const probe = forwardWithLayer(model, layer, x);
      const w = probe.act.shape[2]!;
      tf.dispose([probe.logits, probe.act]);
      const before = tf.memory().numTensors;
      const d = await deconvnet(steps, layer, channel, x);
      const [best, value] = fx.tensors.get(`deconv.${layer}.${channel}.at`)!.data;
      expect(d.at).toEqual([Math.floor(best! / w), best! % w]);
      expect(d.value).toBeCloseTo(value!, 4);
      await close(d.image, fx.tensors.get(`deconv.${layer}.${channel}`)!, `deconv ${name} ${layer}.${channel}`);
      d.image.dispose();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
      model.dispose();
    });
  }
});

describe('guided backprop and Grad-CAM, against PyTorch (CIFAR ResNet-8)', () => {
  const fx = read('tests/fixtures/tour/resnet_cifar8.safetensors');

  it('top-1, guided input gradient and the class map at layer3', async () => {
    const model = await parityModel('resnet_cifar8');
    const x = nhwc(fx.tensors.get('input')!);
    const cls = await top1(model, x);
    expect(cls).toBe(fx.tensors.get('class')!.data[0]);
    const before = tf.memory().numTensors;
    const g = guidedBackprop(model, x, cls);
    await close(g, fx.tensors.get('guided')!, 'guided backprop');
    g.dispose();
    expect(gradCamLayer(model, x)).toBe('layer3');
    const cam = gradCam(model, x, cls, 'layer3');
    await close(cam, fx.tensors.get('gradcam.layer3')!, 'Grad-CAM');
    cam.dispose();
    expect(tf.memory().numTensors).toBe(before);
    // The ReLU gradient is the ordinary one again afterwards.
    const plain = tf.grad((z: tf.Tensor) => tf.sum(tf.relu(z)))(tf.tensor1d([-1, 2]));
    expect(Array.from(await plain.data())).toEqual([0, 1]);
    x.dispose();
    model.dispose();
  });
});
