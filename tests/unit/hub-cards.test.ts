// The cards of the pinned hub weight sets (issue 13): the pins as the table records them,
// and every preprocessing value equal to that weight set's timm pretrained config
// (../shared/fixtures/timm/pretrained_cfgs.json), parameters equal to timm's count.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARDS, findCard } from '../../models/registry';

const DIR = resolve(import.meta.dirname, '../../../shared/fixtures/timm');

interface Cfg {
  hf_hub_id: string;
  license: string;
  input_size: number[];
  interpolation: string;
  crop_pct: number;
  mean: number[];
  std: number[];
  num_classes: number;
}

function read<T>(name: string): T {
  const p = resolve(DIR, name);
  if (!existsSync(p)) throw new Error(`Missing ${p}: these tests need ../shared/fixtures/timm next to the repository.`);
  return JSON.parse(readFileSync(p, 'utf8')) as T;
}

// card id, timm weight set, sha256 and bytes as the table gives them (bytes exact or "~").
const PINS: [string, string, string, number, boolean, string][] = [
  ['mobilenet-v2-imagenet', 'mobilenetv2_100.ra_in1k', '55ea4fb3a96010b933710ebf44fc965b070d5cd054d3f35e44f2d1320b4a714e', 14.2e6, true, 'Apache-2.0'],
  ['mobilenet-v3-large-imagenet', 'mobilenetv3_large_100.ra_in1k', 'f425af34cc1cead2b5d6211f789a1f30b94835dc32f9c0fcc5a916e4fd2dde85', 22_058_321, false, 'Apache-2.0'],
  ['mobilenet-v3-small-imagenet', 'mobilenetv3_small_100.lamb_in1k', '46d2c063b18125884c48937afa4c49e18128869e52e8db96df48bf0a4d7ff697', 10.3e6, true, 'Apache-2.0'],
  ['resnet18-imagenet', 'resnet18.a1_in1k', '80c49dee3da4822c009c5a7fe591e9223c5a2cfcf95a4067ca4dfb5a7b89c612', 46.8e6, true, 'Apache-2.0'],
  ['resnet34-imagenet', 'resnet34.a1_in1k', '829a220f9529d2b1ffdc8719d3273463001e0daf411eaf1916865d9db62c0ed2', 87e6, true, 'Apache-2.0'],
  ['resnet50-imagenet', 'resnet50.a1_in1k', '773525d5821de224f8f30c33377b7a795d7863e08522698200d3217d3f2a41bb', 102_469_840, false, 'Apache-2.0'],
  ['vgg16-imagenet', 'vgg16.tv_in1k', '57b026918159a6bf9faf8405c3a551903768e7138989d9c6224a14227203fad8', 553e6, true, 'BSD-3-Clause'],
  ['convnext-tiny-imagenet', 'convnext_tiny.fb_in1k', '08b9dc9c3a3a29421de7996761e176501896d1ae7fc3085cf56a643772329276', 114e6, true, 'Apache-2.0'],
];

describe('pinned hub cards', () => {
  const cfgs = read<{ cfgs: Record<string, Cfg> }>('pretrained_cfgs.json').cfgs;

  it('are exactly the cards of the table', () => {
    expect(CARDS.filter((c) => c.weights.hub).map((c) => c.id).sort()).toEqual(PINS.map((p) => p[0]).sort());
  });

  for (const [id, weightSet, sha256, bytes, approx, license] of PINS) {
    it(`${id}: pinned to ${weightSet}, preprocessed as its pretrained config says`, () => {
      const card = findCard(id);
      const cfg = cfgs[weightSet]!;
      expect(card.weights.hub).toBe(cfg.hf_hub_id);
      expect(card.weights.url).toBe(`https://huggingface.co/${cfg.hf_hub_id}/resolve/main/model.safetensors`);
      expect(card.weights.sha256).toBe(sha256);
      expect(card.weights.bytes).toBe(bytes);
      expect(!!card.weights.bytesApprox).toBe(approx);
      expect(card.weights.license).toBe(license);
      expect(card.weights.license.toLowerCase()).toBe(cfg.license);
      expect(card.weights.convention).toBe('timm');
      const p = card.preprocess;
      expect(p.size).toEqual(cfg.input_size.slice(1));
      expect(p.resize).toBe('center-crop');
      expect(p.cropFraction).toBe(cfg.crop_pct);
      expect(p.interpolation).toBe(cfg.interpolation);
      expect(p.mean).toEqual(cfg.mean);
      expect(p.std).toEqual(cfg.std);
      expect(p.source).toContain(weightSet);
      expect(card.labels).toHaveLength(cfg.num_classes);
      expect(card.published?.top1).toBeGreaterThan(50);
      expect(card.published?.source).toBeTruthy();
    });

    it(`${id}: parameters equal timm's published count`, () => {
      const keys = read<{ params: number }>(`${weightSet.split('.')[0]}.keys.json`);
      expect(findCard(id).params).toBe(keys.params);
    });
  }
});
