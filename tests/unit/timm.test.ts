// timm naming: models/timm.ts maps our torchvision-named parameters onto timm's state-dict
// keys. Checked two ways against ../shared/fixtures/timm (written by timm 1.0.29.dev0):
//  1. the key lists of the full-size hub models: every one of our parameters and buffers maps
//     to a timm key of the same shape (after the documented reshapes) and every timm key is
//     used (num_batches_tracked aside);
//  2. logits parity on two small random-weight timm models loaded through the mapping.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';

// Caveat of the test_convnext fixture: its layer scales (gamma) are timm's init, 1e-6, so
// each block's branch adds only ~1e-6 of its size to the logits; its parity checks the stem,
// downsample and head mapping, and the block mapping is checked by names and shapes against
// convnext_tiny's key list.
import { parseSafetensors, type Parsed } from '../../models/safetensors';
import { toTfWeights, toTfWeightsAnyNaming } from '../../models/weights';
import { buildModel } from '../../models/builders';
import { findCard } from '../../models/registry';
import { reshapeTimm, shiftBnEps, timmRename, timmShape, TIMM_V3_BN_EPS, TORCHVISION_V3_BN_EPS } from '../../models/timm';
import type { ArchitectureOf, ModelCard } from '../../models/card';
import { forwardNCHW, maxErrors } from './parity-helpers';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DIR = resolve(ROOT, '../shared/fixtures/timm');

function fixture(name: string): string {
  const path = resolve(DIR, name);
  if (!existsSync(path)) {
    throw new Error(`Missing timm fixture ${path}: the timm tests need ../shared/fixtures/timm next to the repository (CI provides it).`);
  }
  return path;
}

