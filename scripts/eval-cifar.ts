// Evaluates the embedded default model on the CIFAR-10 test set with TF.js (wasm backend
// in Node), using the same model code, weights file and normalisation as the app.
//   npm run eval [-- --limit 1000] [-- --model airbench-cifar10] [-- --tta none|mirror|mirror-translate] [-- --int8]
// --int8 stores the weights as int8 first (per output channel, models/safetensors.ts), to
// measure what that costs in accuracy.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCard, DEFAULT_MODEL_ID } from '../models/registry';
import type { ModelCard } from '../models/card';
import { loadClassifier } from '../models/builders';
import { EVAL } from '../models/nn';
import { parseSafetensors, writeSafetensors } from '../models/safetensors';
import { toTfWeights } from '../models/weights';
import { parseCifarRecords } from '../workers/train/cifar10';
import { resizeAndNormalize } from '../workers/preprocess/preprocess';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const limit = Number(opt('limit') ?? 10000);
const base = findCard(opt('model') ?? DEFAULT_MODEL_ID);
// --tta overrides the card's test-time augmentation (airbench), to measure one view alone.
const TTAS = ['none', 'mirror', 'mirror-translate'] as const;
const tta = opt('tta') as (typeof TTAS)[number] | undefined;
if (tta && (!TTAS.includes(tta) || base.family !== 'airbench')) throw new Error(`--tta takes ${TTAS.join(', ')}, for the airbench model only.`);
const card: ModelCard = tta && base.family === 'airbench' ? { ...base, config: { ...base.config, tta } } : base;
const dir = process.env.CIFAR10_DIR ?? resolve(ROOT, '../shared/data/cifar-10-batches-bin');

await tf.setBackend(opt('backend') ?? 'wasm');
const file = parseSafetensors(readFileSync(join(ROOT, 'public', card.weights.url)).buffer as ArrayBuffer);
const int8 = process.argv.includes('--int8');
const parsed = int8 ? parseSafetensors(writeSafetensors(Object.fromEntries([...file.tensors].map(([n, t]) => [n, { shape: t.shape, data: t.data }])), {}, { int8 })) : file;
const model = await loadClassifier(card, (m) => toTfWeights(m, parsed)); // as the app's inference worker loads it

const { labels, pixels } = parseCifarRecords(new Uint8Array(readFileSync(join(dir, 'test_batch.bin'))));
const n = Math.min(limit, labels.length);
const perClass = new Array<number>(10).fill(0);
const totals = new Array<number>(10).fill(0);
let correct = 0;
const t0 = performance.now();
// Small batches: with six-view TTA a batch of 100 is 600 images through the net.
for (let i = 0; i < n; i += 100) {
  const b = Math.min(100, n - i);
  const pred = tf.tidy(() => {
    const x = tf.tensor4d(pixels.subarray(i * 3072, (i + b) * 3072), [b, 32, 32, 3], 'float32');
    return tf.argMax(model.forward(resizeAndNormalize(x, card.preprocess), EVAL), 1);
  });
  const p = await pred.data();
  pred.dispose();
  for (let j = 0; j < b; j++) {
    const y = labels[i + j]!;
    totals[y]!++;
    if (p[j] === y) {
      correct++;
      perClass[y]!++;
    }
  }
}
const secs = (performance.now() - t0) / 1000;
console.log(`model ${card.id}${card.family === 'airbench' && card.config.tta ? ` (tta ${card.config.tta})` : ''}, weights public/${card.weights.url}${int8 ? ' stored as int8 (--int8)' : ''}, backend ${tf.getBackend()}`);
console.log(`data ${join(dir, 'test_batch.bin')} (the shared JPEG-rebuilt copy of CIFAR-10; see its README)`);
console.log(card.labels.map((l, k) => `  ${l.padEnd(10)} ${((100 * perClass[k]!) / Math.max(1, totals[k]!)).toFixed(1)}%`).join('\n'));
console.log(`top-1 ${((100 * correct) / n).toFixed(2)}% (${correct}/${n}) in ${secs.toFixed(1)} s`);
