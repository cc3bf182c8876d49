// npm run bench: latency in headless Chromium, on fixed inputs. See BENCHMARKS.md.
//  1. model-only, per model x backend (bench.html): warm-up, then N timed forward passes,
//     each with an awaited readback of the output;
//  2. peers on the same input and weights: onnxruntime-web (wasm; webgpu where present) on
//     the ONNX export of tools/export_onnx.py, and PyTorch on the CPU (skipped without
//     Python/torch);
//  3. the live path: the built app with the fake camera, default model; end-to-end over
//     model-only is the pipeline overhead. On webgpu, once per frame import (bitmap, and
//     VideoFrame as an external texture);
//  4. webgpu preprocessing: the one-shader VideoFrame path against the TF.js-ops path;
//  5. the Tour on wasm: visualised frames per second per section (scripts/bench-tour.ts).
// Prints tables and writes bench-results.json.
import { startPreview } from './preview';
import { spawnSync, execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import type { Page } from '@playwright/test';
import { launch, openApp, waitForFrames, backendName, tmpFile, loadCifarTest, CIFAR_DIR, GPU_IMPORT_ARGS } from '../tools/app-harness';
import { placeCentered, writeY4M } from '../tools/y4m';
import { benchTour, type TourRow } from './bench-tour';
import { benchImage, fmtRatio, markdownTable, maxAbsDiff, ratio, softmax, summarize, type KernelRow, type Summary } from './bench-stats';
import type { InitResult, ModelRequest, ModelResult, OrtRequest, PreprocessRequest, PreprocessResult } from '../bench/main';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HELP = `npm run bench [-- options]
  --backends webgpu,webgl,wasm,cpu   TF.js backends (model-only and live)
  --models airbench-cifar10,resnet20-cifar10,mobilenet-v2-imagenet
  --warmup 2 --runs 10               model-only: warm-up passes, then timed passes
  --max-seconds 20                   per model x backend: stop timing after this (at least 3 runs)
  --threads N[,M...]                 wasm threads asked of TF.js (default: cores); a list runs wasm
                                     once per count and prints the speed-up; ORT and PyTorch get
                                     the count TF.js reports for the first (getThreadsCount)
  --frames 20                        live path: frames after warm-up (0: skip the live path)
  --tflite FILE                      the real MobileNetV2 on every backend, from this TensorFlow Lite file through
                                     the app's importer, and TFLite's own interpreter (tfjs-tflite) as a peer
                                     (default ../shared/models/tflite/mobilenet_v2_1.0_224_quant.tflite; none: skip)
  --no-peers                         skip onnxruntime-web, PyTorch and the TFLite interpreter
  --serial-compile                   webgpu: no parallel shader compile before the first run
  --no-fuse                          model-only: keep BatchNorm and ReLU as separate kernels (the app folds them)
  --profile                          tf.profile one forward per model x backend: top kernels
  --leak N                           wasm: N frames through preprocessing + model, numTensors before/after
  --tour-seconds 5                   the Tour on wasm: seconds counted per section and mode (0: skip)
  --out bench-results.json`;
const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(HELP);
  process.exit(0);
}
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const flag = (name: string) => args.includes(`--${name}`);
const backends = opt('backends', 'webgpu,webgl,wasm,cpu').split(',');
const modelIds = opt('models', 'airbench-cifar10,resnet20-cifar10,mobilenet-v2-imagenet').split(',');
const warmup = Number(opt('warmup', '2'));
const runs = Number(opt('runs', '10'));
const maxMs = Number(opt('max-seconds', '20')) * 1000;
// A list (--threads 1,2) runs wasm once per count, in this one run, and reports the speed-up.
const threadCounts = opt('threads', String(cpus().length)).split(',').map(Number);
const threads = threadCounts[0]!;
const frames = Number(opt('frames', '20'));
const peers = !flag('no-peers');
const parallelCompile = !flag('serial-compile');
const fuse = !flag('no-fuse');
const profile = flag('profile');
const leakFrames = Number(opt('leak', '0'));
const tourSeconds = Number(opt('tour-seconds', '5'));
const outFile = resolve(ROOT, opt('out', 'bench-results.json'));
const log = (s: string) => console.log(s);
// Other work on the machine skews every figure: the 1-minute load average, at the start and the end.
const loadStart = loadavg()[0]!;

