// State of the Teach view: the user's classes and samples, recording from the camera, files,
// learning with each method, and the taught models. All TF.js and storage is in the teach
// worker (workers/teach/teach.worker.ts); this class only keeps what the view shows.
import * as Comlink from 'comlink';
import { TeachBridge } from './teach-bridge';
import type { Zoo } from './zoo.svelte';
import { CALL_DEADLINES } from '../../workers/contracts/plan';
import type { EngineOptions, MemoryInfo } from '../../workers/contracts/inference-protocol';
import type { MethodResult, SampleInfo, TeachClass, TeachMethod } from '../../workers/contracts/teach-protocol';
import { classNamesProblem, heldOutIds, learnProblem, MAX_CLASSES, sampleSize } from '../../workers/contracts/teach-rules';
import { DEFAULT_MODEL_ID } from '../../models/registry';
import type { ModelCard } from '../../models/card';

const BACKBONE_KEY = 'convcam.teach.backbone';

export type TeachMessage = { kind: 'error' | 'ok'; text: string };

export const METHOD_NAMES: Record<TeachMethod, string> = {
  instant: 'Instant (class means)',
  head: 'Trained head (softmax)',
  mlp: 'Trained head (small MLP)',
  finetune: 'Full fine-tuning',
};

export class TeachState {
  classes = $state<TeachClass[]>([]);
  samples = $state<SampleInfo[]>([]);
  /** Object URLs of the samples' images, for thumbnails. */
  thumbs = $state<Record<string, string>>({});
  results = $state<MethodResult[]>([]);
  message = $state<TeachMessage | null>(null);
  /** The class being recorded from the camera. */
  recording = $state<string | null>(null);
  /** Samples per second while the button is held. */
  rate = $state(4);
  /** The chosen backbone, remembered across reloads (a preference, so localStorage). */
  backboneId = $state(globalThis.localStorage?.getItem(BACKBONE_KEY) ?? DEFAULT_MODEL_ID);
  /** The backbone loaded in the worker (new samples are embedded with it as they arrive). */
  loadedBackbone = $state<string | null>(null);
  headEpochs = $state(100);
  /** Epochs of full fine-tuning (every sample once per epoch, in batches of up to 16). */
  fineTuneEpochs = $state(10);
  /**
   * Peak learning rate of full fine-tuning (AdamW): small, so a few samples move the
   * pretrained backbone only a little from where the class means start it.
   */
  fineTuneLr = $state(1e-4);
  /** A second backbone to learn on from the same samples, shown beside the first ('' for none). */
  compareId = $state('');
  /** Learning in progress: the method and what it reports. */
  learning = $state<{ method: TeachMethod; text: string } | null>(null);
  /** The trained head's (or MLP's) loss per epoch, as it trains. */
  losses = $state<number[]>([]);
  /** Which method the loss curve belongs to. */
  lossesOf = $state<TeachMethod>('head');
  ready = $state(false);
  /** The teach worker's tensors after the last sample (flat while recording: nothing left behind). */
  tensors = $state<number | null>(null);
  backendName = $state<string | null>(null);

  private bridge: TeachBridge | null = null;
  private started: Promise<void> | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  /**
   * The class whose camera sample is still being stored: a frame grabbed just before the button
   * was released lands after it, and its row says so until then.
   */
  saving = $state<string | null>(null);
  private learnAbort: AbortController | null = null;

  constructor(private readonly engine: EngineOptions, private readonly zoo: Zoo) {}

  /** Models that can be a backbone: usable ones that are not themselves taught. */
  get backbones(): ModelCard[] {
    return this.zoo.usable.filter((c) => !c.taught);
  }

  get heldOut(): Set<string> {
    return heldOutIds(this.samples);
  }

  count(classId: string): number {
    return this.samples.filter((s) => s.classId === classId).length;
  }

  /** Why learning cannot start now, or null. */
  get problem(): string | null {
    return learnProblem(this.classes, this.samples);
  }

  result(method: TeachMethod, backboneId = this.backboneId): MethodResult | undefined {
    return this.results.find((r) => r.method === method && r.backboneId === backboneId);
  }

  /** Full fine-tuning trains convolutions, which the wasm backend cannot: the view says so. */
  get fineTuneBlocked(): boolean {
    return this.backendName === 'wasm';
  }

  /** Starts the worker and reads the stored dataset, once. */
  start(): Promise<void> {
    this.started ??= (async () => {
      this.bridge = new TeachBridge((e) => {
        this.message = { kind: 'error', text: `${e.message} It was restarted; your samples are kept.` };
        this.stopRecording();
        this.bridge?.restart();
        this.started = null;
        this.ready = false;
      });
      const b = await this.bridge.init(this.engine);
      this.backendName = b.name;
      const { set, samples, results } = await this.bridge.call('load', (a) => a.load());
      this.classes = set.classes;
      this.samples = samples;
      this.results = results;
      await this.loadThumbs(samples);
      this.ready = true;
      await this.useBackbone(this.backboneId);
    })().catch((e: unknown) => {
      this.started = null;
      this.message = { kind: 'error', text: `The teach worker did not start: ${(e as Error).message}` };
    });
    return this.started;
  }

