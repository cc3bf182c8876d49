// The Tour's worker (Comlink, workers/contracts/tour-protocol.ts): it loads each section's
// model, reads the family's facts off it (models/tour-facts.ts) and computes feature maps for
// camera frames (feature-maps.ts). A worker of its own, with its own TF.js engine, so the Tour
// never waits behind the Live view's frames and its tensor count is its own.
import '../engine/csp-report';
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs-core';
import { buildModel, loadClassifier, type Classifier } from '../../models/builders';
import { findCard } from '../../models/registry';
import { tourFacts } from '../../models/tour-facts';
import { TOUR_SECTIONS } from '../../models/tour-sections';
import { Conv2d } from '../../models/nn';
import { chooseBackend } from '../engine/backend';
import { cancelCall, withCall, abortError } from '../engine/calls';
import { frameToInput } from '../preprocess/preprocess';
import { cardFor, weightsFor } from '../store/model-weights';
import type { BackendInfo } from '../contracts/inference-protocol';
import type { ExplainedMaps, Explanation, SectionInfo, TourApi } from '../contracts/tour-protocol';
import { featureMaps, filterPictures, mapLayers } from './feature-maps';
import { deconvnet, gradCam, gradCamLayer, guidedBackprop, guidedCalls, plainSteps, top1 } from './explain';
import { bitmapRgba, heatOverlay, imageRgba } from './pictures';
import { tfWork } from '../engine/compile';

let backend: BackendInfo | undefined;
let baseUrl = '';
const models = new Map<string, Classifier>();
const trainedIds = new Set<string>();
const steps = new Map<string, Awaited<ReturnType<typeof plainSteps>>>();
/** Unfused copies on the cpu backend, for the gradient methods. */
const gradModels = new Map<string, { model: Classifier; camLayer: string | null }>();

/**
 * Where a model's gradients run. wasm has the conv input gradient (Conv2DBackpropInput) and
 * max-pool's, but no depthwise-conv input gradient; the cpu backend has every gradient. So
 * a model with depthwise convs (MobileNet, ConvNeXt) runs them on cpu, in this worker, and so
 * does any model on webgl or webgpu, whose gradient kernels this was not checked on.
 */
function gradientBackend(model: Classifier, own: string): { name: string; why: string | null } {
  const depthwise = [...model.namedModules()].some(([, m]) => m instanceof Conv2d && (m.opts.groups ?? 1) > 1);
  if (own === 'cpu' || (own === 'wasm' && !depthwise)) return { name: own, why: null };
  return {
    name: 'cpu',
    why: own === 'wasm' ? "on the cpu backend in the Tour's worker: wasm has no gradient kernel for depthwise convolutions" : `on the cpu backend in the Tour's worker: the gradients were checked on wasm and cpu, not ${own}`,
  };
}

function weightsOf(modelId: string) {
  const card = findCard(modelId);
  return trainedIds.has(modelId) ? (m: Classifier) => weightsFor(card, m, baseUrl, () => {}).then((w) => w.weights) : null;
}

/** Guided backprop and Grad-CAM of the top-1 class, on the cpu backend, then back to the Tour's. */
async function gradients(modelId: string, frame: ImageBitmap, frameRgba: Uint8ClampedArray): Promise<Explanation> {
  const card = findCard(modelId);
  const previous = tf.getBackend();
  const where = gradientBackend(models.get(modelId)!, previous);
  if (where.name !== previous) await tf.setBackend(where.name);
  try {
    let g = gradModels.get(modelId);
    if (!g) {
      // Not fused: a ReLU folded into a conv has its own gradient, which guided backprop must replace.
      g = { model: await loadClassifier(card, weightsOf(modelId), { fuse: false, seed: 1 }), camLayer: null };
      gradModels.set(modelId, g);
    }
    const x = frameToInput(frame, card.preprocess, 'model-input');
    try {
      const cls = await top1(g.model, x);
      const calls = guidedCalls.count;
      const guidedT = guidedBackprop(g.model, x, cls);
      const noRelu = guidedCalls.count === calls;
      const guided = await imageRgba(guidedT).finally(() => guidedT.dispose());
      g.camLayer ??= gradCamLayer(g.model, x);
      const cam = gradCam(g.model, x, cls, g.camLayer);
      const heat = await heatOverlay(cam, frameRgba, frame.height, frame.width).finally(() => cam.dispose());
      const note = [noRelu ? 'this model has no ReLU, so guided backprop is its plain input gradient' : null, where.why].filter(Boolean).join('; ') || null;
      return { method: 'gradients', label: card.labels[cls] ?? String(cls), camLayer: g.camLayer, guided, heat, backend: where.name, note };
    } finally {
      x.dispose();
    }
  } finally {
    if (where.name !== previous) await tf.setBackend(previous);
  }
}

