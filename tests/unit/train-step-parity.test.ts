// One training step in TF.js vs PyTorch (fixture: tools/train_step_fixture.py): the same
// ResNet-8 weights and batches, two steps of SGD with momentum and of AdamW, label
// smoothing, BatchNorm in train mode. Tolerance: every updated tensor, parameters and
// BatchNorm running statistics, within 1e-4 of its largest value (fp32); and the change
// the two steps made agrees within 1e-3 of the largest change for SGD, 3e-2 for AdamW.
// AdamW's looser bound: its update m/sqrt(v) is about ±lr wherever the gradient is not
// tiny, so where two steps' gradients nearly cancel in m, float rounding in the gradient
// moves the update by a visible fraction of lr.
import { beforeAll, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { buildModel } from '../../models/builders';
import { resnet20Cifar10 } from '../../models/cards/resnet-cifar';
import { toTorch } from '../../models/nn';
import { parseSafetensors } from '../../models/safetensors';
import { toTfWeights } from '../../models/weights';
import { Trainer } from '../../workers/train/trainer';
import type { TrainConfig } from '../../workers/contracts/train-protocol';
import { maxErrors } from './parity-helpers';

const fx = parseSafetensors(readFileSync(resolve(__dirname, '../fixtures/train-step.safetensors')).buffer as ArrayBuffer);
const S = JSON.parse(fx.metadata.settings!);

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base: TrainConfig = {
  baseModelId: 'resnet20-cifar10',
  pretrained: false,
  inputSize: 32,
  epochs: 1,
  batchSize: S.batch,
  optimizer: { name: 'sgd' },
  schedule: { name: 'constant', lr: 0 },
  labelSmoothing: S.label_smoothing,
  augment: { cropPadding: 0, flip: false },
  frozenStages: 0,
  trainLimit: 0,
  testLimit: 0,
  seed: 0,
};

for (const opt of ['sgd', 'adamw'] as const) {
  it(`two ${opt} steps match PyTorch`, async () => {
    const card = { ...resnet20Cifar10, config: { depth: S.depth, numClasses: 10 } };
    const model = await buildModel(card);
    const w = toTfWeights(model, fx, (n) => `before.${n}`);
    model.materialize(w);
    w.forEach((t) => t.dispose());
    const o = S[opt];
    const cfg: TrainConfig = {
      ...base,
      optimizer: opt === 'sgd' ? { name: 'sgd', momentum: o.momentum, weightDecay: o.weight_decay } : { name: 'adamw', betas: o.betas, eps: o.eps, weightDecay: o.weight_decay },
    };
    const trainer = new Trainer(model, card.preprocess, cfg, 'linear');
    const losses: number[] = [];
    for (const i of [0, 1]) {
      const xt = fx.tensors.get(`x${i}`)!;
      const x = tf.tidy(() => tf.transpose(tf.tensor4d(xt.data, xt.shape as [number, number, number, number]), [0, 2, 3, 1]));
      const r = await trainer.step(x, Uint8Array.from(fx.tensors.get(`y${i}`)!.data), o.lr);
      x.dispose();
      losses.push(r.loss);
    }
    const want = JSON.parse(fx.metadata.losses!)[opt] as number[];
    losses.forEach((l, i) => expect(Math.abs(l - want[i]!)).toBeLessThan(1e-4 * Math.abs(want[i]!)));
    let worst = 0;
    let worstStep = 0;
    for (const { name, variable, spec } of model.variables()) {
      const got = tf.tidy(() => toTorch(spec, variable));
      const data = (await got.data()) as Float32Array;
      got.dispose();
      const after = fx.tensors.get(`${opt}.${name}`)!.data;
      const before = fx.tensors.get(`before.${name}`)!.data;
      const e = maxErrors(after, data);
      expect(e.maxDiff, name).toBeLessThanOrEqual(1e-4 * Math.max(e.maxAbs, 1e-3));
      worst = Math.max(worst, e.maxDiff / Math.max(e.maxAbs, 1e-3));
      const change = maxErrors(after.map((v, j) => v - before[j]!), data.map((v, j) => v - before[j]!));
      if (change.maxAbs > 0) {
        expect(change.maxDiff, `${name}: the step`).toBeLessThanOrEqual((opt === 'sgd' ? 1e-3 : 3e-2) * change.maxAbs);
        worstStep = Math.max(worstStep, change.maxDiff / change.maxAbs);
      }
    }
    console.info(`${opt}: worst |dw| / max|w| = ${worst.toExponential(2)}, worst step error / max step = ${worstStep.toExponential(2)}`);
    trainer.optimizer.dispose();
    model.dispose();
  });
}