  /** Reads the stored dataset again (Models → Storage may have deleted the samples meanwhile). */
  async reload(): Promise<void> {
    await this.start();
    if (!this.ready) return;
    const { set, samples, results } = await this.api().call('load', (a) => a.load());
    this.classes = set.classes;
    this.samples = samples;
    this.results = results;
    await this.loadThumbs(samples);
  }

  private api() {
    if (!this.bridge) throw new Error('The teach worker has not started.');
    return this.bridge;
  }

  private async loadThumbs(samples: SampleInfo[]): Promise<void> {
    for (const s of samples) {
      if (this.thumbs[s.id]) continue;
      const blob = await this.api().call('sampleImage', (a) => a.sampleImage(s.id));
      this.thumbs[s.id] = URL.createObjectURL(blob);
    }
  }

  async useBackbone(id: string): Promise<void> {
    this.backboneId = id;
    this.loadedBackbone = null;
    try {
      await this.api().call('useBackbone', (a) => a.useBackbone(id), CALL_DEADLINES.progress);
      if (this.backboneId === id) this.loadedBackbone = id;
      localStorage.setItem(BACKBONE_KEY, id);
    } catch (e) {
      this.message = { kind: 'error', text: `Could not load the backbone: ${(e as Error).message}` };
      // A remembered backbone that is gone (its weights deleted): back to the default.
      if (id !== DEFAULT_MODEL_ID) await this.useBackbone(DEFAULT_MODEL_ID);
    }
  }

  /** Adds a class named `name`; a bad name is refused with a message and nothing changes. */
  async addClass(name: string): Promise<boolean> {
    if (this.classes.length >= MAX_CLASSES) {
      this.message = { kind: 'error', text: `At most ${MAX_CLASSES} classes.` };
      return false;
    }
    return this.saveClasses([...this.classes, { id: crypto.randomUUID(), name }]);
  }

  /** Renames a class; a bad name is refused with a message and the old name stays. */
  rename(classId: string, name: string): Promise<boolean> {
    return this.saveClasses(this.classes.map((c) => (c.id === classId ? { ...c, name } : c)));
  }

  private async saveClasses(next: TeachClass[]): Promise<boolean> {
    const problem = classNamesProblem(next);
    if (problem) {
      this.message = { kind: 'error', text: `${problem} Nothing was changed.` };
      return false;
    }
    try {
      this.classes = (await this.api().call('saveClasses', (a) => a.saveClasses($state.snapshot(next)))).classes;
      this.message = null;
      return true;
    } catch (e) {
      this.message = { kind: 'error', text: (e as Error).message };
      return false;
    }
  }

  async removeClass(classId: string): Promise<void> {
    const set = await this.api().call('removeClass', (a) => a.removeClass(classId));
    this.classes = set.classes;
    this.samples = this.samples.filter((s) => s.classId !== classId);
  }

  /** Captures frames of `video` into `classId` at `rate` per second until stopRecording. */
  startRecording(classId: string, video: HTMLVideoElement): void {
    if (this.recording) return;
    if (!video.videoWidth) {
      this.message = { kind: 'error', text: 'Start the camera first: there is no picture to record.' };
      return;
    }
    this.recording = classId;
    this.message = null;
    const tick = () => void this.captureOne(classId, video);
    tick();
    this.timer = setInterval(tick, 1000 / Math.max(0.5, Math.min(30, this.rate)));
  }

  stopRecording(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.recording = null;
  }

