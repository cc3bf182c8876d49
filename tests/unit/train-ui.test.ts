import { describe, expect, it } from 'vitest';
import { formatPercent } from '../../src/lib/stats';
import {
  bestValAcc, decimate, defaultForm, defaultTrainModel, emptyRun, formatDuration, formatLr, frozenText,
  heatColor, importProgressText, lossTop, niceTop, reduceRun, resumable, rowShares, runStateText, scalePoints, validateForm,
  withOptimizer, type RunView,
} from '../../src/lib/train-view';
import { CARDS } from '../../models/registry';
import type { EpochPoint, RunRecord, TrainEvent } from '../../workers/contracts/train-protocol';

const memory = { numTensors: 10, numBytes: 1000, gpuBytes: 2000 };
const step = (epoch: number, s: number, loss: number, spe = 4): TrainEvent => ({
  type: 'step', runId: 'r1', epoch, step: s, stepsPerEpoch: spe, loss, acc: 0.5, lr: 0.01, imagesPerSec: 900, etaSec: 60, memory,
});
const point = (epoch: number, valAcc = 0.5): EpochPoint => ({ epoch, trainLoss: 1.5, trainAcc: 0.4, valLoss: 1.6, valAcc });
const start: TrainEvent = { type: 'start', runId: 'r1', stages: ['conv1', 'layer1'], trainCount: 256, testCount: 100, stepsPerEpoch: 4, params: 1000, trainable: 800 };
const fold = (events: TrainEvent[], v: RunView = emptyRun(3)) => events.reduce(reduceRun, v);
const record = (status: RunRecord['status']) => ({ runId: 'r1', status, epoch: 0, optimizerStep: 0, history: [], startedAt: 0, updatedAt: 0 }) as unknown as RunRecord;

describe('train form', () => {
  const form = defaultForm('lenet5-modern-cifar10');

  it('defaults to the CIFAR LeNet, then ResNet-20', () => {
    expect(defaultTrainModel(CARDS.map((c) => c.id))).toBe('lenet5-modern-cifar10');
    expect(defaultTrainModel(['a', 'resnet20-cifar10'])).toBe('resnet20-cifar10');
  });

  it('turns the defaults into a TrainConfig', () => {
    const { config, errors } = validateForm(form, 3);
    expect(errors).toEqual({});
    expect(config).toEqual({
      baseModelId: 'lenet5-modern-cifar10', pretrained: false, inputSize: 32, epochs: 5, batchSize: 64,
      optimizer: { name: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 5e-4 },
      schedule: { name: 'one-cycle', lr: 0.05 }, labelSmoothing: 0.1, augment: { cropPadding: 4, flip: true },
      frozenStages: 0, trainLimit: 0, testLimit: 0, seed: 0,
    });
    const off = validateForm({ ...form, randomCrop: false, flip: false, optimizer: 'adamw' }, 3).config!;
    expect(off.augment).toEqual({ cropPadding: 0, flip: false });
    expect(off.optimizer.name).toBe('adamw');
  });

  it('rejects bad numbers with a message per field', () => {
    const { config, errors } = validateForm({ ...form, batchSize: 0, lr: -1, epochs: null, labelSmoothing: 1, inputSize: 32.5, weightDecay: NaN }, 3);
    expect(config).toBeNull();
    expect(errors.batchSize).toMatch(/Batch size must be a whole number from 1/);
    expect(errors.lr).toMatch(/Learning rate must be above 0/);
    expect(errors.epochs).toBe('Epochs must be a number.');
    expect(errors.labelSmoothing).toMatch(/Label smoothing/);
    expect(errors.inputSize).toMatch(/whole number/);
    expect(errors.weightDecay).toBe('Weight decay must be a number.');
    expect(validateForm({ ...form, lr: 1e30 }, 3).config?.schedule.lr).toBe(1e30);
    expect(validateForm({ ...form, lr: 0 }, 3).errors.lr).toBe('Learning rate must be above 0.');
  });

  it('bounds frozen stages by the model, and needs pretrained weights to be here', () => {
    expect(validateForm({ ...form, frozenStages: 3 }, 2).errors.frozenStages).toMatch(/from 0 to 2/);
    expect(validateForm({ ...form, frozenStages: 2 }, 2).config?.frozenStages).toBe(2);
    expect(validateForm({ ...form, frozenStages: 5 }, null).config).not.toBeNull();
    expect(validateForm({ ...form, pretrained: true }, 2, 'ResNet-18').errors.pretrained).toMatch(/ResNet-18 are not on this device/);
    expect(validateForm({ ...form, pretrained: false }, 2, 'ResNet-18').config).not.toBeNull();
  });

  // Issue 18: a batch larger than the training images gives no full batch, so no per-step curve and a wrong ETA.
  it('refuses a batch larger than the training images used', () => {
    expect(validateForm({ ...form, batchSize: 200 }, 2, null, 128).errors.batchSize).toBe('Batch size must be at most 128, the number of training images (the dataset holds 128).');
    expect(validateForm({ ...form, batchSize: 64, trainLimit: 32 }, 2, null, 128).errors.batchSize).toBe('Batch size must be at most 32, the number of training images (Train images is 32).');
    expect(validateForm({ ...form, batchSize: 128 }, 2, null, 128).config?.batchSize).toBe(128);
    expect(validateForm({ ...form, batchSize: 64, trainLimit: 500 }, 2, null, 128).config).not.toBeNull();
    expect(validateForm({ ...form, batchSize: 4096 }, 2, null, null).config).not.toBeNull(); // no dataset yet
  });

  it('lists the frozen stages', () => {
    expect(frozenText(['conv1', 'layer1', 'layer2'], 2)).toBe('frozen: conv1, layer1');
    expect(frozenText(['conv1'], 0)).toBe('frozen: none');
    expect(frozenText(['conv1'], 9)).toBe('frozen: conv1');
    expect(frozenText(['conv1'], null)).toBe('frozen: none');
  });

  it('swaps lr and weight decay with the optimizer only when they were its defaults', () => {
    const a = withOptimizer(form, 'adamw');
    expect([a.lr, a.weightDecay]).toEqual([1e-3, 0.05]);
    expect(withOptimizer(a, 'sgd').lr).toBe(0.05);
    const custom = withOptimizer({ ...form, lr: 0.2 }, 'adamw');
    expect([custom.lr, custom.weightDecay]).toEqual([0.2, 0.05]);
  });
});