function readParsed(name: string): Parsed {
  const buf = readFileSync(fixture(name));
  return parseSafetensors(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
}

interface KeyList {
  model: string;
  timm_version: string;
  params: number;
  keys: Record<string, number[]>;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('timm key lists of the full-size models', () => {
  const CASES: [string, string][] = [
    ['resnet18', 'resnet18-imagenet'],
    ['resnet50', 'resnet50-imagenet'],
    ['mobilenetv2_100', 'mobilenet-v2-imagenet'],
    ['mobilenetv3_large_100', 'mobilenet-v3-large-imagenet'],
    ['mobilenetv3_small_100', 'mobilenet-v3-small-imagenet'],
    ['resnet34', 'resnet34-imagenet'],
    ['vgg16', 'vgg16-imagenet'],
    ['convnext_tiny', 'convnext-tiny-imagenet'],
  ];

  for (const [timmModel, cardId] of CASES) {
    it(`${cardId} <-> timm ${timmModel}`, async () => {
      const list = JSON.parse(readFileSync(fixture(`${timmModel}.keys.json`), 'utf8')) as KeyList;
      const card = findCard(cardId);
      const rename = timmRename(card.family, (card.config as { variant?: string }).variant);
      expect(rename, `no timm mapping for family ${card.family}`).not.toBeNull();
      const model = await buildModel(card);

      const timmKeys = Object.keys(list.keys).filter((k) => !k.endsWith('num_batches_tracked'));
      const mapped = new Map<string, string>();
      const shapeErrors: string[] = [];
      for (const [name, spec] of model.namedSpecs()) {
        const t = rename!(name);
        expect(mapped.has(t), `${name} and ${mapped.get(t)} both map to ${t}`).toBe(false);
        mapped.set(t, name);
        const timmShapeRaw = list.keys[t];
        if (!timmShapeRaw) continue; // reported by the set comparison below
        const asTorchvision = timmShape(card.family, t, timmShapeRaw);
        if (asTorchvision.join('x') !== spec.torchShape.join('x')) {
          shapeErrors.push(`${name} -> ${t}: timm [${timmShapeRaw}] as [${asTorchvision}], ours [${spec.torchShape}]`);
        }
      }
      const missing = [...mapped.keys()].filter((k) => !(k in list.keys)).map((k) => `${mapped.get(k)} -> ${k}`);
      const unused = timmKeys.filter((k) => !mapped.has(k));
      expect(missing, 'our names mapped to keys timm lacks').toEqual([]);
      expect(unused, 'timm keys no parameter of ours maps to').toEqual([]);
      expect(shapeErrors).toEqual([]);
      expect(mapped.size).toBe(timmKeys.length);
      expect(model.paramCount()).toBe(list.params);
    });
  }

  it('has no mapping for families timm does not share', () => {
    expect(timmRename('airbench')).toBeNull();
    expect(timmRename('lenet')).toBeNull();
  });

  it('reshapes only the documented tensors', () => {
    expect(timmShape('convnext', 'stages.2.blocks.5.gamma', [384])).toEqual([384, 1, 1]);
    expect(timmShape('mobilenet-v3', 'conv_head.weight', [1280, 960, 1, 1])).toEqual([1280, 960]);
    expect(timmShape('mobilenet-v3', 'conv_head.bias', [1280])).toEqual([1280]);
    expect(timmShape('mobilenet-v2', 'conv_head.weight', [1280, 320, 1, 1])).toEqual([1280, 320, 1, 1]);
    expect(timmShape('mobilenet-v3', 'blocks.2.0.se.conv_reduce.weight', [24, 72, 1, 1])).toEqual([24, 72, 1, 1]);
  });
});

/** Loads a timm file through the mapping and returns max |dlogit| / max |logit| on the io fixture. */
async function relativeError(arch: ArchitectureOf, weightsFile: string, ioFile: string): Promise<number> {
  const { family } = arch;
  const parsed = readParsed(weightsFile);
  const io = readParsed(ioFile);
  const model = await buildModel(arch);
  const used = new Set<string>();
  const rename = (n: string) => {
    const t = timmRename(family)!(n);
    used.add(t);
    return t;
  };
  const weights = toTfWeights(model, reshapeTimm(family, parsed), rename);
  // Every tensor of the file is consumed: the architecture read from the header is complete.
  expect([...parsed.tensors.keys()].filter((k) => !used.has(k) && !k.endsWith('num_batches_tracked'))).toEqual([]);
  model.materialize(weights);
  tf.dispose([...weights.values()]);

  const input = io.tensors.get('input')!;
  const want = io.tensors.get('logits')!;
  const got = await forwardNCHW(model, input);
  model.dispose();
  expect(got.shape).toEqual(want.shape);
  const { maxDiff, maxAbs } = maxErrors(want.data, got.data);
  expect(maxAbs).toBeGreaterThan(0);
  return maxDiff / maxAbs;
}

describe('logits parity with timm', () => {
  it('mobilenetv2_035 (10 classes, 96x96)', async () => {
    const parsed = readParsed('mobilenetv2_035.safetensors');
    // Width from the last block's projection (320 * multiplier), classes from the classifier.
    const widthMult = parsed.tensors.get('blocks.6.0.conv_pwl.weight')!.shape[0]! / 320;
    const numClasses = parsed.tensors.get('classifier.weight')!.shape[0]!;
    expect(widthMult).toBeCloseTo(0.35, 6);
    const rel = await relativeError({ family: 'mobilenet-v2', config: { widthMult, numClasses } }, 'mobilenetv2_035.safetensors', 'mobilenetv2_035.io.safetensors');
    console.info(`timm mobilenetv2_035: max |dlogit| / max |logit| = ${rel.toExponential(3)}`);
    expect(rel).toBeLessThanOrEqual(1e-4);
  });

  it('test_convnext (10 classes, 64x64) with timm test-model LayerNorm eps 1e-5 and tanh GELU', async () => {
    const parsed = readParsed('test_convnext.safetensors');
    const stages = [0, 1, 2, 3] as const;
    const dims = stages.map((s) => parsed.tensors.get(`stages.${s}.blocks.0.conv_dw.weight`)!.shape[0]!) as [number, number, number, number];
    const depths = stages.map((s) => {
      let n = 0;
      while (parsed.tensors.has(`stages.${s}.blocks.${n}.gamma`)) n++;
      return n;
    }) as [number, number, number, number];
    const numClasses = parsed.tensors.get('head.fc.weight')!.shape[0]!;
    expect(dims).toEqual([24, 32, 48, 64]);
    expect(depths).toEqual([1, 2, 4, 2]);
    const files = ['test_convnext.safetensors', 'test_convnext.io.safetensors'] as const;
    // timm builds its test models with norm_eps=1e-5 and act_layer='gelu_tanh'.
    const rel = await relativeError({ family: 'convnext', config: { dims, depths, numClasses, normEps: 1e-5, act: 'gelu_tanh' } }, ...files);
    // With torchvision's settings the same weights differ by ~2.6e-4 (eps alone): measured only.
    const asIs = await relativeError({ family: 'convnext', config: { dims, depths, numClasses } }, ...files);
    console.info(`timm test_convnext: max |dlogit| / max |logit| = ${rel.toExponential(3)} (eps 1e-6 + exact GELU: ${asIs.toExponential(3)})`);
    expect(rel).toBeLessThanOrEqual(1e-4);
  });
});

describe('toTfWeightsAnyNaming', () => {
  it('recognises a timm file by its names and loads it without being told', async () => {
    const parsed = readParsed('mobilenetv2_035.safetensors');
    const model = await buildModel({ family: 'mobilenet-v2', config: { widthMult: 0.35, numClasses: 10 } });
    const w = toTfWeightsAnyNaming(model, 'mobilenet-v2', parsed);
    expect(w.size).toBe([...model.namedSpecs()].length);
    tf.dispose([...w.values()]);
  });
});

describe('BatchNorm eps of timm MobileNetV3', () => {
  it('weights made with eps 1e-5 run exactly in our eps-1e-3 model once the running variance is shifted', async () => {
    // Fixture: tools/golden_fixtures.py, torchvision's MobileNetV3 built with eps 1e-5 as timm's.
    const fx = parseSafetensors(readFileSync(resolve(ROOT, 'tests/fixtures/mobilenet_v3_bn_eps_1e-5.safetensors')).buffer as ArrayBuffer);
    const card = { ...findCard('mobilenet-v3-large-imagenet'), config: JSON.parse(fx.metadata.config!) } as ModelCard;
    const logits = fx.tensors.get('__logits__')!.data;
    const errorWith = async (parsed: Parsed) => {
      const model = await buildModel(card);
      const w = toTfWeights(model, parsed);
      model.materialize(w);
      w.forEach((t) => t.dispose());
      const got = await forwardNCHW(model, fx.tensors.get('__input__')!);
      model.dispose();
      const { maxDiff, maxAbs } = maxErrors(logits, got.data);
      return maxDiff / maxAbs;
    };
    const shifted = await errorWith(shiftBnEps(fx, TIMM_V3_BN_EPS, TORCHVISION_V3_BN_EPS));
    const asIs = await errorWith(fx);
    console.info(`MobileNetV3 eps 1e-5 weights: shifted ${shifted.toExponential(2)}, unshifted ${asIs.toExponential(2)}`);
    expect(shifted).toBeLessThanOrEqual(1e-4);
    expect(asIs).toBeGreaterThan(shifted); // the shift is what makes it exact
  });
});
