// The Tour's computed facts (models/tour-facts.ts, models/tour-arithmetic.ts), checked against
// sums done by hand from the papers' definitions, and the section-to-model rule.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildModel, loadClassifier } from '../../models/builders';
import { poolOut } from '../../models/layers';
import type { ModelCard } from '../../models/card';
import { CARDS, findCard, SHIPPED_CIFAR10 } from '../../models/registry';
import { tourFacts } from '../../models/tour-facts';
import { TOUR_SECTIONS, sectionModel, type TourSectionId } from '../../models/tour-sections';
import {
  convCost,
  dropoutScales,
  mobileNetV1Totals,
  poolOutSize,
  reductionCosts,
  stackedReceptiveField,
  type FamilyFacts,
} from '../../models/tour-arithmetic';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function factsFor<K extends FamilyFacts['kind']>(section: TourSectionId, cardId: string, kind: K): Promise<Extract<FamilyFacts, { kind: K }>> {
  const card = findCard(cardId);
  const model = await loadClassifier(card, null, { seed: 3 });
  try {
    const f = await tourFacts(section, card, model);
    expect(f.kind).toBe(kind);
    return f as Extract<FamilyFacts, { kind: K }>;
  } finally {
    model.dispose();
  }
}

describe('tour arithmetic', () => {
  it("gives the seed's GoogLeNet example as by hand", () => {
    const { direct, reduced } = reductionCosts(28, 28, 192, 32, 5, 16);
    expect(direct.macs).toBe(120_422_400); // 28*28*32 * 192*5*5
    expect(reduced.macs).toBe(12_443_648); // 28*28*16*192 + 28*28*32*16*5*5
    expect(direct.params).toBe(153_600);
    expect(reduced.params).toBe(192 * 16 + 16 * 32 * 25);
  });

  it('counts receptive fields, pooling sizes and dropout scales', () => {
    for (let n = 1; n <= 4; n++) expect(stackedReceptiveField(Array(n).fill(3))).toBe(2 * n + 1);
    expect(poolOutSize(55, 3, 2)).toBe(27); // AlexNet: 55 -> 27 with 3/2
    expect(poolOutSize(55, 2, 2)).toBe(27);
    expect(poolOutSize(110, 3, 2, 0, true)).toBe(55); // ZFNet's ceil mode
    // The same rule as the layers' own (models/layers.ts, which the UI cannot import).
    for (let n = 1; n <= 40; n++) for (const [k, s, p] of [[2, 2, 0], [3, 2, 0], [3, 2, 1], [3, 1, 1]] as const) for (const ceil of [false, true]) expect(poolOutSize(n + k, k, s, p, ceil)).toBe(poolOut(n + k, k, s, p, ceil));
    expect(dropoutScales(0.5)).toEqual({ keep: 0.5, train: 2, test: 1 });
    expect(convCost(10, 10, 6, 16, 5, { bias: true })).toEqual({ params: 2416, macs: 240_000 });
  });

  it("recomputes MobileNet v1's totals equal to the built model's at each alpha and resolution", async () => {
    for (const card of [findCard('mobilenet-v1-1.0-imagenet'), findCard('mobilenet-v1-0.25-imagenet')] as ModelCard<'mobilenet-v1'>[]) {
      const t = mobileNetV1Totals(card.config.alpha!, 224);
      expect(t.separable).toEqual({ params: card.params, macs: card.macs });
      expect(t.standard.macs).toBeGreaterThan(7 * t.separable.macs);
    }
    // rho: MACs scale with the square of the resolution, parameters do not change.
    const a = mobileNetV1Totals(1, 224);
    const b = mobileNetV1Totals(1, 112);
    expect(b.separable.params).toBe(a.separable.params);
    expect(b.separable.macs).toBeLessThan(a.separable.macs / 3.5);
  });
});