describe('train events', () => {
  it('builds the curves from the stream', () => {
    const v = fold([start, step(0, 0, 2.3), step(0, 1, 2.1), step(0, 2, 2.0), step(0, 3, 1.9), { type: 'epoch', runId: 'r1', point: point(1) }, step(1, 0, 1.8)]);
    expect(v.status).toBe('running');
    expect(v.runId).toBe('r1');
    expect(v.stages).toEqual(['conv1', 'layer1']);
    expect(v.steps.map((s) => s.x)).toEqual([0.25, 0.5, 0.75, 1, 1.25]);
    expect(v.epochs).toHaveLength(1);
    expect(v.last).toMatchObject({ imagesPerSec: 900, etaSec: 60, lr: 0.01, memory });
  });

  it('pauses, resumes, ends', () => {
    let v = fold([start, { type: 'paused', runId: 'r1' }]);
    expect(v.status).toBe('paused');
    v = reduceRun(v, { type: 'resumed', runId: 'r1' });
    expect(v.status).toBe('running');
    expect(reduceRun(v, { type: 'end', run: record('cancelled') }).status).toBe('cancelled');
    const done = reduceRun(v, { type: 'end', run: { ...record('done'), resultModelId: 'm1' } });
    expect([done.status, done.resultModelId]).toEqual(['done', 'm1']);
  });

  it('rolls the curves back to the restored epoch when training diverges', () => {
    const v = fold([
      start, step(0, 3, 2), { type: 'epoch', runId: 'r1', point: point(1) }, step(1, 3, 1.5), { type: 'epoch', runId: 'r1', point: point(2) },
      step(2, 0, NaN),
      { type: 'end', run: { ...record('diverged'), epoch: 1, history: [point(1)], message: 'The loss became NaN. The weights of epoch 1 were restored.' } },
    ]);
    expect(v.status).toBe('diverged');
    expect(v.epochs).toHaveLength(1);
    expect(v.steps.every((s) => s.x <= 1)).toBe(true);
    expect(v.message).toBe('The loss became NaN. The weights of epoch 1 were restored.');
  });

  it('continues a resumed run after its history', () => {
    const v = fold([start, step(2, 0, 1)], emptyRun(5, [point(1), point(2)], 'r1'));
    expect(v.steps[0]!.x).toBe(2.25);
  });

  it('takes the outcome from the last event, which carries the run record', () => {
    const run = { ...record('done'), epoch: 2, history: [point(1), point(2, 0.7)] };
    const v = fold([start, { type: 'end', run }]);
    expect(v.status).toBe('done');
    expect(v.epochs).toHaveLength(2);
    expect(bestValAcc(run.history)).toBe(0.7);
    expect(bestValAcc([])).toBeNull();
  });

  // Issue 18: a run left behind by a reload is not running; it says where it resumes.
  it('names a run left behind as interrupted, with the epoch it resumes from', () => {
    const r = (status: RunRecord['status'], epoch: number) => ({ status, epoch, config: { epochs: 4 } }) as RunRecord;
    expect(runStateText(r('running', 0), false)).toBe('interrupted: resume from epoch 1 of 4');
    expect(runStateText(r('paused', 2), false)).toBe('interrupted: resume from epoch 3 of 4');
    expect(runStateText(r('running', 4), false)).toBe('interrupted: resume for the final evaluation');
    expect(runStateText(r('running', 1), true)).toBe('running, epoch 1 / 4');
    expect(runStateText(r('done', 4), false)).toBe('done, epoch 4 / 4');
  });

  it('resumes only unfinished runs', () => {
    const r = (status: RunRecord['status']) => ({ status }) as RunRecord;
    expect(['running', 'paused', 'done', 'diverged', 'cancelled'].map((s) => resumable(r(s as RunRecord['status'])))).toEqual([true, true, false, false, false]);
  });
});

