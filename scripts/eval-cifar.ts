// Evaluates a shipped model (the default unless --model) on the CIFAR-10 test set with TF.js
// (wasm backend in Node), with the same model code, weights file and normalisation as the app.
//   npm run eval [-- --limit 1000] [-- --model airbench-cifar10] [-- --tta none|mirror|mirror-translate] [-- --mirror] [-- --int8]
// --tta sets the airbench model's own test-time augmentation; --mirror averages any model's
// logits over the image and its mirror image; --int8 stores the weights as int8 first
// (per output channel, models/safetensors.ts), to measure what that costs in accuracy.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { findCard, DEFAULT_MODEL_ID } from '../models/registry';
import type { ModelCard } from '../models/card';
import { CIFAR_TEST_FILE, evaluateOnCifar } from '../tools/cifar-eval';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const base = findCard(opt('model') ?? DEFAULT_MODEL_ID);
if (!base.weights.embedded) throw new Error(`${base.id} does not ship with the app: there is no file to evaluate.`);
const TTAS = ['none', 'mirror', 'mirror-translate'] as const;
const tta = opt('tta') as (typeof TTAS)[number] | undefined;
if (tta && (!TTAS.includes(tta) || base.family !== 'airbench')) throw new Error(`--tta takes ${TTAS.join(', ')}, for the airbench model only.`);
const card: ModelCard = tta && base.family === 'airbench' ? { ...base, config: { ...base.config, tta } } : base;
const int8 = args.includes('--int8');
const mirror = args.includes('--mirror');

await tf.setBackend(opt('backend') ?? 'wasm');
const r = await evaluateOnCifar(card, { limit: Number(opt('limit') ?? 10_000), int8, mirror });
const how = [card.family === 'airbench' && card.config.tta ? `tta ${card.config.tta}` : '', mirror ? 'mirror TTA (--mirror)' : '', int8 ? 'stored as int8 (--int8)' : ''].filter(Boolean);
console.log(`model ${card.id}${how.length ? ` (${how.join(', ')})` : ''}, weights public/${card.weights.url}, backend ${tf.getBackend()}`);
console.log(`data ${CIFAR_TEST_FILE} (the shared JPEG-rebuilt copy of CIFAR-10; see its README)`);
console.log(card.labels.map((l, k) => `  ${l.padEnd(10)} ${(100 * r.perClass[k]!).toFixed(1)}%`).join('\n'));
console.log(`top-1 ${(100 * r.top1).toFixed(2)}% (${r.correct}/${r.n}) in ${r.seconds.toFixed(1)} s`);
