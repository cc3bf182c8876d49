// Full fine-tuning for the Teach view: the whole backbone plus its new head, trained on the
// user's samples with the Train view's own Trainer (workers/train/trainer.ts: one step,
// optim.ts's AdamW, schedule.ts's cosine) on an in-memory ImageSet of the samples at the
// backbone's own input side (32 for CIFAR-10 models, 224 for an ImageNet MobileNetV2).
// Free of workers and storage, so Node's unit tests run it on the cpu backend.
import * as tf from '@tensorflow/tfjs-core';
import type { Classifier } from '../../models/builders';
import type { Preprocess } from '../../models/card';
import type { ImageSet, TrainConfig } from '../contracts/train-protocol';
import { evaluateModel, rng, shuffled, Trainer } from '../train/trainer';

export interface FineTuning {
  epochs: number;
  lr: number;
  seed?: number;
  signal?: AbortSignal;
  onEpoch?: (epoch: number, loss: number) => void | Promise<void>;
  /** After each step; also once before the first (step 0, loss null). */
  onStep?: (epoch: number, step: number, steps: number, loss: number | null) => void | Promise<void>;
}

/** The Trainer's config for fine-tuning on a few samples: AdamW, cosine, small batches, crop and flip. */
export function fineTuneConfig(baseModelId: string, inputSize: number, n: number, opts: Pick<FineTuning, 'epochs' | 'lr' | 'seed'>): TrainConfig {
  return {
    baseModelId,
    pretrained: true,
    inputSize,
    epochs: opts.epochs,
    // A few samples per class: batches of up to 16, at least one step per epoch.
    batchSize: Math.max(1, Math.min(16, n)),
    optimizer: { name: 'adamw', weightDecay: 5e-4 },
    schedule: { name: 'cosine', lr: opts.lr, warmup: 0.1 },
    labelSmoothing: 0,
    // Shifts of up to 1/16 of the side, as 2 pixels are of CIFAR's 32.
    augment: { cropPadding: Math.max(2, Math.round(inputSize / 16)), flip: true },
    frozenStages: 0,
    trainLimit: 0,
    testLimit: 0,
    seed: opts.seed ?? 0,
  };
}

/**
 * Trains every parameter of `model` (built with `classes` outputs and not fused) on `train`;
 * returns the mean loss of each epoch and the held-out accuracy on `test`.
 */
export async function fineTune(
  model: Classifier,
  pre: Pick<Preprocess, 'mean' | 'std' | 'channels'>,
  cfg: TrainConfig,
  classes: number,
  train: ImageSet,
  test: ImageSet,
  opts: Pick<FineTuning, 'signal' | 'onEpoch' | 'onStep'>,
): Promise<{ losses: number[]; correct: number }> {
  const trainer = new Trainer(model, pre, cfg, model.headName, classes);
  const rand = rng(cfg.seed);
  const losses: number[] = [];
  try {
    await opts.onStep?.(1, 0, trainer.stepsPerEpoch(train.labels.length), null);
    for (let e = 0; e < cfg.epochs; e++) {
      opts.signal?.throwIfAborted();
      const { loss } = await trainer.epoch(train, shuffled(train.labels.length, rand), rand, async (st) => {
        opts.signal?.throwIfAborted();
        await opts.onStep?.(e + 1, st.step + 1, st.steps, st.loss);
      });
      losses.push(loss);
      await opts.onEpoch?.(e + 1, loss);
    }
    let correct = 0;
    if (test.labels.length) {
      const ev = await evaluateModel(model, pre, test, cfg.inputSize, classes, 0, 50, opts.signal);
      correct = Math.round(ev.accuracy * ev.count);
    }
    return { losses, correct };
  } finally {
    trainer.optimizer.dispose();
  }
}

/** The model's trained state (parameters and BatchNorm buffers) under its own names. */
export function namedState(model: Classifier): [string, tf.Tensor][] {
  return model.variables().map(({ name, variable }) => [name, variable]);
}
