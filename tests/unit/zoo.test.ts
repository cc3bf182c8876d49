// Model zoo: exact parameter counts (from the specs, nothing materialised), MACs against the
// published figures, LeNet-5's per-layer counts from the paper, forward shapes of reduced
// models, head replacement, and the pooling helpers.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { Conv2d, EVAL, Linear, type Module } from '../../models/nn';
import { adaptiveAvgPool2d, maxPool2d, makeDivisible, type ZooModel } from '../../models/layers';
import { profile, profileCard } from '../../models/profile';
import { buildModel } from '../../models/builders';
import { ZOO_CARDS } from '../../models/registry';
import { CARDS, findCard } from '../../models/registry';
import type { ModelCard } from '../../models/card';
import { build as lenet, LENET5_PAPER } from '../../models/families/lenet';
import { build as alexnet } from '../../models/families/alexnet';
import { build as zfnet } from '../../models/families/zfnet';
import { build as vgg } from '../../models/families/vgg';
import { build as googlenet } from '../../models/families/googlenet';
import { build as resnet } from '../../models/families/resnet';
import { build as resnetCifar } from '../../models/families/resnet-cifar';
import { build as mobilenetV1 } from '../../models/families/mobilenet-v1';
import { mobileNetV1Costs } from '../../models/mobilenet-v1-costs';
import { build as mobilenetV2 } from '../../models/families/mobilenet-v2';
import { build as mobilenetV3 } from '../../models/families/mobilenet-v3';
import { build as convnext } from '../../models/families/convnext';
import { IMAGENET_LABELS, IMAGENET_LABELS_1001 } from '../../models/imagenet-labels';

const convForward = Conv2d.prototype.forward;
const linearForward = Linear.prototype.forward;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const within = (value: number, target: number, rel: number) => Math.abs(value - target) <= rel * target;