describe('tour sections', () => {
  it('lists the seed families in order, each on a known CIFAR-10 card', () => {
    expect(TOUR_SECTIONS.map((s) => s.id)).toEqual(['lenet', 'alexnet', 'zfnet', 'vgg', 'googlenet', 'resnet', 'mobilenet', 'convnext', 'norms']);
    for (const s of TOUR_SECTIONS) for (const id of s.candidates) expect(CARDS.some((c) => c.id === id && c.preprocess.size[0] === 32)).toBe(true);
  });

  it('runs the trained model where one ships, else the first candidate with random weights', () => {
    const vgg = TOUR_SECTIONS.find((s) => s.id === 'vgg')!;
    const only11 = SHIPPED_CIFAR10.filter((c) => c.id !== 'vgg16-cifar10');
    expect(sectionModel(vgg, only11)).toEqual({ card: findCard('vgg11-cifar10'), trained: true });
    expect(sectionModel(vgg, [...only11, findCard('vgg16-cifar10')]).card.id).toBe('vgg16-cifar10');
    expect(sectionModel(vgg, [])).toEqual({ card: findCard('vgg16-cifar10'), trained: false });
  });
});

/** Facts of a paper's network from its definition alone (nothing materialised, as the worker reads them). */
async function paperFacts<K extends FamilyFacts['kind']>(section: TourSectionId, cardId: string, kind: K): Promise<Extract<FamilyFacts, { kind: K }>> {
  const card = findCard(cardId);
  const f = await tourFacts(section, card, await buildModel(card));
  expect(f.kind).toBe(kind);
  return f as Extract<FamilyFacts, { kind: K }>;
}

describe("the papers' own networks, from their definitions", () => {
  it('ZFNet 7x7/2 against AlexNet 11x11/4 at 224', async () => {
    const f = await paperFacts('zfnet', 'zfnet-imagenet', 'zfnet');
    expect([f.alexnet.modelId, f.alexnet.k, f.alexnet.stride, f.alexnet.out]).toEqual(['alexnet-imagenet', 11, 4, 55]);
    expect([f.zfnet.k, f.zfnet.stride, f.zfnet.out]).toEqual([7, 2, 110]);
  });

  it("AlexNet's pools: 55 -> 27 -> 13 -> 6 overlapping", async () => {
    const f = await paperFacts('alexnet', 'alexnet-imagenet', 'alexnet');
    expect(f.pools.map((p) => [p.input, p.output, p.nonOverlapping])).toEqual([[55, 27, 27], [27, 13, 13], [13, 6, 6]]);
  });

  it("VGG-16's five stages and GoogLeNet's inception3a at 28x28x192", async () => {
    const vgg = await paperFacts('vgg', 'vgg16-imagenet', 'vgg');
    expect(vgg.stages.map((s) => [s.size, s.convs.length, s.receptiveField])).toEqual([[224, 2, 5], [112, 2, 5], [56, 3, 7], [28, 3, 7], [14, 3, 7]]);
    const g = await paperFacts('googlenet', 'googlenet-imagenet', 'googlenet');
    const m = g.modules[0]!;
    expect([m.name, m.size, m.cin]).toEqual(['inception3a', 28, 192]);
    // torchvision's "5x5" branch is a 3x3 (kept for its weights): 192 -> 16 -> 32 on 28x28.
    expect(m.branches[1]).toMatchObject({ k: 3, reduce: 16, cout: 32 });
    expect(m.branches[1]!.withReduction.macs).toBe(28 * 28 * (192 * 16 + 16 * 32 * 9));
  });
});

