// State of the Train view: the training worker (started when the tab first opens), the
// dataset, the settings form, the run in progress, stored runs and trained models.
import { Newest } from './newest';
import type * as Comlink from 'comlink';
import { TrainBridge } from './train-bridge';
import { download } from './download';
import type { Zoo } from './zoo.svelte';
import { CARDS } from '../../models/registry';
import { CALL_DEADLINES, type Deadline } from '../../workers/contracts/plan';
import { failureOf, type BackendInfo, type EngineOptions } from '../../workers/contracts/inference-protocol';
import type { TrainApi, DatasetInfo, Evaluation, RunRecord, Samples, TrainConfig, TrainEvent } from '../../workers/contracts/train-protocol';
import {
  defaultForm, defaultTrainModel, emptyRun, reduceRun, validateForm, withOptimizer,
  type OptimizerName, type RunView, type TrainForm,
} from './train-view';

const SAMPLES_PER_CLASS = 8;
const message = (e: unknown) => (e as Error)?.message ?? String(e);

export class TrainState {
  backend = $state<BackendInfo | null>(null);
  fatal = $state<string | null>(null);

  dataset = $state<DatasetInfo | null>(null);
  /** Whether dataset() has answered, so the view does not flash "no dataset". */
  datasetKnown = $state(false);
  samples = $state.raw<Samples | null>(null);
  importing = $state<{ stage: 'reading' | 'storing'; bytes: number; total: number } | null>(null);
  datasetError = $state<string | null>(null);

  form = $state<TrainForm>(defaultForm(defaultTrainModel(CARDS.map((c) => c.id))));
  /** Stage names of the form's model; null until the worker answers. */
  stages = $state<string[] | null>(null);

  run = $state.raw<RunView>(emptyRun());
  // Raw: a record goes back to the worker on resume, and proxies cannot be cloned.
  runs = $state.raw<RunRecord[]>([]);
  runsError = $state<string | null>(null);
  /** The evaluation shown: from the last run, or from the Evaluate button of a model. */
  evaluation = $state.raw<{ title: string; evaluation: Evaluation } | null>(null);
  evaluating = $state<string | null>(null);
  modelMessage = $state<{ kind: 'error' | 'ok'; text: string } | null>(null);

  validation = $derived(validateForm(this.form, this.stages?.length ?? null, this.missingWeights(), this.dataset?.trainCount ?? null));

  private bridge: TrainBridge | null = null;
  private runAbort: AbortController | null = null;
  private evaluationAbort: AbortController | null = null;
  private readonly stagesTurn = new Newest();
  private readonly samplesTurn = new Newest();
  private readonly runsTurn = new Newest();
  private importAbort: AbortController | null = null;
  private restarting = false;

  /** Said once the training worker died and was restarted. */
  notice = $state<string | null>(null);

  constructor(
    private readonly engine: EngineOptions,
    readonly zoo: Zoo,
  ) {}

  get active(): boolean {
    return this.run.status === 'running' || this.run.status === 'paused';
  }

  get canStart(): boolean {
    return !!this.backend?.canTrain && !!this.dataset && !this.active && !!this.validation.config && !this.importing;
  }

  /** Starts the worker on the first visit to the tab; later visits only refresh. */
  async open(): Promise<void> {
    // The zoo's failures belong to the inference worker; the Models view reports them.
    const zoo = this.zoo.refresh().catch(() => {});
    if (this.bridge) {
      await Promise.all([this.refreshRuns().catch(() => {}), zoo]);
      return;
    }
    this.bridge = new TrainBridge((e) => void this.restart(e));
    try {
      this.backend = await this.bridge.init(this.engine);
      await Promise.all([this.loadDataset(), this.refreshRuns(), this.loadStages()]);
    } catch (e) {
      this.fatal = `The training worker could not start: ${message(e)}`;
    }
  }

