// TF.js airbench vs PyTorch on the shipped weights (fixture: training/airbench_golden.py).
import { expect, it, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { findCard } from '../../models/registry';
import { buildModel } from '../../models/builders';
import { EVAL } from '../../models/nn';
import { parseSafetensors } from '../../models/safetensors';
import { toTfWeights } from '../../models/weights';

const ROOT = resolve(__dirname, '../..');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('matches PyTorch logits within 1e-4 of the largest logit (fp32)', async () => {
  const card = findCard('airbench-cifar10');
  const weightBytes = readFileSync(resolve(ROOT, 'public', card.weights.url));
  const golden = parseSafetensors(readFileSync(resolve(ROOT, 'tests/fixtures/airbench-golden.safetensors')).buffer as ArrayBuffer);
  expect(golden.metadata.weights_sha256, 'fixture is for other weights: rerun training/airbench_golden.py').toBe(
    createHash('sha256').update(weightBytes).digest('hex'),
  );
  const model = buildModel(card);
  const w = toTfWeights(model, parseSafetensors(weightBytes.buffer as ArrayBuffer));
  model.materialize(w);
  w.forEach((t) => t.dispose());
  const input = golden.tensors.get('input')!;
  const want = golden.tensors.get('logits')!;
  const got = tf.tidy(() => model.forward(tf.transpose(tf.tensor(input.data, input.shape), [0, 2, 3, 1]), EVAL));
  const g = await got.data();
  got.dispose();
  let maxDiff = 0;
  let maxAbs = 0;
  want.data.forEach((v, i) => {
    maxDiff = Math.max(maxDiff, Math.abs(v - g[i]!));
    maxAbs = Math.max(maxAbs, Math.abs(v));
  });
  expect(maxAbs).toBeGreaterThan(0.1);
  expect(maxDiff).toBeLessThanOrEqual(1e-4 * maxAbs);
});
