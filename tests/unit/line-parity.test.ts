// The shipped CIFAR-10 line (training/train_line.py, shipped by training/ship_line.py): each
// file is the one its card pins, loads by name and shape as the app loads it (int8 weights
// dequantised, BatchNorm folded), and gives PyTorch's logits within 1e-4 of the largest logit
// on the fixture's seeded inputs.
import { describe, expect, it, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { CARDS, SHIPPED_CIFAR10 } from '../../models/registry';
import { loadClassifier } from '../../models/builders';
import { parseSafetensors } from '../../models/safetensors';
import { toTfWeights } from '../../models/weights';
import { forwardNCHW, maxErrors } from './parity-helpers';
import type { LineTable } from '../../models/line-table';

const ROOT = resolve(__dirname, '../..');
const FIXTURES = resolve(ROOT, 'tests/fixtures/line');
const read = (p: string) => {
  const b = readFileSync(p);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};
const fixtures = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => f.endsWith('.safetensors')) : [];
const shipped = CARDS.filter((c) => c.weights.embedded && c.weights.url.startsWith('models/') && c.id !== 'airbench-cifar10');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the shipped CIFAR-10 line', () => {
  it('every shipped model of the line has its fixture, and every fixture its shipped model', () => {
    expect(shipped.map((c) => `${c.id}.safetensors`).sort()).toEqual(fixtures.sort());
  });

  it('the committed table (npm run table) has a row for each shipped CIFAR-10 model, pinned to its file', () => {
    const table = JSON.parse(readFileSync(resolve(ROOT, 'models/line-table.json'), 'utf8')) as LineTable;
    expect(table.rows.map((r) => [r.id, r.bytes, r.params])).toEqual(SHIPPED_CIFAR10.map((c) => [c.id, c.weights.bytes, c.params]));
  });

  for (const card of shipped) {
    it(`${card.id}: the pinned file, PyTorch's logits within 1e-4 of the largest`, async () => {
      const bytes = read(resolve(ROOT, 'public', card.weights.url));
      expect(bytes.byteLength).toBe(card.weights.bytes);
      expect(bytes.byteLength).toBeLessThanOrEqual(4 * 1024 * 1024);
      const sha = createHash('sha256').update(new Uint8Array(bytes)).digest('hex');
      expect(sha).toBe(card.weights.sha256);
      const golden = parseSafetensors(read(resolve(FIXTURES, `${card.id}.safetensors`)));
      expect(golden.metadata.weights_sha256).toBe(sha);
      const parsed = parseSafetensors(bytes);
      const model = await loadClassifier(card, (m) => toTfWeights(m, parsed));
      expect(model.paramCount()).toBe(card.params);
      const got = await forwardNCHW(model, golden.tensors.get('input')!);
      model.dispose();
      expect(got.shape).toEqual([4, card.labels.length]);
      const { maxDiff, maxAbs } = maxErrors(golden.tensors.get('logits')!.data, got.data);
      console.info(`${card.id}: max |dlogit| / max |logit| = ${(maxDiff / maxAbs).toExponential(2)}`);
      expect(maxAbs).toBeGreaterThan(0.1);
      expect(maxDiff).toBeLessThanOrEqual(1e-4 * maxAbs);
    });
  }
});