describe('tour facts read off the models', () => {
  it("LeNet-5: C3's table, the parameters it saves, and S2's own coefficients", async () => {
    const f = await factsFor('lenet', 'lenet5-cifar10', 'lenet');
    expect(f.c3!.table).toHaveLength(16);
    expect(f.c3!.table.flat()).toHaveLength(60); // 6*3 + 9*4 + 6: the paper's 60 connections
    expect(f.c3!.params).toBe(60 * 25 + 16); // 1,516, section II.B
    expect(f.c3!.fullParams).toBe(6 * 16 * 25 + 16);
    expect(f.c3!.macs).toBe(100 * 60 * 25);
    expect(f.subsampling.map((s) => [s.name, s.maps, s.coefficient.length, s.bias.length])).toEqual([['s2', 6, 6, 6], ['s4', 16, 16, 16]]);
    expect(f.subsampling[0]!.coefficient.every((v) => v === 1)).toBe(true); // random init: ones
    const modern = await factsFor('lenet', 'lenet5-modern-cifar10', 'lenet');
    expect(modern.c3).toBeNull();
    expect(modern.pooling).toMatch(/max-pooling/);
  });

  it('AlexNet: overlapping against non-overlapping pooling, and dropout scaling', async () => {
    const f = await factsFor('alexnet', 'alexnet-cifar10', 'alexnet');
    // 32 -conv1 5/2 p2-> 16 -pool 3/2-> 7 -conv2-> 7 -pool-> 3 -convs-> 3 -pool-> 1
    expect(f.pools.map((p) => [p.input, p.k, p.s, p.output, p.nonOverlapping])).toEqual([[16, 3, 2, 7, 8], [7, 3, 2, 3, 3], [3, 3, 2, 1, 1]]);
    expect(f.dropout).toEqual([
      { name: 'classifier.0', p: 0.5, keep: 0.5, train: 2, test: 1 },
      { name: 'classifier.3', p: 0.5, keep: 0.5, train: 2, test: 1 },
    ]);
  });

  it("ZFNet: its first conv against AlexNet's", async () => {
    const f = await factsFor('zfnet', 'zfnet-cifar10', 'zfnet');
    expect([f.alexnet.k, f.alexnet.stride, f.alexnet.out]).toEqual([5, 2, 16]);
    expect([f.zfnet.k, f.zfnet.stride, f.zfnet.out]).toEqual([3, 1, 32]);
    expect(f.zfnet.macs).toBe(32 * 32 * 32 * 3 * 9);
  });

  it("VGG: each real stage's stacked 3x3s against one (2n+1)x(2n+1)", async () => {
    const f = await factsFor('vgg', 'vgg11-cifar10', 'vgg');
    expect(f.stages.map((s) => [s.convs.length, s.size, s.cin, s.cout, s.receptiveField])).toEqual([
      [1, 32, 3, 16, 3], [1, 16, 16, 32, 3], [2, 8, 32, 64, 5], [2, 4, 64, 128, 5], [2, 2, 128, 128, 5],
    ]);
    const s3 = f.stages[2]!;
    expect(s3.stacked).toEqual({ params: 32 * 64 * 9 + 64 + 64 * 64 * 9 + 64, macs: 64 * 64 * (32 * 9 + 64 * 9) });
    expect(s3.single).toEqual({ params: 32 * 64 * 25 + 64, macs: 64 * 64 * 32 * 25 });
  });

  it('GoogLeNet: every Inception module with and without its 1x1 reductions', async () => {
    const f = await factsFor('googlenet', 'googlenet-cifar10', 'googlenet');
    expect(f.example.direct.macs).toBe(120_422_400);
    expect(f.example.reduced.macs).toBe(12_443_648);
    expect(f.modules.map((m) => m.name)).toEqual(['inception3a', 'inception3b', 'inception4a', 'inception4b', 'inception4c', 'inception4d', 'inception4e', 'inception5a', 'inception5b']);
    // inception3a at 1/4 width: in 48, 3x3 branch 24 -> 32, "5x5" (3x3 in torchvision) 4 -> 8, on 8x8.
    const m = f.modules[0]!;
    expect([m.size, m.cin]).toEqual([8, 48]);
    expect(m.branches.map((b) => [b.k, b.reduce, b.cout])).toEqual([[3, 24, 32], [3, 4, 8]]);
    expect(m.branches[0]!.withReduction.macs).toBe(64 * (48 * 24 + 24 * 32 * 9));
    expect(m.branches[0]!.without.macs).toBe(64 * 48 * 32 * 9);
    expect(m.without.macs).toBeGreaterThan(m.withReduction.macs);
  });

  it('ResNet: identity and parameter-free (option A) shortcuts in ResNet-20, projections in ResNet-18', async () => {
    const f = await factsFor('resnet', 'resnet20-cifar10', 'resnet');
    const [r20, r18] = f.models;
    const kinds = (m: typeof r20) => m!.blocks.map((b) => b.shortcut);
    expect(kinds(r20)).toEqual(['identity', 'identity', 'identity', 'zero-pad', 'identity', 'identity', 'zero-pad', 'identity', 'identity']);
    expect(r20!.blocks.filter((b) => b.shortcut === 'zero-pad').map((b) => b.name)).toEqual(['layer2.0', 'layer3.0']);
    expect(r18!.blocks.filter((b) => b.shortcut === 'projection').map((b) => [b.name, b.cin, b.cout, b.stride])).toEqual([
      ['layer2.0', 64, 128, 2], ['layer3.0', 128, 256, 2], ['layer4.0', 256, 512, 2],
    ]);
    expect(r18!.blocks).toHaveLength(8);
  });

  it("MobileNet: the running model's separable blocks against standard convs", async () => {
    const f = await factsFor('mobilenet', 'mobilenet-v1-cifar10', 'mobilenet');
    expect(f.blocks).toHaveLength(13);
    const b = f.blocks[0]!; // alpha 0.5: 16 -> 32 on 32x32
    expect([b.name, b.size, b.cin, b.cout]).toEqual(['features.1', 32, 16, 32]);
    expect(b.separable.macs).toBe(1024 * (16 * 9 + 16 * 32));
    expect(b.standard.macs).toBe(1024 * 16 * 32 * 9);
  });

  it("MobileNet: α and the input size are the running model's (a stored ImageNet one at 0.25, 128×128)", async () => {
    expect((await factsFor('mobilenet', 'mobilenet-v1-cifar10', 'mobilenet')).alpha).toBe(0.5);
    const base = findCard('mobilenet-v1-0.25-imagenet') as ModelCard<'mobilenet-v1'>;
    const card: ModelCard = { ...base, preprocess: { ...base.preprocess, size: [128, 128] } };
    const f = (await tourFacts('mobilenet', card, await loadClassifier(card, null, { seed: 1 }))) as Extract<FamilyFacts, { kind: 'mobilenet' }>;
    expect([f.alpha, f.input]).toEqual([0.25, 128]);
    expect([f.blocks[0]!.size, f.blocks[0]!.cin, f.blocks[0]!.cout]).toEqual([64, 8, 16]); // 32α -> 64α after the stride-2 stem
  });

  it("ConvNeXt: one block's anatomy with the shape after each step", async () => {
    const f = await factsFor('convnext', 'convnext-cifar10', 'convnext');
    expect(f.block).toBe('features.1.0');
    expect(f.steps.map((s) => s.shape)).toEqual([[16, 16, 24], [16, 16, 24], [16, 16, 24], [16, 16, 96], [16, 16, 96], [16, 16, 24], [16, 16, 24], [16, 16, 24]]);
    expect(f.steps.map((s) => s.params)).toEqual([0, 24 * 49 + 24, 48, 24 * 96 + 96, 0, 96 * 24 + 24, 24, 0]);
  });

  it("LRN against BatchNorm, from AlexNet's and ResNet-20's layers", async () => {
    const f = await factsFor('norms', 'alexnet-cifar10', 'norms');
    expect(f.lrn.layers.map((l) => [l.name, l.size, l.alpha, l.beta, l.k])).toEqual([['features.2', 5, 1e-4, 0.75, 2], ['features.6', 5, 1e-4, 0.75, 2]]);
    // ResNet-20: the stem's BN and two per block, 16*7 + 32*6 + 64*6 channels.
    expect(f.batchNorm.layers).toBe(19);
    expect(f.batchNorm.channels).toBe(16 * 7 + 32 * 6 + 64 * 6);
    expect(f.batchNorm.trainable).toBe(2 * f.batchNorm.channels);
    expect(f.batchNorm.buffers).toBe(2 * f.batchNorm.channels);
  });
});