  /**
   * The training worker died (an uncaught error, out of memory): a fresh one takes its place.
   * A run in flight has already failed with the reason (train() says how to resume it), and
   * everything stored, datasets, runs and checkpoints, is in IndexedDB, not in the worker.
   */
  private async restart(cause: Error): Promise<void> {
    if (!this.bridge || this.restarting) return;
    this.restarting = true;
    this.bridge.restart();
    try {
      this.backend = await this.bridge.init(this.engine);
      this.notice = `${cause.message} The training worker was restarted; nothing stored was lost.`;
      await this.refreshRuns();
    } catch (e) {
      this.fatal = `${cause.message} Restarting the training worker failed: ${message(e)}`;
    } finally {
      this.restarting = false;
    }
  }

  private call<R>(name: string, f: (api: Comlink.Remote<TrainApi>) => Promise<R>, deadline?: Deadline): Promise<R> {
    if (!this.bridge) return Promise.reject(new Error('The training worker has not started.'));
    return this.bridge.call(name, f, deadline);
  }

  private missingWeights(): string | null {
    const card = CARDS.find((c) => c.id === this.form.modelId);
    return card && !card.weights.embedded && !this.zoo.isCached(card.id) ? card.name : null;
  }

  // ---- dataset ----

  async importDataset(input: { file?: Blob; url?: string }): Promise<void> {
    if (!this.bridge || this.importing) return;
    this.datasetError = null;
    this.importing = { stage: 'reading', bytes: 0, total: 0 };
    const abort = (this.importAbort = new AbortController());
    try {
      this.dataset = await this.bridge.importDataset(input, (e) => {
        if (e.type === 'import') this.importing = { stage: e.stage, bytes: e.bytes, total: e.total };
      }, abort.signal);
      this.datasetKnown = true;
      await this.loadSamples();
    } catch (e) {
      this.datasetError = (e as Error)?.name === 'AbortError' ? 'The import was cancelled; nothing was stored.' : message(e);
    } finally {
      this.importAbort = null;
      this.importing = null;
    }
  }

  /** Stops the dataset import (or download) in progress; nothing of it is stored. */
  cancelImport(): void {
    this.importAbort?.abort();
  }

  private async loadDataset(): Promise<void> {
    const dataset = await this.call('dataset', (a) => a.dataset());
    // An import may have finished first (the inference worker can hold up open()).
    if (this.datasetKnown) return;
    this.dataset = dataset;
    this.datasetKnown = true;
    if (dataset) await this.loadSamples();
  }

  async deleteDataset(): Promise<void> {
    try {
      await this.call('deleteDataset', (a) => a.deleteDataset());
      this.dataset = null;
      this.samples = null;
      this.datasetError = null;
    } catch (e) {
      this.datasetError = message(e);
    }
  }

  /** Something was deleted in Models (Storage on this device): read the dataset and runs again. */
  async storedChanged(): Promise<void> {
    if (!this.bridge) return;
    const dataset = await this.call('dataset', (a) => a.dataset());
    if (!dataset) this.samples = null;
    this.dataset = dataset;
    await this.refreshRuns();
  }

  private async loadSamples(): Promise<void> {
    const newest = this.samplesTurn.take();
    const samples = await this.call('samples', (a) => a.samples(SAMPLES_PER_CLASS));
    if (newest()) this.samples = samples;
  }

  // ---- settings ----

  setModel(id: string): void {
    this.form.modelId = id;
    void this.loadStages();
  }

  setOptimizer(name: OptimizerName): void {
    this.form = withOptimizer(this.form, name);
  }

  private async loadStages(): Promise<void> {
    const id = this.form.modelId;
    const newest = this.stagesTurn.take();
    this.stages = null;
    try {
      const stages = await this.call('stages', (a) => a.stages(id));
      if (newest()) this.stages = stages;
    } catch {
      if (newest()) this.stages = [];
    }
  }

  // ---- runs ----

  start(): Promise<void> {
    const config = this.validation.config;
    if (!config || !this.canStart) return Promise.resolve();
    return this.train(config);
  }

  resumeRun(r: RunRecord): Promise<void> {
    if (this.active || !this.backend?.canTrain) return Promise.resolve();
    return this.train(r.config, r);
  }

