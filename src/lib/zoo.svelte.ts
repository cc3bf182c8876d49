// State of the Models view: which models have weights on this device, storage, imports.
import type { Session } from './session.svelte';
import type { CachedModel, LayerRow, ProgressEvent, WeightsInput } from '../../workers/protocol';

export class Zoo {
  cached = $state<CachedModel[]>([]);
  storage = $state<{ usage: number; quota: number } | null>(null);
  persisted = $state<boolean | null>(null);
  /** The model being imported, with its latest progress event. */
  importing = $state<{ id: string; progress: ProgressEvent | null } | null>(null);
  message = $state<{ kind: 'error' | 'ok'; text: string } | null>(null);
  layers = $state<{ id: string; rows: LayerRow[] } | null>(null);

  constructor(private readonly session: Session) {}

  isCached(id: string): CachedModel | undefined {
    return this.cached.find((c) => c.modelId === id);
  }

  async refresh(): Promise<void> {
    this.cached = await this.session.bridge.cached();
    const est = await navigator.storage?.estimate?.();
    this.storage = est ? { usage: est.usage ?? 0, quota: est.quota ?? 0 } : null;
    this.persisted = (await navigator.storage?.persisted?.()) ?? null;
  }

  async importWeights(id: string, input: WeightsInput): Promise<void> {
    this.message = null;
    this.importing = { id, progress: null };
    try {
      const meta = await this.session.bridge.importWeights(id, input, (p) => {
        if (this.importing) this.importing.progress = p;
      });
      this.message = { kind: 'ok', text: `Stored ${id} (sha256 ${meta.sha256.slice(0, 12)}…).` };
    } catch (e) {
      this.message = { kind: 'error', text: `Could not import ${id}: ${(e as Error).message}` };
    } finally {
      this.importing = null;
      await this.refresh();
    }
  }

  async remove(id: string): Promise<void> {
    if (this.session.panes[0]?.card.id === id) await this.session.selectModel(this.session.defaultModelId);
    await this.session.bridge.deleteCached(id);
    await this.refresh();
  }

  async requestPersist(): Promise<void> {
    this.persisted = (await navigator.storage?.persist?.()) ?? false;
  }

  async showLayers(id: string): Promise<void> {
    this.layers = this.layers?.id === id ? null : { id, rows: await this.session.bridge.layers(id) };
  }
}
