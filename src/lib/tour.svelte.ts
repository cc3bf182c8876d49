// The Tour view's state: one entry per seed family (models/tour-sections.ts), each with its
// model, its facts and its chosen layer, and the live feature maps of the one section that
// runs on the camera. At most one frame is in flight; frames that arrive meanwhile are dropped,
// so the next one taken is always the newest (latest frame wins), and changing the section or
// the layer aborts the frame in flight so its late maps never show.
import { captureFor } from './capture';
import { TourBridge } from './tour-bridge';
import type { Answer, FrameSink } from './session.svelte';
import type { ModelCard } from '../../models/card';
import type { RealMobileNets } from './real-mobilenets.svelte';
import { TOUR_SECTIONS, imagenetChoices, sectionModel, type TourSection, type TourSectionId } from '../../models/tour-sections';
import type { BackendInfo, EngineOptions } from '../../workers/contracts/inference-protocol';
import type { ExplainedMaps, SectionInfo } from '../../workers/contracts/tour-protocol';

const errorMessage = (e: unknown) => (e as Error)?.message ?? String(e);

/**
 * Guided backprop and Grad-CAM cost several forwards and backwards (up to about half a
 * second on cpu for MobileNet and ConvNeXt), so they are asked for at most this often; the
 * maps refresh on every frame between. The deconvnet is cheap and comes with every frame.
 */
export const GRADIENTS_EVERY_MS = 1000;

/**
 * Above this input size (an ImageNet model at 128 to 224 pixels, on wasm) the deconvnet is
 * rationed like the gradients: at 224×224 one projection costs as much as many frames' maps.
 */
export const CHEAP_EXPLAIN_MAX_INPUT = 64;

/**
 * Whether the next frame asks for its explanation, given the last one's method and time:
 * the gradients at most every GRADIENTS_EVERY_MS, and so any method on a large input.
 */
export function explainNext(on: boolean, last: { method: string; at: number } | null, now: number, inputSize = 32): boolean {
  const rationed = last?.method === 'gradients' || inputSize > CHEAP_EXPLAIN_MAX_INPUT;
  return on && (last === null || !rationed || now - last.at >= GRADIENTS_EVERY_MS);
}

/** The last frame that came with an explanation: the frame as the model saw it, and what it explained. */
export type Explained = Pick<ExplainedMaps, 'modelId' | 'layer' | 'frame' | 'frameSize'> & { explanation: NonNullable<ExplainedMaps['explanation']> };

export class TourEntry {
  info = $state<SectionInfo | null>(null);
  error = $state<string | null>(null);
  status = $state('Waiting to load');
  layer = $state('');
  /** The channel the user picked (enlarged, and projected by the deconvnet); null: the strongest. */
  channel = $state<number | null>(null);
  /** Whether each frame also gets its deconvnet, or guided backprop and Grad-CAM. */
  explain = $state(true);
  /** The model the section runs: its CIFAR-10 one (the default), or a stored ImageNet model the user picked. */
  card = $state.raw<ModelCard>(null!);
  trained = $state(false);
  /** The section's CIFAR-10 model, which it runs unless the user picks stored ImageNet weights. */
  readonly cifar: { card: ModelCard; trained: boolean };
  constructor(readonly section: TourSection) {
    this.cifar = sectionModel(section);
    this.card = this.cifar.card;
    this.trained = this.cifar.trained;
  }

  /** Whether the section runs a stored ImageNet model rather than its CIFAR-10 one. */
  get imagenet(): boolean {
    return this.card.id !== this.cifar.card.id;
  }
}

/** What the Tour reads of the models on the device (the zoo's, so an import shows at once). */
export interface TourStored {
  /** The models that can run now: built in, or with weights on this device. */
  usable: () => readonly ModelCard[];
  /** The stored TensorFlow Lite MobileNets, largest α·ρ first. */
  tflite: () => readonly ModelCard[];
  real: RealMobileNets | null;
}

export class TourState implements FrameSink {
  readonly entries = TOUR_SECTIONS.map((s) => new TourEntry(s));
  backend = $state<BackendInfo | null>(null);
  fatal = $state<string | null>(null);
  /** The section whose maps follow the camera. */
  active = $state<TourSectionId>('lenet');
  maps = $state.raw<ExplainedMaps | null>(null);
  explained = $state.raw<Explained | null>(null);
  framesShown = $state(0);
  framesExplained = $state(0);
  private lastExplained: { method: string; at: number } | null = null;
  frameError = $state<string | null>(null);
  private bridge: TourBridge | null = null;
  private started = false;
  private busy = false;
  private inFlight: AbortController | null = null;

  /** The real TensorFlow Lite MobileNets' latency, shared with the Models view (null: not measured in this app). */
  readonly real: RealMobileNets | null;

  constructor(
    private readonly engine: EngineOptions,
    private readonly stored: TourStored = { usable: () => [], tflite: () => [], real: null },
  ) {
    this.real = stored.real;
  }

  /** The stored ImageNet models the section may run instead of its CIFAR-10 one. */
  choices(entry: TourEntry): ModelCard[] {
    return imagenetChoices(entry.section, this.stored.usable());
  }

  /** The imported TensorFlow Lite MobileNets, for the MobileNet section's α and ρ table. */
  get tflite(): readonly ModelCard[] {
    return this.stored.tflite();
  }