describe('zoo parameter counts', () => {
  const exact: [string, () => Module, number][] = [
    ['AlexNet (torchvision)', () => alexnet({}), 61_100_840],
    ['VGG-16', () => vgg({ depth: 16 }), 138_357_544],
    ['VGG-19', () => vgg({ depth: 19 }), 143_667_240],
    ['VGG-16-BN', () => vgg({ depth: 16, batchNorm: true }), 138_365_992],
    ['GoogLeNet (no aux)', () => googlenet({}), 6_624_904],
    ['ResNet-18', () => resnet({ depth: 18 }), 11_689_512],
    ['ResNet-34', () => resnet({ depth: 34 }), 21_797_672],
    ['ResNet-50', () => resnet({ depth: 50 }), 25_557_032],
    ['ResNet-101', () => resnet({ depth: 101 }), 44_549_160],
    ['MobileNetV2', () => mobilenetV2({}), 3_504_872],
    ['MobileNetV3-Large', () => mobilenetV3({}), 5_483_032],
    ['ConvNeXt-Tiny', () => convnext({}), 28_589_128],
    ['ResNet-20 (CIFAR)', () => resnetCifar({ depth: 20 }), 269_722],
    ['ResNet-56 (CIFAR)', () => resnetCifar({ depth: 56 }), 853_018],
    ['LeNet-5 (1998)', () => lenet({ variant: 'lecun1998' }), 60_850],
    ['LeNet-5 (modern)', () => lenet({ variant: 'modern' }), 61_706],
  ];
  // The CIFAR-10 line (issue 14): each card's architecture against its PyTorch reference's
  // count (training/train_line.py's MODELS, printed by sum(p.numel() for p in m.parameters())).
  const pytorch: [string, number][] = [
    ['alexnet-cifar10', 332_490],
    ['zfnet-cifar10', 330_954],
    ['vgg11-cifar10', 612_810],
    ['vgg16-cifar10', 957_210],
    ['googlenet-cifar10', 355_138],
    ['mobilenet-v1-cifar10', 823_722],
    ['mobilenet-v2-cifar10', 700_490],
    ['convnext-cifar10', 671_266],
  ];
  for (const [name, make, n] of exact) it(`${name}: ${n}`, () => expect(make().paramCount()).toBe(n));
  for (const [id, n] of pytorch) {
    it(`${id}: ${n} as PyTorch, at most 1M (4 MB of fp32)`, async () => {
      const card = findCard(id);
      expect((await buildModel(card)).paramCount()).toBe(n);
      expect(card.params).toBe(n);
      expect(n).toBeLessThanOrEqual(1_000_000);
    });
  }

  it('the CIFAR-10 AlexNet and ZFNet differ only in the first conv', async () => {
    const shapes = async (id: string) => new Map([...(await buildModel(findCard(id))).namedSpecs()].map(([n, s]) => [n, s.torchShape]));
    const a = await shapes('alexnet-cifar10');
    const z = await shapes('zfnet-cifar10');
    expect([...z.keys()]).toEqual([...a.keys()]);
    expect([...a.keys()].filter((n) => JSON.stringify(a.get(n)) !== JSON.stringify(z.get(n)))).toEqual(['features.0.weight']);
    expect([a.get('features.0.weight'), z.get('features.0.weight')]).toEqual([[32, 3, 5, 5], [32, 3, 3, 3]]);
  });

  it('CIFAR ResNets round to the paper figures (0.27M, 0.85M)', () => {
    expect((resnetCifar({ depth: 20 }).paramCount() / 1e6).toFixed(2)).toBe('0.27');
    expect((resnetCifar({ depth: 56 }).paramCount() / 1e6).toFixed(2)).toBe('0.85');
  });

  it('MobileNet v1 with a 1001-class head: about 4.24M (alpha 1.0) and 0.47M (alpha 0.25)', () => {
    expect(within(mobilenetV1({ alpha: 1 }).paramCount(), 4.24e6, 0.005)).toBe(true);
    expect(within(mobilenetV1({ alpha: 0.25 }).paramCount(), 0.47e6, 0.005)).toBe(true);
  });

  it('torchvision state-dict names', () => {
    const names = (m: Module) => [...m.namedSpecs()].map(([n]) => n);
    expect(names(alexnet({}))).toEqual(expect.arrayContaining(['features.0.weight', 'features.10.bias', 'classifier.1.weight', 'classifier.6.bias']));
    expect(names(vgg({ depth: 16 }))).toEqual(expect.arrayContaining(['features.28.weight', 'classifier.6.weight']));
    expect(names(vgg({ depth: 16, batchNorm: true }))).toEqual(expect.arrayContaining(['features.1.running_var', 'features.41.weight']));
    expect(names(resnet({ depth: 50 }))).toEqual(
      expect.arrayContaining(['conv1.weight', 'bn1.running_mean', 'layer1.0.downsample.0.weight', 'layer4.2.conv3.weight', 'layer4.2.bn3.bias', 'fc.weight']),
    );
    expect(names(googlenet({}))).toEqual(
      expect.arrayContaining(['conv1.conv.weight', 'conv1.bn.running_var', 'inception3a.branch2.1.conv.weight', 'inception5b.branch4.1.bn.bias', 'fc.weight']),
    );
    expect(names(mobilenetV2({}))).toEqual(
      expect.arrayContaining(['features.0.0.weight', 'features.1.conv.0.0.weight', 'features.1.conv.2.running_mean', 'features.2.conv.3.weight', 'features.18.1.bias', 'classifier.1.weight']),
    );
    expect(names(mobilenetV3({}))).toEqual(
      expect.arrayContaining(['features.4.block.2.fc1.weight', 'features.4.block.3.1.running_mean', 'features.16.0.weight', 'classifier.0.weight', 'classifier.3.bias']),
    );
    expect(names(convnext({}))).toEqual(
      expect.arrayContaining(['features.0.0.weight', 'features.0.1.weight', 'features.1.0.layer_scale', 'features.1.0.block.0.weight', 'features.1.0.block.2.bias', 'features.1.0.block.3.weight', 'features.1.0.block.5.bias', 'features.2.0.weight', 'features.2.1.weight', 'features.7.2.block.5.weight', 'classifier.0.weight', 'classifier.2.weight']),
    );
  });
});