  // One capture at a time: a tick that comes while the last sample is still being stored is
  // skipped (the newest frame wins), so a slow device records fewer samples, never a queue.
  private async captureOne(classId: string, video: HTMLVideoElement): Promise<void> {
    if (this.saving || this.recording !== classId) return;
    this.saving = classId;
    try {
      const { width, height } = sampleSize(video.videoWidth, video.videoHeight);
      const bmp = await createImageBitmap(video, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high' });
      const info = await this.api().call('addSample', (a) => a.addSample(classId, Comlink.transfer(bmp, [bmp]), 'camera'));
      await this.added(info);
    } catch (e) {
      this.stopRecording();
      this.message = { kind: 'error', text: (e as Error).message };
    } finally {
      this.saving = null;
    }
  }

  private async added(info: SampleInfo): Promise<void> {
    this.samples = [...this.samples, info];
    await this.loadThumbs([info]);
    this.tensors = (await this.memory()).numTensors;
  }

  /** Adds image files to a class; one that is not an image is refused by name, the rest are added. */
  async addFiles(classId: string, files: readonly File[]): Promise<void> {
    const refused: string[] = [];
    for (const f of files) {
      try {
        await this.added(await this.api().call('addSample', (a) => a.addSample(classId, f, 'file')));
      } catch (e) {
        refused.push((e as Error).message);
      }
    }
    this.message = refused.length ? { kind: 'error', text: refused.join(' ') } : { kind: 'ok', text: `Added ${files.length} image${files.length === 1 ? '' : 's'}.` };
  }

  async deleteSample(id: string): Promise<void> {
    await this.api().call('deleteSample', (a) => a.deleteSample(id));
    this.samples = this.samples.filter((s) => s.id !== id);
    const url = this.thumbs[id];
    if (url) URL.revokeObjectURL(url);
    delete this.thumbs[id];
  }

  async exportDataset(): Promise<Blob> {
    return this.api().call('exportDataset', (a) => a.exportDataset(), CALL_DEADLINES.progress);
  }

  async importDataset(file: File): Promise<void> {
    try {
      const { set, samples } = await this.api().call('importDataset', (a) => a.importDataset(file), CALL_DEADLINES.progress);
      Object.values(this.thumbs).forEach((u) => URL.revokeObjectURL(u));
      this.thumbs = {};
      this.classes = set.classes;
      this.samples = samples;
      await this.loadThumbs(samples);
      this.message = { kind: 'ok', text: `Imported ${samples.length} samples in ${set.classes.length} classes from ${file.name}.` };
    } catch (e) {
      this.message = { kind: 'error', text: (e as Error).message };
    }
  }

  /**
   * Learns with `method` on the chosen backbone and, if one is chosen to compare with, on that
   * one too from the same samples; each model joins the pickers at once.
   */
  async learn(method: TeachMethod): Promise<void> {
    const backbones = [this.backboneId, ...(this.compareId && this.compareId !== this.backboneId ? [this.compareId] : [])];
    for (const id of backbones) if (!(await this.learnOn(method, id))) return;
  }

  private async learnOn(method: TeachMethod, backboneId: string): Promise<boolean> {
    const problem = this.problem;
    if (problem) {
      this.message = { kind: 'error', text: problem };
      return false;
    }
    if (this.learning) return false;
    this.learning = { method, text: backboneId === this.backboneId ? 'Starting…' : `Starting on ${backboneId}…` };
    if (method !== 'instant') {
      this.losses = [];
      this.lossesOf = method;
    }
    this.message = null;
    this.learnAbort = new AbortController();
    try {
      const opts = method === 'finetune' ? { epochs: this.fineTuneEpochs, lr: this.fineTuneLr } : { epochs: this.headEpochs, lr: 0.01 };
      const r = await this.api().learn(method, backboneId, opts, (e) => {
        if (!this.learning) return;
        if (e.type === 'embed') this.learning.text = `Embedding samples ${e.done}/${e.total}`;
        else if (e.type === 'step') this.learning.text = `Fine-tuning: epoch ${e.epoch}/${e.epochs}, step ${e.step}/${e.steps}${e.loss === null ? ' (the first step also compiles the GPU kernels)' : `, loss ${e.loss.toFixed(4)}`}`;
        else if (e.type === 'epoch') {
          this.learning.text = `${method === 'finetune' ? 'Fine-tuning' : method === 'mlp' ? 'Training the MLP' : 'Training the head'}: epoch ${e.epoch}/${e.epochs}, loss ${e.loss.toFixed(4)}`;
          this.losses = [...this.losses, e.loss];
        }
      }, this.learnAbort.signal);
      this.results = [...this.results.filter((x) => x.method !== r.method || x.backboneId !== r.backboneId), r];
      await this.zoo.refresh();
      await this.zoo.announce(r.modelId, 'imported');
      this.message = { kind: 'ok', text: `Learned: "${this.zoo.isCached(r.modelId)?.card?.name ?? r.modelId}" is in the Live and Compare pickers.` };
      return true;
    } catch (e) {
      this.message = (e as Error).name === 'AbortError' ? { kind: 'ok', text: 'Learning was stopped; nothing was stored.' } : { kind: 'error', text: `Could not learn: ${(e as Error).message}` };
      return false;
    } finally {
      this.learning = null;
      this.learnAbort = null;
    }
  }

  stopLearning(): void {
    this.learnAbort?.abort();
  }

  exportModel(modelId: string) {
    return this.api().call('exportModel', (a) => a.exportModel(modelId), CALL_DEADLINES.progress);
  }

  async importModel(file: File): Promise<void> {
    try {
      const meta = await this.api().call('importModel', (a) => a.importModel(file), CALL_DEADLINES.progress);
      await this.zoo.refresh();
      await this.zoo.announce(meta.modelId, 'imported');
      this.message = { kind: 'ok', text: `Imported "${meta.card?.name ?? meta.modelId}"; it is in the Live and Compare pickers.` };
    } catch (e) {
      this.message = { kind: 'error', text: `Could not import ${file.name}: ${(e as Error).message}` };
    }
  }

  /** The teach worker's tensors (the tests check none are left behind while recording). */
  memory(): Promise<MemoryInfo> {
    return this.api().call('memory', (a) => a.memory());
  }
}
