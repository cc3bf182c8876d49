// The model-only benchmark page (bench.html), driven by scripts/bench.ts through Playwright.
// TF.js: build a model from its card, load weights (the exported peer file, the shipped
// file, or a seeded random init), warm up, then N timed forward passes, each with an
// awaited readback (as TF.js's e2e benchmark does). onnxruntime-web: the same input on the
// ONNX export of the same weights. Not part of the app; the service worker ignores it.
import * as tf from '@tensorflow/tfjs-core';
import { chooseBackend } from '../workers/engine/backend';
import { precompile } from '../workers/engine/compile';
import { frameToInput } from '../workers/preprocess/preprocess';
import { videoFrameToInput } from '../workers/preprocess/gpu-frame';
import { findCard } from '../models/registry';
import { loadClassifier, type Classifier } from '../models/builders';
import { EVAL } from '../models/nn';
import { parseSafetensors } from '../models/safetensors';
import { toTfWeights } from '../models/weights';
import { benchImage, summarize, topKernels, type KernelRow, type Summary } from '../scripts/bench-stats';
import { parseTflite } from '../workers/import/tflite';
import { mapTfliteMobilenet } from '../workers/import/tflite-mobilenet';
import type { ModelCard } from '../models/card';

export interface InitResult {
  backend: string;
  crossOriginIsolated: boolean;
  threads?: number;
}

export interface ModelRequest {
  id: string;
  /** A safetensors file with the weights (PyTorch names) and `__input__` (NCHW); omit for a random init. */
  weightsUrl?: string;
  warmup: number;
  runs: number;
  /** Stop timing after this long (at least 3 runs). */
  maxMs: number;
  /** webgpu: compile all shaders in parallel before the first run. */
  parallelCompile: boolean;
  /** Fold BatchNorm and ReLU/ReLU6 into the convs, as the app's inference worker does. */
  fuse: boolean;
  profile: boolean;
  /** Frames through the live path's preprocessing + model, numTensors before and after. */
  leakFrames: number;
  /** A TensorFlow Lite file: the model and its card come from the app's importer, and the input is benchImage. */
  tfliteUrl?: string;
}

export interface ModelResult extends Summary {
  id: string;
  weights: 'peer-export' | 'shipped' | 'random' | 'tflite';
  inputShape: number[];
  firstMs: number;
  compileMs?: number;
  /** What the loaded model holds on the backend (tf.memory() after loading, less before). */
  held: { tensors: number; bytes: number };
  kernels?: KernelRow[];
  leak?: { frames: number; before: number; after: number };
  /** The output vector (probabilities; ONNX: logits). */
  output: number[];
}

export interface OrtRequest {
  modelUrl: string;
  inputUrl: string;
  ep: 'wasm' | 'webgpu';
  threads: number;
  warmup: number;
  runs: number;
  maxMs: number;
}

async function fetchBuffer(url: string): Promise<ArrayBuffer> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.arrayBuffer();
}

async function timeRuns(once: () => Promise<unknown>, warmup: number, runs: number, maxMs: number): Promise<{ firstMs: number; times: number[] }> {
  let firstMs = 0;
  for (let i = 0; i < Math.max(1, warmup); i++) {
    const t = performance.now();
    await once();
    if (i === 0) firstMs = performance.now() - t;
  }
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await once();
    times.push(performance.now() - t);
    if (times.length >= 3 && performance.now() - start > maxMs) break;
  }
  return { firstMs, times };
}

async function init(backend: string, threads?: number): Promise<InitResult> {
  const info = await chooseBackend(backend, [], threads);
  if (info.name !== backend) throw new Error(`asked for ${backend}, got ${info.name}`);
  return { backend: info.name, crossOriginIsolated, threads: info.threads };
}