describe('LeNet-5 (1998) layer by layer', () => {
  it('matches the paper: C1 156, S2 12, C3 1516, S4 32, C5 48120, F6 10164', () => {
    const m = lenet({ variant: 'lecun1998' });
    const per = new Map<string, number>();
    for (const [name, s] of m.namedSpecs()) {
      const layer = name.split('.')[0]!;
      per.set(layer, (per.get(layer) ?? 0) + s.torchShape.reduce((a, b) => a * b, 1));
    }
    for (const [layer, { params }] of Object.entries(LENET5_PAPER)) expect(per.get(layer), layer).toBe(params);
    expect(per.get('output')).toBe(850);
  });

  it('has the paper feature-map sizes and C3 connection counts', () => {
    const p = profile(lenet({ variant: 'lecun1998' }), [32, 32, 1]);
    const shape = (n: string) => p.rows.find((r) => r.name === n)!.outShape;
    expect(shape('c1')).toEqual([1, 28, 28, 6]);
    expect(shape('s2')).toEqual([1, 14, 14, 6]);
    expect(shape('c3')).toEqual([1, 10, 10, 16]);
    expect(shape('s4')).toEqual([1, 5, 5, 16]);
    expect(shape('c5')).toEqual([1, 1, 1, 120]);
    expect(shape('f6')).toEqual([1, 84]);
    // Connections = MACs + one bias per output: C1 122,304 and C3 151,600 as in the paper.
    const conn = (n: string) => p.rows.find((r) => r.name === n)!.macs + shape(n).slice(1).reduce((a, b) => a * b, 1);
    expect(conn('c1')).toBe(LENET5_PAPER.c1.connections);
    expect(conn('c3')).toBe(LENET5_PAPER.c3.connections);
    expect(conn('c5')).toBe(LENET5_PAPER.c5.connections);
  });

  it('the partial C3 ignores inputs outside its table', () => {
    const m = lenet({ variant: 'lecun1998' });
    m.materialize(undefined, 3);
    // Map 0 reads S2 maps 0, 1, 2 only: changing map 5 must not move it.
    tf.tidy(() => {
      const c3 = [...m.namedModules()].find(([n]) => n === 'c3')![1];
      const x = tf.randomNormal([1, 14, 14, 6], 0, 1, 'float32', 1);
      const bump = tf.mul(tf.cast(tf.oneHot(tf.fill([1, 14, 14], 5, 'int32'), 6), 'float32'), 10);
      const a = c3.forward(x, EVAL);
      const b = c3.forward(tf.add(x, bump), EVAL);
      const d = tf.abs(tf.sub(a, b));
      expect(tf.max(tf.slice(d, [0, 0, 0, 0], [-1, -1, -1, 1])).dataSync()[0]).toBe(0);
      expect(tf.max(tf.slice(d, [0, 0, 0, 3], [-1, -1, -1, 1])).dataSync()[0]).toBeGreaterThan(0);
    });
    m.dispose();
  });
});

