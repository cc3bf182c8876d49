// The teach worker, exposed through Comlink (workers/contracts/teach-protocol.ts): it stores
// the user's samples, embeds them with a frozen backbone, learns (imprinting or a trained
// softmax head) and stores the taught model like any other. Its own TF.js engine, so the
// camera keeps classifying meanwhile.
import '../engine/csp-report';
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { loadClassifier, TAUGHT_HIDDEN, type Classifier } from '../../models/builders';
import { withNumClasses, type ModelCard, type Preprocess, type TaughtInfo } from '../../models/card';
import { EVAL } from '../../models/nn';
import { profileCard } from '../../models/profile';
import { registerUserCard } from '../../models/registry';
import { chooseBackend } from '../engine/backend';
import { cancelCall, withCall } from '../engine/calls';
import { memory } from '../engine/memory';
import { frameToInput, pixelsAtInputSize } from '../preprocess/preprocess';
import type { BackendInfo, CachedModel } from '../contracts/inference-protocol';
import type { MethodResult, SampleInfo, TeachApi, TeachClass, TeachMethod } from '../contracts/teach-protocol';
import { classNamesProblem, fineTuneProblem, heldOutIds, learnProblem, sampleSize } from '../contracts/teach-rules';
import type { ImageSet } from '../contracts/train-protocol';
import { cardFor, toStored, weightsFor } from '../store/model-weights';
import { putCached, storedDigest, type StoredTensor } from '../store/weight-store';
import * as store from '../store/teach-store';
import { exportModel, importModel } from '../train/model-io';
import { countCorrect, imprint, type DenseHead } from './imprint';
import { trainHead } from './head';
import { fineTune, fineTuneConfig, namedState } from './finetune';
import { decodeDataset, encodeDataset } from './dataset-file';

const METHOD_LABEL: Record<TeachMethod, string> = { instant: 'instant', head: 'trained head', mlp: 'trained MLP', finetune: 'fine-tuned' };

/** A taught model's card (its weights and metrics are set once they are stored). */
function taughtCard(bb: ModelCard, method: TeachMethod, names: string[], info: Pick<TaughtInfo, 'samples' | 'heldOutAccuracy' | 'heldOutCount' | 'learnedAt'>): ModelCard {
  const base = bb.name.replace(/, (CIFAR-10|ImageNet|MNIST)$/, '');
  const card: ModelCard = {
    ...withNumClasses(bb, names.length),
    id: `taught-${method}-${bb.id}`,
    name: `Taught (${METHOD_LABEL[method]}, ${base}): ${names.join(', ')}`,
    labels: names,
    taught: { backbone: bb.id, backboneName: bb.name, method, ...info },
    metrics: [],
  };
  // Not the backbone's own: a taught model is neither a reduced line model nor a TFLite import.
  delete card.adapted;
  delete card.tflite;
  return card;
}

/** The samples as the trainer's in-memory ImageSets at the backbone's input side, cropped as the camera's frames are, split as the view shows. */
async function imageSets(samples: store.StoredSample[], held: Set<string>, index: Map<string, number>, pre: Preprocess, signal: AbortSignal): Promise<{ train: ImageSet; test: ImageSet }> {
  const side = pre.size[0];
  const per = side * side * 3;
  const parts = { train: [] as [Uint8Array, number][], test: [] as [Uint8Array, number][] };
  for (const s of samples) {
    signal.throwIfAborted();
    const bmp = await createImageBitmap(s.image);
    const x = tf.tidy(() => tf.cast(tf.clipByValue(tf.round(pixelsAtInputSize(tf.browser.fromPixels(bmp), pre, 'whole-frame')), 0, 255), 'int32'));
    bmp.close();
    const rgb = Uint8Array.from(await x.data());
    x.dispose();
    (held.has(s.id) ? parts.test : parts.train).push([rgb, index.get(s.classId)!]);
  }
  const pack = (p: [Uint8Array, number][]): ImageSet => {
    const pixels = new Uint8Array(p.length * per);
    p.forEach(([px], i) => pixels.set(px, i * per));
    return { pixels, labels: Uint8Array.from(p, ([, y]) => y), side };
  };
  return { train: pack(parts.train), test: pack(parts.test) };
}

let backend: BackendInfo | undefined;
let baseUrl = '';

/** The backbone in use: its model, card, and its weights as stored (for the taught model's file). */
let loaded: { id: string; card: ModelCard; model: Classifier; tensors: StoredTensor[]; sha256: string } | null = null;
/** Embeddings by backbone weights and sample: a sample is embedded once per backbone. */
const embeddings = new Map<string, Float32Array>();

