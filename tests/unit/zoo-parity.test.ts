// Numerical parity of the zoo with PyTorch/torchvision: tools/golden_fixtures.py writes, per
// reduced model, its state dict, an NCHW input and PyTorch's logits. Here the same
// architecture is built in TF.js from the fixture's config, the state dict is loaded by name
// through models/weights.ts and the logits must agree to 1e-4 of their largest magnitude.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { parseSafetensors } from '../../models/safetensors';
import { toTfWeights } from '../../models/weights';
import { buildModel } from '../../models/builders';
import type { ArchitectureOf } from '../../models/card';
import { forwardNCHW, maxErrors } from './parity-helpers';
import type { Module } from '../../models/nn';

/** airbench pools between its conv and its BatchNorm, which cannot fold through a max pool. */
const BN_AFTER_POOL = new Set(['airbench']);

async function batchNormKernels(model: Module, input: { data: Float32Array; shape: number[] }): Promise<number> {
  const info = await tf.profile(async () => tf.dispose((await forwardNCHW(model, input)) as never));
  return info.kernels.filter((k) => k.name === 'FusedBatchNorm').length;
}

const DIR = join(import.meta.dirname, '..', 'fixtures', 'parity');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.safetensors')).sort();

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('zoo parity with PyTorch', () => {
  it('has the fixtures', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(12);
  });

  for (const file of FILES) {
    it(file.replace('.safetensors', ''), async () => {
      const buf = readFileSync(join(DIR, file));
      const parsed = parseSafetensors(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
      const family = parsed.metadata.family!;
      // The fixture names its family and config (tools/golden_fixtures.py).
      const model = await buildModel({ family, config: JSON.parse(parsed.metadata.config!) } as ArchitectureOf);
      const weights = toTfWeights(model, parsed);
      model.materialize(weights);
      tf.dispose([...weights.values()]);

      const input = parsed.tensors.get('__input__')!;
      const want = parsed.tensors.get('__logits__')!;
      const check = (got: { shape: number[]; data: Float32Array }, what: string) => {
        expect(got.shape).toEqual(want.shape);
        const { maxDiff, maxAbs } = maxErrors(want.data, got.data);
        expect(maxAbs).toBeGreaterThan(0);
        expect(maxDiff, `${what}: max |dlogit| ${maxDiff} vs max |logit| ${maxAbs}`).toBeLessThanOrEqual(1e-4 * maxAbs);
      };
      check(await forwardNCHW(model, input), 'as trained');

      // The inference worker folds BatchNorm (and ReLU/ReLU6) into the convs: same logits,
      // and no BatchNorm kernel is left where every BatchNorm follows a conv directly.
      const before = await batchNormKernels(model, input);
      model.fuseForInference();
      check(await forwardNCHW(model, input), 'fused for inference');
      const after = await batchNormKernels(model, input);
      if (BN_AFTER_POOL.has(family)) expect(after).toBe(before);
      else expect(after).toBe(0);
      model.dispose();
    });
  }
});
