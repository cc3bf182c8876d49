// The training worker, exposed through Comlink (workers/contracts/train-protocol.ts): it wires
// the run loop (run.ts), the dataset import (dataset-import.ts), model export and import
// (model-io.ts) and evaluation to IndexedDB. It has its own TF.js engine, so the live view
// keeps classifying in the inference worker meanwhile.
import '../engine/csp-report';
import * as Comlink from 'comlink';
import { buildModel, loadClassifier } from '../../models/builders';
import { registerUserCard } from '../../models/registry';
import { chooseBackend } from '../engine/backend';
import { explainFailure } from '../engine/gpu-lost';
import { enableFaults, injectFault } from '../engine/faults';
import { cancelCall, withCall } from '../engine/calls';
import { setDownloadStall } from '../store/download';
import { deleteDataset, getDataset, loadSplit } from '../store/dataset-store';
import { cardFor, weightsFor } from '../store/model-weights';
import { isGpuLost, type BackendInfo } from '../contracts/inference-protocol';
import { deleteRun, getRun, listRuns, putRun } from '../store/run-store';
import { putCached } from '../store/weight-store';
import type { TrainApi } from '../contracts/train-protocol';
import { evaluateModel } from './trainer';
import { isCifarCard, requireDataset, RunControl, runTraining, type RunDeps } from './run';
import { stagesOf } from './stages';
import { importDataset, samples } from './dataset-import';
import { exportModel, importModel } from './model-io';

let backend: BackendInfo | undefined;
let baseUrl = '';

const control = new RunControl();

/** The worker's storage and weights for a run (run.ts takes them as RunDeps). */
function runDeps(): RunDeps {
  if (!backend) throw new Error('init() must run before train().');
  return {
    backend,
    card: cardFor,
    weights: (card, model) => weightsFor(card, model, baseUrl, () => {}).then((w) => w.weights),
    loadSplit: (split, limit) => loadSplit(split, limit),
    getRun,
    putRun,
    dropCheckpoint: (runId) => deleteRun(runId, true),
    async saveModel(meta, tensors) {
      await putCached(meta, tensors);
      registerUserCard(meta.card!);
    },
  };
}

const api: TrainApi = {
  async init(opts) {
    baseUrl = opts.baseUrl;
    enableFaults(opts.faults);
    setDownloadStall(opts.downloadStallMs);
    backend ??= await chooseBackend(opts.backend);
    return backend;
  },

  async injectFault(fault) {
    injectFault(fault);
  },

  importDataset: (input, emit, callId) => withCall(callId, (signal) => importDataset(input, baseUrl, emit, signal)),

  cancelCall,

  dataset: () => getDataset(),
  deleteDataset: () => deleteDataset(),
  samples,

  async stages(modelId) {
    const model = await buildModel(await cardFor(modelId));
    return stagesOf([...model.namedSpecs()].map(([n]) => n), model.headName);
  },

  // A lost GPU device is named as such; the run stays resumable from its last checkpoint.
  train: (config, onEvent, resumeRunId) =>
    runTraining(config, onEvent, runDeps(), control, resumeRunId).catch(async (e: unknown) => {
      const why = await explainFailure(e);
      if (isGpuLost(why)) why.message += ' Reload the page, then resume the run from its last checkpoint (Runs).';
      throw why;
    }),

  pause: () => control.pause(),
  resume: () => control.resume(),
  cancel: () => control.cancel(),

  runs: listRuns,
  deleteRun: (runId) => deleteRun(runId),

  exportModel,
  importModel,

  evaluate: (modelId, testLimit, callId) => withCall(callId, (signal) => evaluate(modelId, testLimit, signal)),
};

/** A stored model on the test split, loaded as for inference; `signal` stops it between batches. */
async function evaluate(modelId: string, testLimit: number, signal: AbortSignal) {
  const card = await cardFor(modelId);
  if (!isCifarCard(card)) throw new Error(`${card.name} does not classify CIFAR-10's classes.`);
  const test = await loadSplit('test', testLimit);
  requireDataset(test, 'test');
  const model = await loadClassifier(card, (m) => weightsFor(card, m, baseUrl, () => {}).then((w) => w.weights));
  try {
    return await evaluateModel(model, card.preprocess, test, card.preprocess.size[0], 10, 0, 100, signal);
  } finally {
    model.dispose();
  }
}

Comlink.expose(api);