/**
 * Runs the worker's calls one at a time (tfWork): the gradients switch the engine's backend
 * (and the ReLU gradient) for their duration, so nothing else may build or run a model meanwhile.
 */
function serial<R>(f: () => Promise<R>): Promise<R> {
  return tfWork.runExclusive(f);
}

async function loaded(modelId: string, trained: boolean, onProgress: Parameters<TourApi['open']>[3]): Promise<Classifier> {
  const have = models.get(modelId);
  if (have) return have;
  // A stored ImageNet model (a download, or an imported TensorFlow Lite file) has its card in IndexedDB.
  const card = await cardFor(modelId);
  onProgress({ type: 'build', modelId });
  // A family with no trained model yet runs its architecture on seeded random weights (and the UI says so).
  const model = await loadClassifier(
    card,
    trained ? (m) => weightsFor(card, m, baseUrl, (e) => e.type === 'download' && onProgress(e)).then((w) => w.weights) : null,
    { seed: 1 },
  );
  models.set(modelId, model);
  if (trained) trainedIds.add(modelId);
  return model;
}

const api: TourApi = {
  async init(opts) {
    baseUrl = opts.baseUrl;
    backend ??= await chooseBackend(opts.backend, [], opts.threads);
    return backend;
  },

  open: (section, modelId, trained, onProgress) => serial(async (): Promise<SectionInfo> => {
    const model = await loaded(modelId, trained, onProgress);
    const card = findCard(modelId);
    const facts = await tourFacts(section, card, model);
    const definition = await buildModel(card);
    const filters = [await filterPictures(card, model)];
    if (section === 'zfnet') {
      // The seed's comparison: AlexNet's first filters beside ZFNet's smaller, denser ones.
      const alex = findCard('alexnet-cifar10');
      filters.unshift(await filterPictures(alex, await loaded(alex.id, alex.weights.embedded, onProgress)));
    }
    const paperId = TOUR_SECTIONS.find((s) => s.id === section)?.paper;
    // The definition alone: a shape-only profile, no weights in memory.
    const paper = paperId ? { modelId: paperId, facts: await tourFacts(section, findCard(paperId), await buildModel(findCard(paperId))) } : null;
    const info: SectionInfo = { section, modelId, trained, facts, paper, layers: mapLayers(card, definition), filters };
    return Comlink.transfer(info, filters.map((f) => f.rgba.buffer));
  }),

  maps: (modelId, layer, frame, callId, opts) =>
    withCall(callId, (signal) => serial(async (): Promise<ExplainedMaps> => {
      try {
        const model = models.get(modelId);
        if (!model) throw new Error(`${modelId} is not open in the Tour.`);
        if (signal.aborted) throw abortError();
        const card = findCard(modelId);
        const frameRgba = await bitmapRgba(frame);
        const x = frameToInput(frame, card.preprocess, 'model-input');
        let out;
        let explanation: Explanation | null = null;
        try {
          out = await featureMaps(card, model, layer, x);
          if (opts.explain && !signal.aborted) {
            if (!steps.has(modelId)) steps.set(modelId, await plainSteps(model));
            const plain = steps.get(modelId);
            if (plain) {
              // The deconvnet, on the Tour's own backend (wasm has the transposed conv and max-pool gradient it needs).
              const channel = opts.channel !== null && opts.channel < out.c ? opts.channel : out.top[0]!;
              if (plain.some((s) => s.name === layer)) {
                const d = await deconvnet(plain, layer, channel, x);
                const rgba = await imageRgba(d.image).finally(() => d.image.dispose());
                explanation = { method: 'deconvnet', layer, channel, at: d.at, value: d.value, rgba };
              }
            } else {
              explanation = await gradients(modelId, frame, frameRgba);
            }
          }
        } finally {
          x.dispose();
        }
        if (signal.aborted) throw abortError();
        const result: ExplainedMaps = { ...out, frame: frameRgba, frameSize: [frame.height, frame.width], explanation, numTensors: tf.memory().numTensors };
        const buffers = [result.maps.buffer, result.strength.buffer, result.frame.buffer];
        if (explanation?.method === 'deconvnet') buffers.push(explanation.rgba.buffer);
        if (explanation?.method === 'gradients') buffers.push(explanation.guided.buffer, explanation.heat.buffer);
        return Comlink.transfer(result, buffers);
      } finally {
        frame.close();
      }
    })),

  cancel: cancelCall,

  close: (modelId) => serial(async () => {
    models.get(modelId)?.dispose();
    gradModels.get(modelId)?.model.dispose();
    models.delete(modelId);
    gradModels.delete(modelId);
    steps.delete(modelId);
    trainedIds.delete(modelId);
  }),
};

Comlink.expose(api);
