// The models that ship with the app but are not installed with it (all but the default):
// which are cached for offline use, and "Make all available offline", which has the Models
// worker fetch the rest into the service worker's model cache, checked against their cards'
// sha256 and size by fetchVerified (workers/store/fetch-weights.ts), the one verifying path.
import { CARDS } from '../../models/registry';
import type { ModelCard } from '../../models/card';
import type { ModelsWorker } from './models-worker';

/** The service worker's runtime cache for shipped weights (vite.config.ts names it too). */
export const MODEL_CACHE = 'convcam-models';

export class ShippedModels {
  readonly cards: readonly ModelCard[] = CARDS.filter((c) => c.weights.embedded && !c.weights.precache);
  /** Model id -> whether its file is in the cache; empty until refresh(). */
  offline = $state<Record<string, boolean>>({});
  fetching = $state<{ done: number; total: number } | null>(null);
  message = $state<{ kind: 'error' | 'ok'; text: string } | null>(null);

  constructor(private readonly worker: ModelsWorker) {}

  private url(card: ModelCard): string {
    return new URL(card.weights.url, document.baseURI).href;
  }

  get missing(): ModelCard[] {
    return this.cards.filter((c) => !this.offline[c.id]);
  }

  get missingBytes(): number {
    return this.missing.reduce((n, c) => n + c.weights.bytes, 0);
  }

  async refresh(): Promise<void> {
    if (!('caches' in globalThis)) return;
    const cache = await caches.open(MODEL_CACHE);
    const entries = await Promise.all(this.cards.map(async (c) => [c.id, !!(await cache.match(this.url(c)))] as const));
    this.offline = Object.fromEntries(entries);
  }

  /** Fetches every shipped model not cached yet; a file that fails its check is not kept. */
  async makeAllOffline(): Promise<void> {
    const todo = this.missing;
    if (!todo.length || this.fetching) return;
    this.message = null;
    this.fetching = { done: 0, total: todo.length };
    void navigator.storage?.persist?.();
    try {
      const bridge = await this.worker.ready();
      for (const card of todo) {
        await bridge.cacheShipped(card.id, MODEL_CACHE);
        this.offline = { ...this.offline, [card.id]: true };
        this.fetching = { done: this.fetching.done + 1, total: todo.length };
      }
      this.message = { kind: 'ok', text: `All ${this.cards.length} shipped models are available offline.` };
    } catch (e) {
      this.message = { kind: 'error', text: `Could not make every model available offline: ${(e as Error).message.replace(/\.$/, '')}. Nothing of that file was kept; the models fetched before it are. Try again.` };
    } finally {
      this.fetching = null;
      await this.refresh();
    }
  }
}