  /**
   * Runs `modelId` in the section (one of choices(), or null for its CIFAR-10 model): the
   * frame in flight is dropped, the model the section ran before is freed if it was a stored
   * one, and the facts, filters and layers are read again from the new model.
   */
  async chooseWeights(entry: TourEntry, modelId: string | null): Promise<void> {
    const next = modelId === null ? entry.cifar.card : this.choices(entry).find((c) => c.id === modelId);
    if (!next || next.id === entry.card.id) return;
    const previous = entry.imagenet ? entry.card.id : null;
    if (entry.section.id === this.active) this.restartMaps();
    entry.card = next;
    entry.trained = modelId === null ? entry.cifar.trained : true;
    entry.info = null;
    entry.layer = '';
    entry.channel = null;
    if (previous) await this.bridge?.close(previous).catch(() => {});
    if (this.bridge && this.backend) await this.open(entry);
  }


  get ready(): boolean {
    return this.backend !== null;
  }

  /** The live section's top-1 for the frame, drawn over the video as in Live. */
  get answers(): Answer[] {
    const m = this.maps;
    if (!m) return [];
    const card = this.entry(this.active).card;
    return [{ modelId: card.id, name: card.name, top: [{ index: card.labels.indexOf(m.top1.label), label: m.top1.label, prob: m.top1.p }] }];
  }

  entry(id: TourSectionId): TourEntry {
    return this.entries.find((e) => e.section.id === id)!;
  }

  /** Starts the worker (first time the Tour opens) and loads every section in the seed's order. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.bridge = new TourBridge((e) => void this.recover(e));
    await this.load();
  }

  private restarted = false;

  /** A worker that died is restarted once, and every section loaded again; a second death is final. */
  private async recover(e: Error): Promise<void> {
    this.cancelInFlight();
    if (this.restarted) {
      this.fatal = `${e.message} It stopped twice, so the Tour is off; reload the page to try again.`;
      return;
    }
    this.restarted = true;
    this.fatal = `${e.message} Restarting it.`;
    this.bridge!.restart();
    this.backend = null;
    this.restartMaps();
    for (const entry of this.entries) entry.info = null;
    await this.load();
    if (this.backend) this.fatal = null;
  }

  private async load(): Promise<void> {
    try {
      this.backend = await this.bridge!.init(this.engine);
    } catch (e) {
      this.fatal = `The Tour's worker could not start: ${errorMessage(e)}`;
      return;
    }
    for (const entry of this.entries) await this.open(entry);
  }

  private async open(entry: TourEntry): Promise<void> {
    const card = entry.card;
    entry.error = null;
    entry.status = entry.trained ? 'Loading the trained model' : 'Building the model (random weights)';
    try {
      const info = await this.bridge!.open(entry.section.id, entry.card.id, entry.trained, (e) => {
        if (e.type === 'download') entry.status = `Loading weights ${Math.round((100 * e.loaded) / Math.max(1, e.total))}%`;
      });
      // The user picked other weights while these loaded: theirs open next.
      if (entry.card !== card) return;
      entry.info = info;
      entry.layer ||= info.layers[0]?.name ?? '';
      entry.status = 'Ready';
    } catch (e) {
      if (entry.card !== card) return;
      entry.error = `${entry.card.name} could not be loaded: ${errorMessage(e)}`;
      entry.status = 'Failed';
    }
  }

  /** Makes `id` the section that follows the camera; the frame in flight for another is dropped. */
  activate(id: TourSectionId): void {
    if (this.active === id) return;
    this.active = id;
    this.restartMaps();
  }

  chooseLayer(entry: TourEntry, layer: string): void {
    entry.layer = layer;
    entry.channel = null;
    if (entry.section.id === this.active) this.restartMaps();
  }

  chooseChannel(entry: TourEntry, channel: number): void {
    entry.channel = channel;
  }

  private restartMaps(): void {
    this.cancelInFlight();
    this.maps = null;
    this.explained = null;
    this.lastExplained = null;
    this.frameError = null;
  }

  cancelInFlight(): void {
    this.inFlight?.abort();
    this.inFlight = null;
  }

  offerVideoFrame(video: HTMLVideoElement, afterRender: () => Promise<void>): void {
    const entry = this.entry(this.active);
    if (this.busy || !this.bridge || !entry.info || !entry.section.live || !entry.layer) return;
    this.busy = true;
    const controller = new AbortController();
    this.inFlight = controller;
    const { card, layer } = { card: entry.card, layer: entry.layer };
    const opts = { explain: explainNext(entry.explain, this.lastExplained, performance.now(), card.preprocess.size[0]), channel: entry.channel };
    void captureFor(video, card.preprocess)
      .then((frame) => this.bridge!.maps(card.id, layer, frame, controller.signal, opts))
      .then(async (maps) => {
        if (controller.signal.aborted) return;
        this.maps = maps;
        this.framesShown++;
        if (maps.explanation) {
          const { modelId, layer, frame, frameSize, explanation } = maps;
          this.explained = { modelId, layer, frame, frameSize, explanation };
          this.framesExplained++;
          this.lastExplained = { method: explanation.method, at: performance.now() };
        }
        this.frameError = null;
        await afterRender();
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) this.frameError = errorMessage(e);
      })
      .finally(() => {
        if (this.inFlight === controller) this.inFlight = null;
        this.busy = false;
      });
  }
}