describe('zoo MACs', () => {
  // Published figures (torchvision's model docs, fvcore, the papers), within 2%.
  const published: [string, number][] = [
    ['alexnet-imagenet', 0.714e9],
    ['vgg16-imagenet', 15.47e9],
    ['vgg19-imagenet', 19.63e9],
    ['googlenet-imagenet', 1.5e9],
    ['resnet18-imagenet', 1.814e9],
    ['resnet34-imagenet', 3.66e9],
    ['resnet50-imagenet', 4.09e9],
    ['mobilenet-v1-1.0-imagenet', 569e6],
    ['mobilenet-v1-0.25-imagenet', 41e6],
    ['mobilenet-v2-imagenet', 0.3e9],
    ['mobilenet-v3-large-imagenet', 0.22e9],
    // torchvision's MobileNet_V3_Small_Weights: 0.06 GFLOPS (multiply-adds), 2.54 M params.
    ['mobilenet-v3-small-imagenet', 0.0565e9],
    ['convnext-tiny-imagenet', 4.47e9],
  ];
  for (const [id, macs] of published) {
    it(`${id}: ${macs / 1e9} G`, async () => {
      const p = await profileCard(findCard(id));
      expect(within(p.macs, macs, 0.02), `${p.macs}`).toBe(true);
    });
  }

  it('every card, shipped or not, states the params and MACs its architecture has', async () => {
    for (const card of CARDS) {
      const p = await profileCard(card);
      expect([card.id, p.params, p.macs]).toEqual([card.id, card.params, card.macs]);
      expect(p.outShape).toEqual([1, card.labels.length]);
    }
  });

  it('the registry: the default first, unique ids, and the zoo is every card without shipped weights', () => {
    const ids = CARDS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(CARDS[0]!.weights.precache).toBe(true);
    expect(ZOO_CARDS.map((c) => c.id)).toEqual(CARDS.filter((c) => !c.weights.embedded).map((c) => c.id));
    // A card with a URL and a pin either ships its file or names it on the hub.
    for (const c of CARDS) expect(c.weights.embedded || !!c.weights.hub, c.id).toBe(!!c.weights.url && !!c.weights.sha256);
    expect(IMAGENET_LABELS).toHaveLength(1000);
    expect(IMAGENET_LABELS_1001[0]).toBe('background');
  });

  it('CIFAR-10 feature maps: fewer downsamplings than on ImageNet', async () => {
    const shape = async (id: string, layer: string) => (await profileCard(findCard(id))).rows.find((r) => r.name === layer)!.outShape;
    expect(await shape('alexnet-cifar10', 'features.0')).toEqual([1, 16, 16, 32]);
    expect(await shape('zfnet-cifar10', 'features.0')).toEqual([1, 32, 32, 32]);
    expect(await shape('vgg16-cifar10', 'features.40')).toEqual([1, 2, 2, 128]);
    expect(await shape('googlenet-cifar10', 'inception3a.branch1.conv')).toEqual([1, 8, 8, 16]);
    expect(await shape('googlenet-cifar10', 'inception5b.branch1.conv')).toEqual([1, 2, 2, 96]);
    expect(await shape('mobilenet-v1-cifar10', 'features.0.0')).toEqual([1, 32, 32, 16]);
    expect(await shape('mobilenet-v2-cifar10', 'features.3.conv.1.0')).toEqual([1, 16, 16, 96]);
    expect(await shape('mobilenet-v2-cifar10', 'features.18.0')).toEqual([1, 2, 2, 1280]);
    expect(await shape('convnext-cifar10', 'features.0.0')).toEqual([1, 16, 16, 24]);
  });

  it('per-layer rows: ResNet-18 conv1 and fc', () => {
    const p = profile(resnet({ depth: 18 }), [224, 224, 3]);
    expect(p.rows[0]).toEqual({ name: 'conv1', type: 'Conv2d', outShape: [1, 112, 112, 64], params: 9408, macs: 112 * 112 * 64 * 147 });
    expect(p.rows.at(-1)).toEqual({ name: 'fc', type: 'Linear', outShape: [1, 1000], params: 513_000, macs: 512_000 });
    expect(p.rows.find((r) => r.name === 'layer4.1.conv2')!.outShape).toEqual([1, 7, 7, 512]);
    // The trace restores the patched methods.
    expect(Conv2d.prototype.forward).toBe(convForward);
    expect(Linear.prototype.forward).toBe(linearForward);
  });

  it('shape-only trace agrees with the computed forward', () => {
    const m = googlenet({ widthDiv: 8, numClasses: 10 });
    m.materialize();
    const a = profile(m, [64, 64, 3]);
    const b = profile(m, [64, 64, 3], { compute: true });
    expect(b.rows).toEqual(a.rows);
    m.dispose();
  });

  it('MobileNet v1 depthwise-separable vs standard cost', () => {
    const rows = mobileNetV1Costs(1, 224);
    expect(rows).toHaveLength(13);
    expect(rows[0]).toMatchObject({ dk: 3, m: 32, n: 64, df: 112 });
    expect(rows[12]).toMatchObject({ m: 1024, n: 1024, df: 7 });
    for (const r of rows) {
      expect(r.separable).toBe(r.dk * r.dk * r.m * r.df * r.df + r.m * r.n * r.df * r.df);
      expect(r.standard).toBe(r.dk * r.dk * r.m * r.n * r.df * r.df);
      expect(r.separable / r.standard).toBeCloseTo(1 / r.n + 1 / (r.dk * r.dk), 12);
    }
    // Blocks + the first conv + the classifier are the whole network's MACs.
    const total = rows.reduce((a, r) => a + r.separable, 0) + 112 * 112 * 32 * 27 + 1024 * 1001;
    expect(total).toBe(findCard('mobilenet-v1-1.0-imagenet').macs);
  });
});

