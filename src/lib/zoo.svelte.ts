// State of the Models view: which models have weights on this device, storage, imports.
import type { ModelsWorker } from './models-worker';
import { Newest } from './newest';
import { CARDS, registerUserCard } from '../../models/registry';
import type { ModelCard } from '../../models/card';
import type { CachedModel, LayerRow, ProgressEvent, WeightsInput } from '../../workers/contracts/inference-protocol';
import { fitsDevice, rateOf } from '../../workers/contracts/hub';
import { formatBytes } from './stats';
import { formatEta, formatMB } from './zoo-format';

/** A download's state as its button shows it: bytes, rate and time left. */
export interface Transfer {
  loaded: number;
  total: number;
  /** Bytes per second over the last few seconds. */
  rate: number;
  eta: string;
  resumedFrom: number;
}

export { formatMB };

export type WeightsChange = 'imported' | 'deleted';
/** The key of the TensorFlow Lite import in `importing`, `messages` and cancelImport. */
export const TFLITE_IMPORT = 'tflite-import';
export type ZooMessage = { kind: 'error' | 'ok'; text: string };

export class Zoo {
  cached = $state<CachedModel[]>([]);
  storage = $state<{ usage: number; quota: number } | null>(null);
  persisted = $state<boolean | null>(null);
  /** Per model: its import in progress, with the latest progress event. Imports of different models run at once. */
  importing = $state<Record<string, { progress: ProgressEvent | null; pinned: boolean }>>({});
  /** Per model: how its last import ended. */
  messages = $state<Record<string, ZooMessage>>({});
  layers = $state<{ id: string; rows: LayerRow[] } | null>(null);
  /** Keep imported and downloaded weights as int8 per output channel (about a quarter of the bytes). */
  storeInt8 = $state(false);
  /** Per model: its pinned download's transfer, while it runs. */
  transfers = $state<Record<string, Transfer>>({});
  /** Per model: bytes of an unfinished pinned download kept on the device (it resumes). */
  partials = $state<Record<string, { received: number; total: number }>>({});
  /** The imports in progress, for Cancel. */
  private readonly aborts = new Map<string, AbortController>();
  private readonly samples = new Map<string, [number, number][]>();

  private readonly refreshes = new Newest();
  private readonly layerCalls = new Newest();

  constructor(readonly worker: ModelsWorker) {}

  isCached(id: string): CachedModel | undefined {
    return this.cached.find((c) => c.modelId === id);
  }

  /** Models that can run now: built in, with weights on this device, or trained here. */
  get usable(): ModelCard[] {
    const trained = this.cached.flatMap((c) => (c.card ? [c.card] : []));
    return [...CARDS.filter((c) => c.weights.embedded || this.isCached(c.id)), ...trained];
  }

  async refresh(): Promise<void> {
    const newest = this.refreshes.take();
    const bridge = await this.worker.ready();
    const [cached, partials] = await Promise.all([bridge.cached(), bridge.partials()]);
    const est = await navigator.storage?.estimate?.();
    const persisted = (await navigator.storage?.persisted?.()) ?? null;
    // An older refresh that finishes late (an import or delete started a newer one) shows nothing.
    if (!newest()) return;
    cached.forEach((c) => c.card && registerUserCard(c.card));
    this.cached = cached;
    this.partials = Object.fromEntries(partials.map((p) => [p.modelId, { received: p.received, total: p.total }]));
    this.storage = est ? { usage: est.usage ?? 0, quota: est.quota ?? 0 } : null;
    this.persisted = persisted;
  }

  async importWeights(id: string, input: WeightsInput): Promise<void> {
    if (this.importing[id]) return;
    delete this.messages[id];
    this.importing[id] = { progress: null, pinned: !!input.pinned };
    const abort = new AbortController();
    this.aborts.set(id, abort);
    try {
      const meta = await (await this.worker.ready()).importWeights(id, { ...input, int8: this.storeInt8 }, (p) => {
        if (this.importing[id]) this.importing[id].progress = p;
        if (p.type === 'download' && input.pinned) this.track(id, p.loaded, p.total, p.resumedFrom ?? 0);
      }, abort.signal);
      this.messages[id] = { kind: 'ok', text: `Stored ${id} (sha256 ${meta.sha256.slice(0, 12)}…${meta.int8 ? ', as int8' : ''})${input.pinned ? ': it runs offline from now on' : ''}.` };
      for (const f of this.listeners) void f(id, 'imported');
    } catch (e) {
      this.messages[id] = (e as Error)?.name === 'AbortError'
        ? { kind: 'ok', text: `The ${input.pinned ? 'download' : 'import'} of ${id} was cancelled; nothing was stored.` }
        : { kind: 'error', text: `Could not import ${id}: ${(e as Error).message}` };
    } finally {
      this.aborts.delete(id);
      this.samples.delete(id);
      delete this.transfers[id];
      delete this.importing[id];
      await this.refresh();
    }
  }