describe('charts and formats', () => {
  it('scales points into the box, y up, clamped', () => {
    expect(scalePoints([{ x: 0, y: 0 }, { x: 5, y: 1 }, { x: 10, y: 4 }], 10, 2, 100, 50)).toBe('0.0,50.0 50.0,25.0 100.0,0.0');
    expect(scalePoints([{ x: 1, y: NaN }], 10, 2, 100, 50)).toBe('');
  });

  it('picks round axis tops and clips loss spikes', () => {
    expect([niceTop(0.8), niceTop(2.3), niceTop(3), niceTop(0), niceTop(NaN)]).toEqual([1, 2.5, 5, 1, 1]);
    const steps = Array.from({ length: 100 }, (_, i) => ({ x: i, loss: i === 0 ? 50 : 2 }));
    expect(lossTop(steps, [point(1)])).toBe(2);
  });

  it('decimates long step curves, keeping the last point', () => {
    const d = decimate(Array.from({ length: 1001 }, (_, i) => i), 100);
    expect(d.length).toBeLessThanOrEqual(101);
    expect(d[0]).toBe(0);
    expect(d[d.length - 1]).toBe(1000);
    expect(decimate([1, 2], 5)).toEqual([1, 2]);
  });

  it('colours the confusion matrix by row share', () => {
    expect(rowShares([[3, 1], [0, 0]])).toEqual([[0.75, 0.25], [0, 0]]);
    expect(heatColor(0)).toBe('rgb(20, 24, 48)');
    expect(heatColor(1)).toBe('rgb(253, 231, 37)');
    expect(heatColor(0.5)).toBe('rgb(33, 145, 140)');
    expect(heatColor(-1)).toBe(heatColor(0));
    expect(heatColor(NaN)).toBe(heatColor(0));
  });

  it('formats durations, percentages, learning rates and import progress', () => {
    expect([formatDuration(12.4), formatDuration(185), formatDuration(3725), formatDuration(Infinity)]).toEqual(['12 s', '3 min 05 s', '1 h 02 min', '–']);
    expect([formatPercent(0.9123), formatPercent(null)]).toEqual(['91.2%', '–']);
    expect([formatLr(0.05), formatLr(0.000123)]).toEqual(['0.05', '1.23e-4']);
    expect(importProgressText('reading', 2 * 1024 ** 2, 8 * 1024 ** 2)).toBe('Reading 2.0 of 8.0 MiB (25%)');
    expect(importProgressText('storing', 1024 ** 2, 0)).toBe('Storing 1.0 MiB');
  });
});
