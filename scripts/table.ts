// npm run table: the "Performance on CIFAR-10" table of the shipped CIFAR-10 models, measured
// in one run. Accuracy with TF.js (wasm, in Node) on the shipped files, one view and with
// test-time augmentation; latency p50 and held memory from the bench page (npm run bench) in
// headless Chromium; PyTorch training time and images/s from the training logs. Writes
// models/line-table.json (the Models view shows it) and the table in README.md.
//   npm run table [-- --limit 10000] [-- --backends wasm,webgl,webgpu] [-- --runs 20]
//                 [-- --out models/line-table.json] [-- --no-readme] [-- --only id1,id2]
// --only measures those models alone and puts their rows into the existing table, each marked
// as measured in its own run (for a model shipped after the table was measured).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SHIPPED_CIFAR10 } from '../models/registry';
import type { ModelCard } from '../models/card';
import { evaluateOnCifar } from '../tools/cifar-eval';
import { ROOT } from '../tools/app-harness';
import { lineTableMarkdown, mergeRows, type LineRow, type LineTable } from '../models/line-table';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const limit = Number(opt('limit', '10000'));
const backends = opt('backends', 'wasm,webgl,webgpu').split(',');
const runs = opt('runs', '20');
const out = resolve(ROOT, opt('out', 'models/line-table.json'));
const only = args.includes('--only') ? opt('only', '').split(',') : null;
for (const id of only ?? []) if (!SHIPPED_CIFAR10.some((c) => c.id === id)) throw new Error(`--only: ${id} is not a shipped CIFAR-10 model`);
const cards = only ? SHIPPED_CIFAR10.filter((c) => only.includes(c.id)) : SHIPPED_CIFAR10;

/** PyTorch training figures from the run's log (training/train_line.py, or training/train_airbench.py). */
function training(card: ModelCard): LineRow['training'] {
  if (card.family === 'airbench') {
    const file = join('training', 'airbench.log.json');
    const { log } = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { log: { seconds: number }[] };
    const seconds = log.at(-1)!.seconds;
    return { seconds, imagesPerSecond: (log.length * 50_000) / seconds, epochs: log.length, log: file };
  }
  const file = join('training', 'line', `${card.id}.log.json`);
  if (!existsSync(join(ROOT, file))) return null;
  const log = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as { epochs: { seconds: number }[] };
  const seconds = log.epochs.reduce((s, e) => s + e.seconds, 0);
  return { seconds, imagesPerSecond: (log.epochs.length * 50_000) / seconds, epochs: log.epochs.length, log: file };
}

await tf.setBackend('wasm');
const rows: LineRow[] = [];
for (const card of cards) {
  // airbench has its own six-view TTA in its config; every other model averages with its mirror image.
  const oneView: ModelCard = card.family === 'airbench' ? { ...card, config: { ...card.config, tta: 'none' } } : card;
  const one = await evaluateOnCifar(oneView, { limit });
  const tta = card.family === 'airbench' ? await evaluateOnCifar(card, { limit }) : await evaluateOnCifar(card, { limit, mirror: true });
  console.log(`${card.id}: top-1 ${(100 * one.top1).toFixed(2)}% one view, ${(100 * tta.top1).toFixed(2)}% with TTA (${one.n} images)`);
  rows.push({
    id: card.id,
    name: card.name,
    family: card.family,
    year: card.year,
    adapted: card.adapted ?? '',
    params: card.params,
    macs: card.macs,
    bytes: card.weights.bytes,
    top1: one.top1,
    top1Tta: tta.top1,
    tta: card.family === 'airbench' ? 'six views (mirror and two 1-pixel shifts)' : 'mirror',
    images: one.n,
    training: training(card),
    latencyP50Ms: {},
    held: null,
  });
}

// Latency and memory: the bench page, every model on each backend, in this one run.
const benchOut = join(mkdtempSync(join(tmpdir(), 'convcam-table-')), 'bench.json');
const bench = spawnSync('npx', ['tsx', 'scripts/bench.ts', '--models', cards.map((c) => c.id).join(','), '--backends', backends.join(','), '--runs', runs, '--frames', '0', '--no-peers', '--tour-seconds', '0', '--tflite', 'none', '--out', benchOut], { cwd: ROOT, stdio: 'inherit' });
if (bench.status !== 0) throw new Error(`npm run bench failed (${bench.status})`);
const measured = JSON.parse(readFileSync(benchOut, 'utf8')) as { machine: string; modelOnly: { model: string; backend: string; p50Ms: number; held: { tensors: number; bytes: number } }[]; skipped: string[] };
for (const r of measured.modelOnly) {
  const row = rows.find((x) => x.id === r.model);
  if (!row) continue;
  row.latencyP50Ms[r.backend] = r.p50Ms;
  if (r.backend === 'wasm') row.held = r.held;
}

const date = new Date().toISOString().slice(0, 10);
const command = `npm run table -- --limit ${limit} --backends ${backends.join(',')} --runs ${runs}${only ? ` --only ${only.join(',')}` : ''}`;
const table: LineTable = only
  ? mergeRows(JSON.parse(readFileSync(out, 'utf8')) as LineTable, rows, SHIPPED_CIFAR10.map((c) => c.id), { date, machine: measured.machine, command })
  : {
      date,
      machine: measured.machine,
      gpu: backends.filter((b) => b !== 'wasm' && b !== 'cpu').length ? 'no GPU: webgl and webgpu ran on SwiftShader (the CPU)' : '',
      command,
      skipped: measured.skipped,
      rows,
    };
writeFileSync(out, JSON.stringify(table, null, 1) + '\n');
console.log(`wrote ${out}`);
if (!args.includes('--no-readme')) {
  const readme = join(ROOT, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const [start, end] = ['<!-- line-table:start -->', '<!-- line-table:end -->'];
  if (!text.includes(start) || !text.includes(end)) throw new Error(`README.md lacks the ${start} … ${end} markers.`);
  writeFileSync(readme, text.replace(new RegExp(`${start}[\\s\\S]*${end}`), `${start}\n${lineTableMarkdown(table)}\n${end}`));
  console.log('updated README.md');
}
process.exit(0);