  /**
   * Imports a TensorFlow Lite MobileNet as a model of its own (its card comes from the file).
   * Progress and the message are kept under TFLITE_IMPORT; resolves to the new model's id, or
   * null when it failed or was cancelled (the message says why).
   */
  async importTflite(input: WeightsInput): Promise<string | null> {
    const key = TFLITE_IMPORT;
    if (this.importing[key]) return null;
    delete this.messages[key];
    this.importing[key] = { progress: null, pinned: false };
    const abort = new AbortController();
    this.aborts.set(key, abort);
    try {
      const meta = await (await this.worker.ready()).importTflite(input, (p) => {
        if (this.importing[key]) this.importing[key].progress = p;
      }, abort.signal);
      registerUserCard(meta.card!);
      this.messages[key] = { kind: 'ok', text: `Stored ${meta.card!.name} as ${meta.modelId} (sha256 ${meta.sha256.slice(0, 12)}…): pick it in Live or Compare.` };
      for (const f of this.listeners) void f(meta.modelId, 'imported');
      return meta.modelId;
    } catch (e) {
      this.messages[key] = (e as Error)?.name === 'AbortError'
        ? { kind: 'ok', text: 'The TensorFlow Lite import was cancelled; nothing was stored.' }
        : { kind: 'error', text: `Could not import the TensorFlow Lite model: ${(e as Error).message}` };
      return null;
    } finally {
      this.aborts.delete(key);
      delete this.importing[key];
      await this.refresh();
    }
  }

  /** The stored models imported from TensorFlow Lite files, in the order of their cards' alpha and rho (largest first). */
  get tflite(): ModelCard[] {
    return this.cached.flatMap((c) => (c.card?.tflite ? [c.card] : [])).sort((a, b) => b.tflite!.alpha * b.tflite!.rho - a.tflite!.alpha * a.tflite!.rho);
  }

  private track(id: string, loaded: number, total: number, resumedFrom: number): void {
    const now = performance.now();
    const s = (this.samples.get(id) ?? []).filter(([t]) => now - t < 3000);
    s.push([now, loaded]);
    this.samples.set(id, s);
    const rate = rateOf(s);
    this.transfers[id] = { loaded, total, rate, eta: formatEta(loaded, total, rate), resumedFrom };
  }

  /** Why `card`'s pinned file does not fit this device (with what it needs), or null. */
  wontFit(card: ModelCard): string | null {
    const f = fitsDevice(card.weights.bytes, this.partials[card.id]?.received ?? 0, this.storage);
    if (f.fits) return null;
    return `${card.name}'s weights (${formatMB(card.weights.bytes)}) do not fit on this device: downloading and converting them needs about ${formatBytes(f.needed)} free, and the browser lets this app have ${formatBytes(f.free ?? 0)} more. Free space (Storage on this device) or use a smaller model.`;
  }

  /**
   * One click: the card's pinned hub file, resumed if part of it is on the device, verified,
   * converted and stored. A file that cannot fit is not started.
   */
  async download(card: ModelCard): Promise<boolean> {
    if (this.importing[card.id]) return false;
    delete this.messages[card.id];
    await this.refresh();
    const full = this.wontFit(card);
    if (full) {
      this.messages[card.id] = { kind: 'error', text: full };
      return false;
    }
    await this.importWeights(card.id, { pinned: true });
    return !!this.isCached(card.id) && this.messages[card.id]?.kind === 'ok';
  }

  /**
   * "Make available offline": several pinned downloads, one after the other, after asking for
   * persistent storage so the browser does not evict them. Stops at the first that fails.
   */
  async downloadAll(cards: readonly ModelCard[]): Promise<void> {
    await this.requestPersist();
    for (const c of cards) if (!(await this.download(c))) return;
  }

  private readonly listeners: ((id: string, change: WeightsChange) => Promise<void>)[] = [];

  /**
   * `f` hears of every model whose weights were stored anew or deleted: the Live and Compare
   * views reload it, or stop it first and say so.
   */
  onWeightsChanged(f: (id: string, change: WeightsChange) => Promise<void>): void {
    this.listeners.push(f);
  }

  /** Tells the Live and Compare views that `id`'s weights changed elsewhere (a model taught anew). */
  async announce(id: string, change: WeightsChange): Promise<void> {
    await Promise.all(this.listeners.map((f) => f(id, change)));
  }

  /** Stops the import (or download) of `id`'s weights; nothing of it is stored. */
  cancelImport(id: string): void {
    this.aborts.get(id)?.abort();
  }

  /** Deletes a model's weights; the views that run it stop it first. */
  async remove(id: string): Promise<void> {
    await Promise.all(this.listeners.map((f) => f(id, 'deleted')));
    await (await this.worker.ready()).deleteCached(id);
    await this.refresh();
  }

  async requestPersist(): Promise<void> {
    this.persisted = (await navigator.storage?.persist?.()) ?? false;
  }

  async showLayers(id: string): Promise<void> {
    if (this.layers?.id === id) {
      this.layers = null;
      return;
    }
    const newest = this.layerCalls.take();
    const rows = await (await this.worker.ready()).layers(id);
    if (newest()) this.layers = { id, rows };
  }
}