  private async train(config: TrainConfig, from?: RunRecord): Promise<void> {
    if (!this.bridge) return;
    this.run = { ...emptyRun(config.epochs, from?.history ?? [], from?.runId ?? null), status: 'running' };
    this.evaluation = null;
    const onEvent = (e: TrainEvent) => {
      this.run = reduceRun(this.run, e);
      if (e.type === 'end' && e.run.evaluation) this.evaluation = { title: 'Test set, after training', evaluation: e.run.evaluation };
    };
    try {
      // Resolves after the run's 'end' event, which carries its outcome.
      const abort = (this.runAbort = new AbortController());
      await this.bridge.train(config, onEvent, from?.runId, abort.signal);
    } catch (e) {
      // A lost device comes with the worker's own advice; a hung or dead worker is restarted
      // here, and the run resumes from its last checkpoint.
      const advice = failureOf(e) && failureOf(e) !== 'gpu-lost' ? ' Resume the run from its last checkpoint (Runs).' : '';
      this.run = { ...this.run, status: 'error', message: message(e) + advice };
      if (failureOf(e) === 'hung') void this.restart(e as Error);
    } finally {
      await Promise.all([this.refreshRuns().catch(() => {}), this.zoo.refresh().catch(() => {})]);
    }
  }

  pause(): void {
    void this.call('pause', (a) => a.pause()).catch(() => {});
  }

  resume(): void {
    void this.call('resume', (a) => a.resume()).catch(() => {});
  }

  cancel(): void {
    this.runAbort?.abort();
  }

  /** Stops the evaluation in progress. */
  cancelEvaluation(): void {
    this.evaluationAbort?.abort();
  }

  async refreshRuns(): Promise<void> {
    const newest = this.runsTurn.take();
    const runs = await this.call('runs', (a) => a.runs());
    if (newest()) this.runs = runs.sort((a, b) => b.startedAt - a.startedAt);
  }

  async deleteRun(runId: string): Promise<void> {
    this.runsError = null;
    try {
      await this.call('deleteRun', (a) => a.deleteRun(runId));
      await this.refreshRuns();
    } catch (e) {
      this.runsError = `Could not delete run ${runId}: ${message(e)}`;
    }
  }

  // ---- trained models ----

  async evaluate(modelId: string, name: string): Promise<void> {
    if (this.evaluating) return;
    this.evaluating = modelId;
    this.modelMessage = null;
    try {
      const limit = this.form.testLimit && this.form.testLimit > 0 ? Math.floor(this.form.testLimit) : 0;
      if (!this.bridge) throw new Error('The training worker is not running.');
      const abort = (this.evaluationAbort = new AbortController());
      this.evaluation = { title: `${name}, test set`, evaluation: await this.bridge.evaluate(modelId, limit, abort.signal) };
    } catch (e) {
      this.modelMessage = (e as Error)?.name === 'AbortError' ? { kind: 'ok', text: `The evaluation of ${name} was stopped.` } : { kind: 'error', text: `Could not evaluate ${name}: ${message(e)}` };
    } finally {
      this.evaluating = null;
      this.evaluationAbort = null;
    }
  }

  async exportModel(modelId: string): Promise<void> {
    this.modelMessage = null;
    try {
      const { name, bytes } = await this.call('exportModel', (a) => a.exportModel(modelId), CALL_DEADLINES.long);
      download(name, bytes, 'application/octet-stream');
    } catch (e) {
      this.modelMessage = { kind: 'error', text: `Could not export ${modelId}: ${message(e)}` };
    }
  }

  async importModel(file: File): Promise<void> {
    this.modelMessage = null;
    try {
      const m = await this.call('importModel', (a) => a.importModel(file), CALL_DEADLINES.long);
      await this.zoo.refresh();
      this.modelMessage = { kind: 'ok', text: `Imported ${m.card?.name ?? m.modelId}.` };
    } catch (e) {
      this.modelMessage = { kind: 'error', text: `Could not import "${file.name}": ${message(e)}` };
    }
  }
}
