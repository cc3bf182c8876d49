// TF.js airbench vs PyTorch on the shipped weights (fixture: training/airbench_golden.py).
import { expect, it, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { airbenchCifar10 as card } from '../../models/cards/airbench';
import { buildModel } from '../../models/builders';
import { parseSafetensors } from '../../models/safetensors';
import { toTfWeights } from '../../models/weights';
import { forwardNCHW, maxErrors } from './parity-helpers';

const ROOT = resolve(__dirname, '../..');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('matches PyTorch logits within 1e-4 of the largest logit (fp32), one view and six-view TTA', async () => {
  const weightBytes = readFileSync(resolve(ROOT, 'public', card.weights.url));
  const golden = parseSafetensors(readFileSync(resolve(ROOT, 'tests/fixtures/airbench-golden.safetensors')).buffer as ArrayBuffer);
  expect(golden.metadata.weights_sha256, 'fixture is for other weights: rerun training/airbench_golden.py').toBe(
    createHash('sha256').update(weightBytes).digest('hex'),
  );
  const parsed = parseSafetensors(weightBytes.buffer as ArrayBuffer);
  const input = golden.tensors.get('input')!;
  for (const [tta, key] of [['none', 'logits'], ['mirror-translate', 'logits_tta']] as const) {
    const model = await buildModel({ ...card, config: { ...card.config, tta } });
    const w = toTfWeights(model, parsed);
    model.materialize(w);
    w.forEach((t) => t.dispose());
    const got = await forwardNCHW(model, input);
    model.dispose();
    const { maxDiff, maxAbs } = maxErrors(golden.tensors.get(key)!.data, got.data);
    console.info(`airbench ${tta}: max |dlogit| / max |logit| = ${(maxDiff / maxAbs).toExponential(2)}`);
    expect(maxAbs).toBeGreaterThan(0.1);
    expect(maxDiff).toBeLessThanOrEqual(1e-4 * maxAbs);
  }
});