async function backboneOf(id: string) {
  if (loaded?.id === id) return loaded;
  loaded?.model.dispose();
  loaded = null;
  const card = await cardFor(id);
  if (card.taught) throw new Error(`${card.name} is itself taught: choose a backbone that is not.`);
  let tensors: StoredTensor[] = [];
  let sha256 = '';
  const model = await loadClassifier(card, async (m) => {
    const w = await weightsFor(card, m, baseUrl, () => {});
    tensors = await toStored(w.weights);
    sha256 = w.sha256;
    return w.weights;
  });
  loaded = { id, card, model, tensors, sha256 };
  return loaded;
}

/** The L2-normalised embedding (the head's input) of one stored image. */
async function embed(bb: NonNullable<typeof loaded>, sampleId: string, image: Blob): Promise<Float32Array> {
  const key = `${bb.sha256}:${sampleId}`;
  const hit = embeddings.get(key);
  if (hit) return hit;
  const bmp = await createImageBitmap(image);
  let e: tf.Tensor;
  try {
    e = tf.tidy(() => {
      const f = bb.model.features(frameToInput(bmp, bb.card.preprocess, 'whole-frame'), EVAL);
      return tf.div(f, tf.maximum(tf.norm(f, 'euclidean', -1, true), 1e-12));
    });
  } finally {
    bmp.close();
  }
  const data = Float32Array.from(await e.data());
  e.dispose();
  embeddings.set(key, data);
  return data;
}

class NotAnImage extends Error {
  override name = 'NotAnImage';
}

/** Any image (a camera frame or a file) as the JPEG stored for a sample, downscaled. */
async function toJpeg(image: ImageBitmap | Blob): Promise<{ blob: Blob; width: number; height: number }> {
  let bmp: ImageBitmap;
  if (image instanceof Blob) {
    try {
      bmp = await createImageBitmap(image);
    } catch {
      const name = (image as File).name ? `"${(image as File).name}"` : 'This file';
      throw new NotAnImage(`${name} is not an image this browser can read (${image.type || 'unknown type'}); nothing was added.`);
    }
  } else bmp = image;
  try {
    const { width, height } = sampleSize(bmp.width, bmp.height);
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d')!;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bmp, 0, 0, width, height);
    return { blob: await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 }), width, height };
  } finally {
    bmp.close();
  }
}

let lastAdded = 0;
/** Strictly increasing, so the split (by time added) is stable even for samples within one millisecond. */
function addedNow(): number {
  lastAdded = Math.max(lastAdded + 1, Date.now());
  return lastAdded;
}

function headTensors(name: string, head: DenseHead, bias: boolean): StoredTensor[] {
  const w: StoredTensor = { name: `${name}.weight`, shape: [head.inputs, head.classes], data: head.weight };
  return bias ? [w, { name: `${name}.bias`, shape: [head.classes], data: head.bias }] : [w];
}