describe('zoo forward', () => {
  const cases: [string, () => ZooModel, [number, number, number], number, number][] = [
    ['LeNet-5 (1998)', () => lenet({ variant: 'lecun1998' }), [32, 32, 1], 10, 84],
    ['LeNet-5 (modern)', () => lenet({ variant: 'modern' }), [32, 32, 1], 10, 84],
    ['AlexNet (reduced)', () => alexnet({ widths: [8, 16, 16, 16, 8], hidden: 32, numClasses: 7 }), [64, 64, 3], 7, 32],
    ['ZFNet (reduced)', () => zfnet({ widths: [8, 16, 16, 16, 8], hidden: 32, numClasses: 7 }), [64, 64, 3], 7, 32],
    ['VGG (reduced, BN)', () => vgg({ cfg: [8, 'M', 8, 'M', 16, 'M'], batchNorm: true, hidden: 16, numClasses: 5 }), [24, 24, 3], 5, 16],
    ['GoogLeNet (1/8 width)', () => googlenet({ widthDiv: 8, numClasses: 6, transformInput: true }), [48, 48, 3], 6, 128],
    ['ResNet basic (1/8)', () => resnet({ depth: 18, widths: [8, 16, 32, 64], stem: 8, numClasses: 4 }), [48, 48, 3], 4, 64],
    ['ResNet bottleneck (1/8)', () => resnet({ block: 'bottleneck', layers: [1, 1, 1, 1], widths: [8, 16, 32, 64], stem: 8, numClasses: 4 }), [48, 48, 3], 4, 256],
    ['ResNet-20 (CIFAR)', () => resnetCifar({ depth: 20 }), [32, 32, 3], 10, 64],
    ['MobileNet v1 0.25', () => mobilenetV1({ alpha: 0.25, numClasses: 9 }), [64, 64, 3], 9, 256],
    ['MobileNetV2 0.25', () => mobilenetV2({ widthMult: 0.25, numClasses: 9 }), [48, 48, 3], 9, 1280],
    ['MobileNetV3 0.25', () => mobilenetV3({ widthMult: 0.25, numClasses: 9 }), [48, 48, 3], 9, 320],
    ['ConvNeXt (reduced)', () => convnext({ dims: [8, 16, 24, 32], depths: [1, 1, 2, 1], numClasses: 3 }), [64, 64, 3], 3, 32],
  ];
  for (const [name, make, [h, w, c], classes, feat] of cases) {
    it(`${name}: logits, features and a new head`, () => {
      const m = make();
      m.materialize(undefined, 1);
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomNormal([2, h, w, c], 0, 1, 'float32', 2);
        const y = m.forward(x, EVAL);
        expect(y.shape).toEqual([2, classes]);
        expect(Number.isFinite(tf.sum(tf.abs(y)).dataSync()[0])).toBe(true);
        expect(m.features(x, EVAL).shape).toEqual([2, feat]);
      });
      expect(tf.memory().numTensors).toBe(before);
      const held = tf.memory().numTensors;
      const head = m.replaceHead(2);
      expect(tf.memory().numTensors).toBe(held - 2); // the old head's weight and bias are freed
      head.materialize();
      expect(head.variables().every((v) => v.variable.trainable)).toBe(true);
      expect([...m.namedSpecs()].filter(([n]) => n.startsWith(`${m.headName}.`)).map(([, s]) => s.torchShape)).toEqual([[2, feat], [2]]);
      tf.tidy(() => {
        expect(m.forward(tf.zeros([1, h, w, c]), EVAL).shape).toEqual([1, 2]);
      });
      m.dispose();
    });
  }

  it('airbench has the same head API (its head has no bias, and the TTA views use it too)', async () => {
    const card = findCard('airbench-cifar10') as ModelCard<'airbench'>;
    const m = await buildModel(card);
    m.materialize(undefined, 1);
    const held = tf.memory().numTensors;
    m.replaceHead(2).materialize();
    expect(tf.memory().numTensors).toBe(held); // one weight out, one in
    expect([...m.namedSpecs()].filter(([n]) => n.startsWith(`${m.headName}.`)).map(([, s]) => s.torchShape)).toEqual([[2, card.config.widths[2]]]);
    tf.tidy(() => {
      expect(m.forward(tf.zeros([1, 32, 32, 3]), EVAL).shape).toEqual([1, 2]);
    });
    m.dispose();
  });

  it('buildModel builds every zoo family', async () => {
    for (const card of ZOO_CARDS) expect((await buildModel(card)).paramCount()).toBe(card.params);
  });

  it('the CIFAR-10 AlexNet trains through its LRN (every parameter gets a gradient)', () => {
    const m = alexnet({ conv1: [5, 2, 2], lrn: true, widths: [8, 16, 16, 16, 8], pool: 1, hidden: 16, numClasses: 10 });
    m.materialize(undefined, 6);
    const trainable = m.variables().map((v) => v.variable);
    const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(m.forward(tf.randomNormal([2, 32, 32, 3], 0, 1, 'float32', 7), { training: true }))) as tf.Scalar, trainable);
    expect(Object.keys(grads)).toHaveLength(trainable.length);
    expect(Object.values(grads).every((g) => Number.isFinite(tf.sum(tf.abs(g)).dataSync()[0]))).toBe(true);
    tf.dispose([grads, value]);
    m.dispose();
  });

  it('a training step moves BatchNorm stats and gives gradients (CIFAR ResNet-8, odd input)', () => {
    const m = resnetCifar({ depth: 8, numClasses: 10 });
    m.materialize(undefined, 4);
    const vars = m.variables();
    const trainable = vars.filter((v) => v.variable.trainable).map((v) => v.variable);
    const stat = vars.find((v) => v.name === 'layer2.0.bn1.running_mean')!.variable;
    const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(m.forward(tf.randomNormal([2, 15, 15, 3], 0, 1, 'float32', 5), { training: true }))) as tf.Scalar, trainable);
    expect(Object.keys(grads)).toHaveLength(trainable.length);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(tf.max(tf.abs(stat)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose([grads, value]);
    m.dispose();
  });
});