// ---- build, peers' files, server ----
if (!existsSync(resolve(ROOT, 'dist/index.html')) || !existsSync(resolve(ROOT, 'dist/bench.html'))) {
  execSync('npx vite build', { cwd: ROOT, stdio: 'inherit' });
}
const PY = process.env.PYTHON ?? '/usr/bin/python3';
const hasTorch = peers && spawnSync(PY, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status === 0;
const MODELS_DIR = resolve(ROOT, 'bench-models');
const exported = (id: string) => existsSync(join(MODELS_DIR, `${id}.onnx`)) && existsSync(join(MODELS_DIR, `${id}.safetensors`));
if (hasTorch && !modelIds.every(exported)) {
  log('exporting the peers with tools/export_onnx.py (PyTorch -> ONNX) ...');
  spawnSync(PY, ['tools/export_onnx.py', '--models', modelIds.join(',')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'ignore'] });
}
// Served beside the built app (after the build, so the service worker never precaches them).
const BENCH_DIR = resolve(ROOT, 'dist/_bench');
mkdirSync(join(BENCH_DIR, 'models'), { recursive: true });
mkdirSync(join(BENCH_DIR, 'ort'), { recursive: true });
for (const id of modelIds.filter(exported)) {
  for (const ext of ['onnx', 'safetensors']) copyFileSync(join(MODELS_DIR, `${id}.${ext}`), join(BENCH_DIR, 'models', `${id}.${ext}`));
}
// The real MobileNetV2 from its TensorFlow Lite file, and the TFLite interpreter's WASM.
const tflitePath = resolve(ROOT, opt('tflite', '../shared/models/tflite/mobilenet_v2_1.0_224_quant.tflite'));
const TFLITE_ID = 'tflite-mobilenet-v2-1.0-224-quant';
const TFLITE_URL = '_bench/models/tflite-model.tflite';
const hasTflite = opt('tflite', '') !== 'none' && existsSync(tflitePath);
if (hasTflite) {
  copyFileSync(tflitePath, join(BENCH_DIR, 'models', 'tflite-model.tflite'));
  const wasmDir = resolve(ROOT, 'node_modules/@tensorflow/tfjs-tflite/wasm');
  mkdirSync(join(BENCH_DIR, 'tflite'), { recursive: true });
  for (const f of readdirSync(wasmDir)) copyFileSync(join(wasmDir, f), join(BENCH_DIR, 'tflite', f));
  const tfjs = resolve(ROOT, 'node_modules/@tensorflow');
  for (const f of ['tfjs-core/dist/tf-core.min.js', 'tfjs-backend-cpu/dist/tf-backend-cpu.min.js', 'tfjs-tflite/dist/tf-tflite.min.js']) copyFileSync(join(tfjs, f), join(BENCH_DIR, 'tflite', f.split('/').pop()!));
}
const ORT_DIST = resolve(ROOT, 'node_modules/onnxruntime-web/dist');
const ORT_FILES = ['ort.wasm.min.mjs', 'ort.webgpu.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.jsep.mjs', 'ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];
const hasOrt = peers && existsSync(join(ORT_DIST, 'ort.wasm.min.mjs'));
if (hasOrt) for (const f of ORT_FILES) if (existsSync(join(ORT_DIST, f))) copyFileSync(join(ORT_DIST, f), join(BENCH_DIR, 'ort', f));

const stop = await startPreview();

async function openBench(page: Page): Promise<void> {
  await page.goto('/bench.html');
  await page.waitForFunction(() => (globalThis as { benchReady?: boolean }).benchReady === true, null, { timeout: 60_000 });
}

// ---- 1. model-only, TF.js ----
interface TfRow extends Summary {
  model: string;
  backend: string;
  threads?: number;
  crossOriginIsolated: boolean;
  weights: string;
  inputShape: number[];
  firstMs: number;
  compileMs?: number;
  kernels?: KernelRow[];
  leak?: ModelResult['leak'];
  output: number[];
}
const tfRows: TfRow[] = [];
const skipped: string[] = [];
for (const [b, t] of backends.flatMap((b) => (b === 'wasm' ? threadCounts : [threads]).map((t) => [b, t] as const))) {
  const { browser, page } = await launch({ camera: false });
  try {
    await openBench(page);
    let info: InitResult;
    try {
      info = await page.evaluate(([b, t]) => (globalThis as unknown as { benchInit: (b: string, t: number) => Promise<InitResult> }).benchInit(b, t), [b, t] as const);
      if (b === 'wasm' && info.threads !== t) skipped.push(`TF.js wasm: ${t} threads asked, ${info.threads} given`);
    } catch (e) {
      skipped.push(`TF.js ${b}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    for (const id of [...modelIds, ...(hasTflite ? [TFLITE_ID] : [])]) {
      const req: ModelRequest = {
        id,
        tfliteUrl: id === TFLITE_ID ? TFLITE_URL : undefined,
        weightsUrl: exported(id) ? `_bench/models/${id}.safetensors` : undefined,
        warmup,
        runs,
        maxMs,
        parallelCompile,
        fuse,
        profile,
        leakFrames: b === 'wasm' ? leakFrames : 0,
      };
      try {
        const r = await page.evaluate((q) => (globalThis as unknown as { benchModel: (q: ModelRequest) => Promise<ModelResult> }).benchModel(q), req);
        tfRows.push({ ...r, model: id, backend: b, threads: info.threads, crossOriginIsolated: info.crossOriginIsolated });
        log(`TF.js ${b} ${id}: p50 ${r.p50Ms.toFixed(1)} ms over ${r.runs} runs (first ${r.firstMs.toFixed(0)} ms)`);
      } catch (e) {
        skipped.push(`TF.js ${b} ${id}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  } finally {
    await browser.close();
  }
}

// ---- 2. peers ----
// The same thread count as TF.js's wasm backend actually runs with, for a like-for-like ratio.
const peerThreads = tfRows.find((r) => r.backend === 'wasm')?.threads ?? threads;
interface PeerRow extends Summary {
  model: string;
  runtime: string;
  threads: number;
  firstMs: number;
  output?: number[];
}
const peerRows: PeerRow[] = [];
if (!peers) skipped.push('peers: --no-peers');
else if (!modelIds.some(exported)) skipped.push(`peers: no ONNX export in bench-models/ (needs ${PY} with torch and torchvision: tools/export_onnx.py)`);
if (peers && !hasOrt) skipped.push('onnxruntime-web: not installed (npm ci)');
if (hasOrt) {
  for (const ep of ['wasm', 'webgpu'] as const) {
    const { browser, page } = await launch({ camera: false });
    try {
      await openBench(page);
      for (const id of modelIds.filter(exported)) {
        const req: OrtRequest = { modelUrl: `_bench/models/${id}.onnx`, inputUrl: `_bench/models/${id}.safetensors`, ep, threads: peerThreads, warmup, runs, maxMs };
        try {
          const r = await page.evaluate((q) => (globalThis as unknown as { benchOrt: (q: OrtRequest) => Promise<Summary & { firstMs: number; output: number[] }> }).benchOrt(q), req);
          peerRows.push({ ...r, model: id, runtime: `onnxruntime-web ${ep}`, threads: ep === 'wasm' ? peerThreads : 0, output: softmax(r.output) });
          log(`onnxruntime-web ${ep} ${id}: p50 ${r.p50Ms.toFixed(1)} ms over ${r.runs} runs`);
        } catch (e) {
          skipped.push(`onnxruntime-web ${ep} ${id}: ${(e as Error).message.split('\n')[0]}`);
        }
      }
    } finally {
      await browser.close();
    }
  }
}
/** The interpreter page's script (plain JS, not TypeScript: Playwright would carry tsx's helpers into the page). */
const TFLITE_PAGE = `
window.runTflite = async (q) => {
  tflite.setWasmPath(location.origin + '/');
  const t0 = performance.now();
  const model = await tflite.loadTFLiteModel('/model.tflite', { numThreads: q.threads });
  const createMs = performance.now() - t0;
  const x = tf.tensor(q.image, [1, q.size, q.size, 3], 'int32');
  let output = [];
  async function once() {
    const y = model.predict(x);
    // The uint8 softmax output: scale 1/256, zero point 0.
    output = Array.from(await y.data(), (v) => v / 256);
    y.dispose();
  }
  let firstMs = 0;
  for (let i = 0; i < Math.max(1, q.warmup); i++) {
    const t = performance.now();
    await once();
    if (i === 0) firstMs = performance.now() - t;
  }
  const times = [];
  const start = performance.now();
  for (let i = 0; i < q.runs; i++) {
    const t = performance.now();
    await once();
    times.push(performance.now() - t);
    if (times.length >= 3 && performance.now() - start > q.maxMs) break;
  }
  x.dispose();
  return { firstMs, createMs, times, output, isolated: crossOriginIsolated };
};`;
if (peers && hasTflite) {
  // tfjs-tflite's WASM glue evaluates strings, which the app's policy (no 'unsafe-eval') refuses:
  // it runs on a page of its own, served by Playwright's router from dist/_bench/tflite/, cross-origin
  // isolated (COOP/COEP headers on a loopback origin, a secure context) so its threaded build can run.
  const { browser, context, page } = await launch({ camera: false });
  try {
    const origin = 'http://127.0.0.1:9';
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
    await context.route(`${origin}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ headers, contentType: 'text/html', body: `<!doctype html><script src="/tf-core.min.js"></script><script src="/tf-backend-cpu.min.js"></script><script src="/tf-tflite.min.js"></script><script>${TFLITE_PAGE}</script>` });
      const file = path === '/model.tflite' ? tflitePath : join(BENCH_DIR, 'tflite', path.slice(1));
      if (!existsSync(file)) return route.fulfill({ status: 404 });
      return route.fulfill({ headers, contentType: file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream', body: readFileSync(file) });
    });
    await page.goto(`${origin}/`);
    const req = { threads: peerThreads, warmup, runs, maxMs, size: 224, image: Array.from(benchImage(224)) };
    const r = await page.evaluate((q) => (globalThis as unknown as { runTflite: (q: unknown) => Promise<{ firstMs: number; createMs: number; times: number[]; output: number[]; isolated: boolean }> }).runTflite(q), req);
    peerRows.push({ ...summarize(r.times), firstMs: r.firstMs, output: r.output, model: TFLITE_ID, runtime: `TFLite interpreter (tfjs-tflite 0.0.1-alpha.10, WASM${r.isolated ? '' : ', not isolated: one thread'}, uint8)`, threads: peerThreads });
    log(`TFLite interpreter ${TFLITE_ID}: p50 ${summarize(r.times).p50Ms.toFixed(1)} ms over ${r.times.length} runs`);
  } catch (e) {
    skipped.push(`TFLite interpreter: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    await browser.close();
  }
} else if (peers) skipped.push(`TFLite: no file at ${tflitePath} (--tflite)`);
if (hasTorch && modelIds.some(exported)) {
  const out = spawnSync(PY, ['tools/export_onnx.py', '--time', '--models', modelIds.join(','), '--threads', String(peerThreads), '--warmup', String(warmup), '--runs', String(runs), '--max-seconds', String(maxMs / 1000)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  for (const line of out.stdout.split('\n').filter((l) => l.startsWith('{'))) {
    const j = JSON.parse(line) as { id: string; threads: number; torch: string; firstMs: number; times: number[] };
    peerRows.push({ model: j.id, runtime: `PyTorch ${j.torch} CPU`, threads: j.threads, firstMs: j.firstMs, ...summarize(j.times) });
  }
} else if (peers && !hasTorch) skipped.push(`PyTorch: ${PY} with torch and torchvision not found`);

// ---- 3. live path ----
interface LiveRow {
  backend: string;
  /** How camera frames reached the model. */
  frameImport: string;
  frames: number;
  firstMs: number;
  modelP50: number;
  modelP95: number;
  e2eP50: number;
  e2eP95: number;
  /** p50 of each part of the end-to-end time (the app's own breakdown). */
  captureP50: number;
  preprocessP50: number;
  otherP50: number;
  fps: number;
  overhead: number | null;
}
const liveRows: LiveRow[] = [];
if (frames > 0 && existsSync(join(CIFAR_DIR, 'test_batch.bin'))) {
  // A fixed input: one CIFAR-10 test image, centred in a 320x240 camera frame.
  const { images } = loadCifarTest(1);
  const frame = placeCentered(images[0]!, 32, 32, 240, 320, 240);
  const video = tmpFile('bench.y4m', writeY4M([frame, frame], 320, 240, 30));
  const runsOf = (b: string) => (b === 'webgpu' ? ['bitmap', 'external-texture'] : ['bitmap']);
  for (const [b, frameImport] of backends.flatMap((b) => runsOf(b).map((f) => [b, f] as const))) {
    // The VideoFrame import needs SwiftShader's Vulkan and ANGLE together (see GPU_IMPORT_ARGS).
    const { browser, page } = await launch({ video, args: frameImport === 'external-texture' ? GPU_IMPORT_ARGS : [] });
    try {
      await openApp(page, `backend=${b}&frameImport=${frameImport}`);
      const got = await backendName(page);
      if (got !== b) {
        skipped.push(`live ${b}: not available here (the app chose ${got})`);
        continue;
      }
      await page.getByRole('button', { name: 'Start camera' }).click();
      await waitForFrames(page, frames, 600_000);
      const num = async (id: string, attr: string) => Number(await page.getByTestId(id).getAttribute(attr));
      const row: LiveRow = {
        backend: b,
        frameImport: String(await page.getByTestId('frame-import').getAttribute('data-value')),
        frames,
        firstMs: await num('first-inference', 'data-value'),
        modelP50: await num('model-latency', 'data-p50'),
        modelP95: await num('model-latency', 'data-p95'),
        e2eP50: await num('e2e-latency', 'data-p50'),
        e2eP95: await num('e2e-latency', 'data-p95'),
        captureP50: await num('latency-parts', 'data-capture'),
        preprocessP50: await num('latency-parts', 'data-preprocess'),
        otherP50: await num('latency-parts', 'data-other'),
        fps: await num('fps', 'data-value'),
        overhead: null,
      };
      row.overhead = ratio(row.e2eP50, row.modelP50);
      liveRows.push(row);
      log(`live ${b} (${row.frameImport}): e2e/model ${fmtRatio(row.overhead)}`);
    } finally {
      await browser.close();
    }
  }
} else if (frames > 0) skipped.push(`live path: no CIFAR-10 test batch in ${CIFAR_DIR}`);

// ---- 5. the Tour's refresh rate on wasm (scripts/bench-tour.ts) ----
let tourRows: TourRow[] = [];
if (tourSeconds > 0 && existsSync(join(CIFAR_DIR, 'test_batch.bin'))) tourRows = await benchTour(tourSeconds, log);
else if (tourSeconds > 0) skipped.push(`Tour: no CIFAR-10 test batch in ${CIFAR_DIR}`);

// ---- 4. webgpu preprocessing: one shader on a VideoFrame vs TF.js ops ----
const prepRows: PreprocessResult[] = [];
if (backends.includes('webgpu')) {
  const { browser, page } = await launch({ camera: false, args: GPU_IMPORT_ARGS });
  try {
    await openBench(page);
    await page.evaluate(() => (globalThis as unknown as { benchInit: (b: string) => Promise<InitResult> }).benchInit('webgpu'));
    for (const id of modelIds) {
      for (const [width, height] of [[640, 480], [1280, 720]] as const) {
        const req: PreprocessRequest = { id, width, height, warmup, runs, maxMs };
        try {
          const r = await page.evaluate((q) => (globalThis as unknown as { benchPreprocess: (q: PreprocessRequest) => Promise<PreprocessResult> }).benchPreprocess(q), req);
          prepRows.push(r);
          log(`preprocess ${id} ${width}x${height}: shader p50 ${r.texture.p50Ms.toFixed(1)} ms, TF.js ops ${r.ops.p50Ms.toFixed(1)} ms`);
        } catch (e) {
          skipped.push(`preprocess ${id} ${width}x${height}: ${(e as Error).message.split('\n')[0]}`);
        }
      }
    }
  } catch (e) {
    skipped.push(`preprocess: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    await browser.close();
  }
}
stop();

// ---- report ----
const machine = `${cpus().length}x ${cpus()[0]?.model ?? 'cpu'}; headless Chromium (WebGPU/WebGL through SwiftShader where there is no GPU)`;
const ortWasm = (m: string) => peerRows.find((p) => p.model === m && p.runtime === 'onnxruntime-web wasm');
const tfliteRow = (m: string) => peerRows.find((p) => p.model === m && p.runtime.startsWith('TFLite'));
const torchRow = (m: string) => peerRows.find((p) => p.model === m && p.runtime.startsWith('PyTorch'));
const backendLabel = (r: TfRow) => (r.backend === 'wasm' ? `wasm (SIMD, ${r.threads} thread${r.threads === 1 ? '' : 's'})` : r.backend);
log(`\n${machine}; load average ${loadStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end; warm-up ${warmup}, up to ${runs} timed runs (${maxMs / 1000} s cap) each with readback\n`);
log('Model-only, TF.js:');
log(
  markdownTable(
    ['model', 'backend', 'first ms', 'p50 ms', 'p95 ms', 'runs', 'TF.js / ORT wasm (p50)', 'TF.js / PyTorch (p50)', 'TF.js / TFLite interpreter (p50)'],
    tfRows.map((r) => [r.model, backendLabel(r), r.firstMs, r.p50Ms, r.p95Ms, String(r.runs), fmtRatio(ratio(r.p50Ms, ortWasm(r.model)?.p50Ms)), fmtRatio(ratio(r.p50Ms, torchRow(r.model)?.p50Ms)), fmtRatio(ratio(r.p50Ms, tfliteRow(r.model)?.p50Ms))]),
  ),
);
const wasmRows = (id: string) => tfRows.filter((r) => r.model === id && r.backend === 'wasm');
if (threadCounts.length > 1) {
  log('\nwasm threads (p50 ms; speed-up over the first count, in this run):');
  log(
    markdownTable(
      ['model', ...threadCounts.map((t) => `${t} thread${t === 1 ? '' : 's'}`), ...threadCounts.slice(1).map((t) => `${threadCounts[0]} → ${t}`)],
      modelIds.map((id) => {
        const p50 = threadCounts.map((t) => wasmRows(id).find((r) => r.threads === t)?.p50Ms);
        return [id, ...p50.map((v) => (v == null ? '–' : v)), ...p50.slice(1).map((v) => fmtRatio(ratio(p50[0], v)))];
      }),
    ),
  );
}
if (peerRows.length) {
  log('\nPeers, same weights and input:');
  log(
    markdownTable(
      ['model', 'runtime', 'threads', 'first ms', 'p50 ms', 'p95 ms', 'runs', 'max |Δprob| vs TF.js wasm'],
      peerRows.map((p) => {
        const tfw = tfRows.find((r) => r.model === p.model && r.backend === 'wasm');
        const diff = p.output && tfw ? maxAbsDiff(p.output, tfw.output) : null;
        return [p.model, p.runtime, String(p.threads || '–'), p.firstMs, p.p50Ms, p.p95Ms, String(p.runs), diff == null ? '–' : diff.toExponential(1)];
      }),
    ),
  );
}
if (liveRows.length) {
  log('\nLive path (the app, fake camera, airbench-cifar10 with six-view TTA):');
  log(
    markdownTable(
      ['backend', 'frames as', 'first ms', 'model p50', 'model p95', 'e2e p50', 'e2e p95', 'FPS', 'e2e / model (p50)'],
      liveRows.map((r) => [r.backend, r.frameImport, r.firstMs, r.modelP50, r.modelP95, r.e2eP50, r.e2eP95, r.fps, fmtRatio(r.overhead)]),
    ),
  );
  log('\nWhere the live path\'s end-to-end time goes (p50 of each part, ms):');
  log(
    markdownTable(
      ['backend', 'frames as', 'capture (UI thread)', 'preprocess (worker)', 'model (worker)', 'transfer and render', 'e2e'],
      liveRows.map((r) => [r.backend, r.frameImport, r.captureP50, r.preprocessP50, r.modelP50, r.otherP50, r.e2eP50]),
    ),
  );
}
if (prepRows.length) {
  log('\nWebGPU preprocessing, frame -> normalised input with readback (ms): one shader on a VideoFrame vs TF.js ops on an ImageBitmap:');
  log(
    markdownTable(
      ['model', 'frame', 'shader p50', 'TF.js ops p50', 'ops / shader', 'max |Δ| (pixel units)'],
      prepRows.map((r) => [r.id, r.frame.join('x'), r.texture.p50Ms, r.ops.p50Ms, fmtRatio(ratio(r.ops.p50Ms, r.texture.p50Ms)), r.maxPixelDiff.toExponential(1)]),
    ),
  );
}
for (const r of tfRows.filter((r) => r.kernels)) {
  log(`\nKernels, ${r.model} on ${r.backend} (tf.profile, one forward):`);
  log(markdownTable(['kernel', 'calls', 'ms', 'share'], r.kernels!.map((k) => [k.name, String(k.calls), k.ms, `${(k.share * 100).toFixed(0)}%`])));
}
if (tourRows.length) {
  log(`\nThe Tour on wasm: visualised frames per second (camera at 30 fps; ${tourSeconds} s counted per row after 3 warm-up frames), first layer:`);
  log(
    markdownTable(
      ['section', 'model', 'weights', 'layer', 'maps only / s', 'maps / s, explaining', 'explained / s', 'explanation'],
      tourRows.map((r) => [r.section, r.model, r.trained ? 'trained' : 'random', r.layer, r.mapsPerSecond.toFixed(1), r.mapsWithExplanations.toFixed(1), r.explainedPerSecond.toFixed(1), r.method]),
    ),
  );
}
for (const r of tfRows.filter((r) => r.leak)) log(`\nLeak check, ${r.model} on wasm: numTensors ${r.leak!.before} -> ${r.leak!.after} over ${r.leak!.frames} frames`);
if (skipped.length) log(`\nSkipped:\n- ${skipped.join('\n- ')}`);
const strip = <T extends { output?: number[] }>(r: T) => ({ ...r, output: undefined });
writeFileSync(
  outFile,
  JSON.stringify({ date: new Date().toISOString(), machine, loadAverage: { start: loadStart, end: loadavg()[0] }, options: { backends, modelIds, warmup, runs, maxMs, threads: threadCounts, peerThreads, frames, parallelCompile, fuse, profile, leakFrames, tourSeconds }, modelOnly: tfRows.map(strip), peers: peerRows.map(strip), live: liveRows, preprocess: prepRows, tour: tourRows, skipped }, null, 1),
);
log(`\nwrote ${outFile}`);
process.exit(0);
