// CIFAR-10 test accuracy of a shipped model with TF.js in Node, loaded and preprocessed as the
// app does it: npm run eval and npm run table both measure through this.
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelCard } from '../models/card';
import { loadClassifier } from '../models/builders';
import { EVAL } from '../models/nn';
import { parseSafetensors, writeSafetensors } from '../models/safetensors';
import { toTfWeights } from '../models/weights';
import { parseCifarRecords } from '../workers/train/cifar10';
import { resizeAndNormalize } from '../workers/preprocess/preprocess';
import { CIFAR_DIR, ROOT } from './app-harness';

export interface CifarEval {
  /** Fraction of the images named right. */
  top1: number;
  correct: number;
  n: number;
  /** Per class: the fraction named right. */
  perClass: number[];
  seconds: number;
}

export interface EvalOptions {
  /** The first `limit` test images (default all 10,000). */
  limit?: number;
  /** Store the weights as int8 first (models/safetensors.ts), to measure what that costs. */
  int8?: boolean;
  /** Average the logits of each image and its mirror image (test-time augmentation). */
  mirror?: boolean;
}

export const CIFAR_TEST_FILE = join(CIFAR_DIR, 'test_batch.bin');

export async function evaluateOnCifar(card: ModelCard, { limit = 10_000, int8 = false, mirror = false }: EvalOptions = {}): Promise<CifarEval> {
  const file = parseSafetensors(readFileSync(join(ROOT, 'public', card.weights.url)).buffer as ArrayBuffer);
  const parsed = int8 ? parseSafetensors(writeSafetensors(Object.fromEntries([...file.tensors].map(([n, t]) => [n, { shape: t.shape, data: t.data }])), {}, { int8 })) : file;
  const model = await loadClassifier(card, (m) => toTfWeights(m, parsed));
  const { labels, pixels } = parseCifarRecords(new Uint8Array(readFileSync(CIFAR_TEST_FILE)));
  const n = Math.min(limit, labels.length);
  const right = new Array<number>(10).fill(0);
  const totals = new Array<number>(10).fill(0);
  let correct = 0;
  const t0 = performance.now();
  try {
    // Small batches: with six-view TTA a batch of 100 is 600 images through the net.
    for (let i = 0; i < n; i += 100) {
      const b = Math.min(100, n - i);
      const pred = tf.tidy(() => {
        const x = resizeAndNormalize(tf.tensor4d(pixels.subarray(i * 3072, (i + b) * 3072), [b, 32, 32, 3], 'float32'), card.preprocess);
        const logits = model.forward(x, EVAL);
        return tf.argMax(mirror ? tf.add(logits, model.forward(tf.reverse(x, 2), EVAL)) : logits, 1);
      });
      const p = await pred.data();
      pred.dispose();
      for (let j = 0; j < b; j++) {
        const y = labels[i + j]!;
        totals[y]!++;
        if (p[j] === y) {
          correct++;
          right[y]!++;
        }
      }
    }
  } finally {
    model.dispose();
  }
  return { top1: correct / n, correct, n, perClass: right.map((r, k) => r / Math.max(1, totals[k]!)), seconds: (performance.now() - t0) / 1000 };
}