async function benchModel(req: ModelRequest): Promise<ModelResult> {
  const imported = req.tfliteUrl ? await mapTfliteMobilenet(parseTflite(new Uint8Array(await fetchBuffer(req.tfliteUrl))), { file: req.tfliteUrl, url: req.tfliteUrl, sha256: '', bytes: 0 }) : null;
  const card: ModelCard = imported?.card ?? findCard(req.id);
  const [h, w] = card.preprocess.size;
  const c = card.preprocess.channels ?? 3;
  const shape: [number, number, number, number] = [1, h, w, c];
  let input: tf.Tensor4D;
  let weights: ModelResult['weights'];
  const url = req.weightsUrl ?? (card.weights.embedded ? card.weights.url : undefined);
  const parsed = url && !imported ? parseSafetensors(await fetchBuffer(url)) : null;
  const before = tf.memory();
  const weightsOf = imported ? () => new Map(imported.tensors.map((t) => [t.name, tf.tensor(t.data, t.shape)] as const)) : parsed && ((m: Classifier) => toTfWeights(m, parsed));
  const model: Classifier = await loadClassifier(card, weightsOf, { fuse: req.fuse });
  const held = { tensors: tf.memory().numTensors - before.numTensors, bytes: tf.memory().numBytes - before.numBytes };
  if (imported) {
    const { mean: [m], std: [s] } = card.preprocess;
    input = tf.tidy(() => tf.div(tf.sub(tf.div(tf.tensor4d(benchImage(h), shape, 'float32'), 255), m!), s!)) as tf.Tensor4D;
    weights = 'tflite';
  } else if (parsed) {
    const x = parsed.tensors.get('__input__');
    input = x
      ? (tf.tidy(() => tf.transpose(tf.tensor4d(x.data, x.shape as [number, number, number, number]), [0, 2, 3, 1])) as tf.Tensor4D)
      : (tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor4D);
    weights = req.weightsUrl ? 'peer-export' : 'shipped';
  } else {
    input = tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
    weights = 'random';
  }
  const forward = () => tf.softmax(model.forward(input, EVAL));
  let compileMs: number | undefined;
  if (req.parallelCompile) {
    const t = performance.now();
    if (await precompile(forward)) compileMs = performance.now() - t;
  }
  let output: number[] = [];
  const once = async () => {
    const y = tf.tidy(forward);
    const d = (await y.data()) as Float32Array;
    y.dispose();
    output = [...d];
  };
  const { firstMs, times } = await timeRuns(once, req.warmup, req.runs, req.maxMs);
  const result: ModelResult = { id: req.id, weights, inputShape: input.shape, firstMs: firstMs + (compileMs ?? 0), compileMs, held, output, ...summarize(times) };
  if (req.profile) {
    const info = await tf.profile(async () => {
      const y = tf.tidy(forward);
      await y.data();
      y.dispose();
    });
    const rows = await Promise.all(
      info.kernels.map(async (k) => ({ name: k.name, ms: Number(await (k.kernelTimeMs as number | Promise<number | { error: string }>)) })),
    );
    result.kernels = topKernels(rows, 10);
  }
  if (req.leakFrames > 0) {
    const canvas = new OffscreenCanvas(320, 240);
    const g = canvas.getContext('2d')!;
    g.fillStyle = '#4a7';
    g.fillRect(0, 0, 320, 240);
    const frame = await createImageBitmap(canvas);
    const before = tf.memory().numTensors;
    for (let i = 0; i < req.leakFrames; i++) {
      const x = frameToInput(frame, card.preprocess, 'whole-frame');
      const y = tf.tidy(() => tf.softmax(model.forward(x, EVAL)));
      x.dispose();
      await y.data();
      y.dispose();
    }
    result.leak = { frames: req.leakFrames, before, after: tf.memory().numTensors };
    frame.close();
  }
  input.dispose();
  model.dispose();
  return result;
}

interface OrtTensor {
  getData(): Promise<unknown>;
}
interface OrtModule {
  env: { wasm: { wasmPaths: string; numThreads: number; simd?: boolean } };
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: {
    create(model: ArrayBuffer | Uint8Array, opts: { executionProviders: string[]; graphOptimizationLevel: string }): Promise<{
      inputNames: readonly string[];
      outputNames: readonly string[];
      run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
    }>;
  };
}