describe('zoo layers', () => {
  it('max-pool follows PyTorch ceil_mode and padding', () => {
    tf.tidy(() => {
      const x = tf.reshape(tf.range(0, 25, 1, 'float32'), [1, 5, 5, 1]);
      // k3 s2 ceil: 5 -> 2 (last window starts at 2); PyTorch gives [[12, 14], [22, 24]].
      expect([...maxPool2d(x, 3, 2, 0, true).dataSync()]).toEqual([12, 14, 22, 24]);
      // k2 s2 ceil: 5 -> 3 with a partial last window.
      expect([...maxPool2d(x, 2, 2, 0, true).dataSync()]).toEqual([6, 8, 9, 16, 18, 19, 21, 23, 24]);
      // k3 s2 p1 (ResNet's stem pool) on negative values: padding never wins.
      const neg = tf.neg(x);
      expect([...maxPool2d(neg, 3, 2, 1).dataSync()]).toEqual([-0, -1, -3, -5, -6, -8, -15, -16, -18]);
    });
  });

  it('adaptive average pooling uses PyTorch bins', () => {
    tf.tidy(() => {
      const x = tf.reshape(tf.range(0, 25, 1, 'float32'), [1, 5, 5, 1]);
      // 5 -> 3: bins [0,2), [1,4), [3,5).
      const y = adaptiveAvgPool2d(x, 3, 3).dataSync();
      expect(y[0]).toBeCloseTo((0 + 1 + 5 + 6) / 4);
      expect(y[4]).toBeCloseTo(12);
      expect(y[8]).toBeCloseTo((18 + 19 + 23 + 24) / 4);
      // 1x1 -> 2x2 replicates (VGG/AlexNet at small inputs).
      expect([...adaptiveAvgPool2d(tf.ones([1, 1, 1, 2]), 2, 2).shape]).toEqual([1, 2, 2, 2]);
    });
  });

  it('make_divisible as torchvision', () => {
    expect(makeDivisible(32 * 0.25)).toBe(8);
    expect(makeDivisible(24 * 0.25)).toBe(8);
    expect(makeDivisible(72 / 4)).toBe(24);
    expect(makeDivisible(960 / 4)).toBe(240);
  });
});

describe('folding BatchNorm for inference', () => {
  it('makes the model inference-only until it is materialised again', () => {
    const model = resnetCifar({ depth: 8, widths: [4, 8, 16] });
    model.materialize(undefined, 3);
    const x = tf.randomNormal([1, 8, 8, 3], 0, 1, 'float32', 5);
    const before = tf.memory().numTensors;
    model.fuseForInference();
    // Each folded pair keeps a filter and a bias instead of a filter and four BatchNorm vectors.
    expect(tf.memory().numTensors).toBeLessThan(before);
    expect(() => model.forward(x, { training: true })).toThrow(/fused for inference/);
    expect(() => model.variables()).toThrow(/fused for inference/);
    model.materialize(undefined, 3);
    expect(model.variables().length).toBe([...model.namedSpecs()].length);
    tf.tidy(() => model.forward(x, { training: true }));
    model.dispose();
    x.dispose();
  });
});