const api: TeachApi = {
  async init(opts) {
    baseUrl = opts.baseUrl;
    backend ??= await chooseBackend(opts.backend);
    return backend;
  },

  async load() {
    const set = await store.getSet();
    return { set: { id: set.id, classes: set.classes, updatedAt: set.updatedAt }, samples: await store.listSamples(), results: set.results ?? [] };
  },

  async saveClasses(classes: TeachClass[]) {
    const problem = classNamesProblem(classes);
    if (problem) throw new Error(problem);
    return store.putClasses(classes.map((c) => ({ id: c.id, name: c.name.trim() })));
  },

  removeClass: (classId) => store.deleteClass(classId),

  async addSample(classId, image, source) {
    const set = await store.getSet();
    if (!set.classes.some((c) => c.id === classId)) throw new Error('That class is no longer there; nothing was added.');
    const { blob, width, height } = await toJpeg(image);
    const info: SampleInfo = { id: crypto.randomUUID(), classId, addedAt: addedNow(), source, width, height, bytes: blob.size };
    await store.putSample({ ...info, setId: store.SET_ID, image: blob });
    // Embedded now with the backbone in use, so learning after the last sample has only the head to do.
    if (loaded) await embed(loaded, info.id, blob);
    return info;
  },

  sampleImage: (id) => store.getSampleImage(id),
  deleteSample: (id) => store.deleteSample(id),

  async exportDataset() {
    const set = await store.getSet();
    return encodeDataset(set.classes, await store.getSamples());
  },

  async importDataset(file) {
    const { classes, samples } = await decodeDataset(file, async (b) => {
      const bmp = await createImageBitmap(b).catch(() => null);
      bmp?.close();
      return bmp !== null;
    });
    await store.replaceAll(classes, samples.map((s) => ({ ...s, setId: store.SET_ID })));
    const set = await store.getSet();
    return { set: { id: set.id, classes: set.classes, updatedAt: set.updatedAt }, samples: await store.listSamples() };
  },

  async useBackbone(id) {
    await backboneOf(id);
  },

  learn(method, backboneId, headOpts, onEvent, callId) {
    return withCall(callId, async (signal) => {
      const t0 = performance.now();
      const set = await store.getSet();
      const samples = await store.getSamples();
      const problem = learnProblem(set.classes, samples);
      if (problem) throw new Error(problem);
      if (method === 'finetune') {
        const refused = fineTuneProblem(backend?.name ?? 'unknown', (await cardFor(backboneId)).preprocess.size);
        if (refused) throw new Error(refused);
      }
      const bb = await backboneOf(backboneId);
      const held = heldOutIds(samples);
      const index = new Map(set.classes.map((c, i) => [c.id, i]));
      const train: { e: Float32Array[]; y: number[] } = { e: [], y: [] };
      const test: { e: Float32Array[]; y: number[] } = { e: [], y: [] };
      for (const [i, s] of samples.entries()) {
        signal.throwIfAborted();
        const part = held.has(s.id) ? test : train;
        part.e.push(await embed(bb, s.id, s.image));
        part.y.push(index.get(s.classId)!);
        if (i % 8 === 7 || i === samples.length - 1) await onEvent({ type: 'embed', done: i + 1, total: samples.length });
      }
      const k = set.classes.length;
      const headName = bb.model.headName;
      // The family's head decides: airbench's Linear has no bias, so its trained head learns none.
      const bias = bb.model.variables().some((v) => v.name === `${headName}.bias`);
      const backboneTensors = bb.tensors.filter((t) => !t.name.startsWith(`${headName}.`));
      const names = set.classes.map((c) => c.name);
      const onEpoch = (epoch: number, loss: number) => onEvent({ type: 'epoch', epoch, epochs: headOpts.epochs, loss });
      let losses: number[] = [];
      let correct: number;
      let tensors: StoredTensor[];
      if (method === 'finetune') {
        // The new head starts from the class means (imprinting), then everything trains.
        const start = [...backboneTensors, ...headTensors(headName, imprint(train.e, train.y, k), bias)];
        const card = taughtCard(bb.card, method, names, { samples: samples.length, heldOutAccuracy: null, heldOutCount: test.e.length, learnedAt: 0 });
        const model = await loadClassifier(card, () => new Map(start.map((t) => [t.name, tf.tensor(t.data, t.shape)])), { fuse: false });
        try {
          const sets = await imageSets(samples, held, index, bb.card.preprocess, signal);
          const cfg = fineTuneConfig(bb.card.id, bb.card.preprocess.size[0], sets.train.labels.length, { epochs: headOpts.epochs, lr: headOpts.lr });
          const onStep = (epoch: number, step: number, steps: number, loss: number | null) => onEvent({ type: 'step', epoch, epochs: headOpts.epochs, step, steps, loss });
          const r = await fineTune(model, bb.card.preprocess, cfg, k, sets.train, sets.test, { signal, onEpoch, onStep });
          losses = r.losses;
          correct = r.correct;
          tensors = await toStored(namedState(model));
        } finally {
          model.dispose();
        }
      } else {
        let head: DenseHead;
        let hidden: DenseHead | undefined;
        if (method === 'instant') head = imprint(train.e, train.y, k);
        else {
          const r = await trainHead(train.e, train.y, k, { ...headOpts, bias, mlp: method === 'mlp', signal, onEpoch });
          head = r.head;
          hidden = r.hidden;
          losses = r.losses;
        }
        correct = countCorrect(head, test.e, test.y, hidden);
        tensors = [...backboneTensors, ...(hidden ? headTensors(TAUGHT_HIDDEN, hidden, true) : []), ...headTensors(headName, head, bias)];
      }
      signal.throwIfAborted();
      const accuracy = test.e.length ? correct / test.e.length : null;
      const sha256 = await storedDigest(tensors);
      const storedBytes = tensors.reduce((n, t) => n + t.data.byteLength, 0);
      const learnedAt = Date.now();
      let card = taughtCard(bb.card, method, names, { samples: samples.length, heldOutAccuracy: accuracy, heldOutCount: test.e.length, learnedAt });
      card = {
        ...card,
        weights: { url: '', sha256, bytes: storedBytes, format: 'safetensors', convention: 'convcam', license: 'Taught on this device from your own samples.', embedded: false },
        metrics: accuracy === null ? [] : [{ name: 'held-out accuracy', value: accuracy, command: 'ConvCam Teach view', dataset: `${test.e.length} held-out samples of your own` }],
      };
      const p = await profileCard(card);
      card = { ...card, params: p.params, macs: p.macs };
      const modelId = card.id;
      const meta: CachedModel = { modelId, sha256, sourceBytes: storedBytes, storedBytes, savedAt: learnedAt, card };
      await putCached(meta, tensors);
      registerUserCard(card);
      const result: MethodResult = { method, backboneId, modelId, trainCount: train.e.length, heldOutCount: test.e.length, heldOutCorrect: correct, accuracy, losses, ms: performance.now() - t0, learnedAt };
      await store.putResult(result);
      await onEvent({ type: 'end', result, model: meta });
      return result;
    });
  },

  cancelCall,
  exportModel,
  importModel,
  memory: async () => memory(),
};

Comlink.expose(api);