async function benchOrt(req: OrtRequest): Promise<Summary & { firstMs: number; output: number[]; threads: number; createMs: number }> {
  const base = new URL('_bench/ort/', location.href).href;
  const file = req.ep === 'webgpu' ? 'ort.webgpu.min.mjs' : 'ort.wasm.min.mjs';
  const ort = (await import(/* @vite-ignore */ base + file)) as OrtModule;
  ort.env.wasm.wasmPaths = base;
  ort.env.wasm.numThreads = req.threads;
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(new Uint8Array(await fetchBuffer(req.modelUrl)), {
    executionProviders: [req.ep],
    graphOptimizationLevel: 'all',
  });
  const createMs = performance.now() - t0;
  const x = parseSafetensors(await fetchBuffer(req.inputUrl)).tensors.get('__input__');
  if (!x) throw new Error(`${req.inputUrl} has no __input__`);
  const feed = { [session.inputNames[0]!]: new ort.Tensor('float32', x.data, x.shape) };
  let output: number[] = [];
  const once = async () => {
    const out = await session.run(feed);
    const d = (await out[session.outputNames[0]!]!.getData()) as Float32Array;
    output = [...d];
  };
  const { firstMs, times } = await timeRuns(once, req.warmup, req.runs, req.maxMs);
  return { firstMs, output, threads: req.threads, createMs, ...summarize(times) };
}

export interface PreprocessRequest {
  id: string;
  /** The synthetic camera frame's size. */
  width: number;
  height: number;
  warmup: number;
  runs: number;
  maxMs: number;
}

export interface PreprocessResult {
  id: string;
  frame: [number, number];
  /** Largest difference between the two paths' inputs, in normalised units and in 0-255 pixel units. */
  maxAbsDiff: number;
  maxPixelDiff: number;
  /** The VideoFrame path: one shader on an external texture (ms per frame, with readback). */
  texture: Summary;
  /** TF.js ops on an ImageBitmap of the whole frame (upload, slice, cast, pool, resize, normalise). */
  ops: Summary;
}

/** A deterministic frame with edges and gradients, so that crop and resize errors show. */
function syntheticFrame(width: number, height: number): OffscreenCanvas {
  const canvas = new OffscreenCanvas(width, height);
  const g = canvas.getContext('2d')!;
  const grad = g.createLinearGradient(0, 0, width, height);
  grad.addColorStop(0, '#102030');
  grad.addColorStop(0.5, '#e0a040');
  grad.addColorStop(1, '#30c0f0');
  g.fillStyle = grad;
  g.fillRect(0, 0, width, height);
  for (let i = 0; i < 40; i++) {
    g.fillStyle = `rgb(${(i * 53) % 256}, ${(i * 97) % 256}, ${(i * 31) % 256})`;
    g.fillRect((i * 37) % width, (i * 71) % height, 5 + ((i * 13) % 60), 3 + ((i * 29) % 40));
  }
  return canvas;
}

/**
 * WebGPU: the fused VideoFrame shader against the TF.js-ops path on the same pixels (an RGBA
 * frame, so no YUV conversion differs), and the time of each, readback included.
 */
async function benchPreprocess(req: PreprocessRequest): Promise<PreprocessResult> {
  const p = findCard(req.id).preprocess;
  const canvas = syntheticFrame(req.width, req.height);
  const bitmap = await createImageBitmap(canvas);
  const frame = new VideoFrame(canvas, { timestamp: 0 });
  try {
    const a = videoFrameToInput(frame, p);
    const b = frameToInput(bitmap, p, 'whole-frame');
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
    const maxAbsDiff = (await diff.data())[0]!;
    tf.dispose([a, b, diff]);
    const readBack = async (make: () => tf.Tensor) => {
      const x = make();
      await x.data();
      x.dispose();
    };
    const texture = await timeRuns(() => readBack(() => videoFrameToInput(frame, p)), req.warmup, req.runs, req.maxMs);
    const ops = await timeRuns(() => readBack(() => frameToInput(bitmap, p, 'whole-frame')), req.warmup, req.runs, req.maxMs);
    return {
      id: req.id,
      frame: [req.width, req.height],
      maxAbsDiff,
      maxPixelDiff: maxAbsDiff * Math.max(...p.std) * 255,
      texture: summarize(texture.times),
      ops: summarize(ops.times),
    };
  } finally {
    frame.close();
    bitmap.close();
  }
}

Object.assign(globalThis, { benchInit: init, benchModel, benchOrt, benchPreprocess, benchReady: true });
