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
import { chooseBackend } from '../engine/backend';
import { cancelCall, withCall, abortError } from '../engine/calls';
import { frameToInput } from '../preprocess/preprocess';
import { weightsFor } from '../store/model-weights';
import type { BackendInfo } from '../contracts/inference-protocol';
import type { SectionInfo, TourApi } from '../contracts/tour-protocol';
import { featureMaps, filterPictures, mapLayers } from './feature-maps';

let backend: BackendInfo | undefined;
let baseUrl = '';
const models = new Map<string, Classifier>();

async function loaded(modelId: string, trained: boolean, onProgress: Parameters<TourApi['open']>[3]): Promise<Classifier> {
  const have = models.get(modelId);
  if (have) return have;
  const card = findCard(modelId);
  onProgress({ type: 'build', modelId });
  // A family with no trained model yet runs its architecture on seeded random weights (and the UI says so).
  const model = await loadClassifier(
    card,
    trained ? (m) => weightsFor(card, m, baseUrl, (e) => e.type === 'download' && onProgress(e)).then((w) => w.weights) : null,
    { seed: 1 },
  );
  models.set(modelId, model);
  return model;
}

const api: TourApi = {
  async init(opts) {
    baseUrl = opts.baseUrl;
    backend ??= await chooseBackend(opts.backend, [], opts.threads);
    return backend;
  },

  async open(section, modelId, trained, onProgress): Promise<SectionInfo> {
    const card = findCard(modelId);
    const model = await loaded(modelId, trained, onProgress);
    const facts = await tourFacts(section, card, model);
    const definition = await buildModel(card);
    const filters = [await filterPictures(card, model)];
    if (section === 'zfnet') {
      // The seed's comparison: AlexNet's first filters beside ZFNet's smaller, denser ones.
      const alex = findCard('alexnet-cifar10');
      filters.unshift(await filterPictures(alex, await loaded(alex.id, alex.weights.embedded, onProgress)));
    }
    const info: SectionInfo = { section, modelId, trained, facts, layers: mapLayers(card, definition), filters };
    return Comlink.transfer(info, filters.map((f) => f.rgba.buffer));
  },

  maps: (modelId, layer, frame, callId) =>
    withCall(callId, async (signal) => {
      try {
        const model = models.get(modelId);
        if (!model) throw new Error(`${modelId} is not open in the Tour.`);
        if (signal.aborted) throw abortError();
        const card = findCard(modelId);
        const x = frameToInput(frame, card.preprocess, 'model-input');
        let out;
        try {
          out = await featureMaps(card, model, layer, x);
        } finally {
          x.dispose();
        }
        if (signal.aborted) throw abortError();
        const result = { ...out, numTensors: tf.memory().numTensors };
        return Comlink.transfer(result, [result.maps.buffer, result.strength.buffer]);
      } finally {
        frame.close();
      }
    }),

  cancel: cancelCall,

  close(modelId) {
    models.get(modelId)?.dispose();
    models.delete(modelId);
  },

  numTensors: () => tf.memory().numTensors,
};

Comlink.expose(api);
