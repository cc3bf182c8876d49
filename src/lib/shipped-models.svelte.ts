// The models that ship with the app but are not installed with it (all but the default):
// which are cached for offline use, and "Make all available offline", which fetches the rest
// into the service worker's model cache, checked against their cards' sha256 and size.
import { CARDS } from '../../models/registry';
import type { ModelCard } from '../../models/card';

/** The service worker's runtime cache for shipped weights (vite.config.ts names it too). */
export const MODEL_CACHE = 'convcam-models';

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

export class ShippedModels {
  readonly cards: readonly ModelCard[] = CARDS.filter((c) => c.weights.embedded && !c.weights.precache);
  /** Model id -> whether its file is in the cache; empty until refresh(). */
  offline = $state<Record<string, boolean>>({});
  fetching = $state<{ done: number; total: number } | null>(null);
  message = $state<{ kind: 'error' | 'ok'; text: string } | null>(null);

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
      const cache = await caches.open(MODEL_CACHE);
      for (const card of todo) {
        const res = await fetch(this.url(card), { cache: 'no-store' });
        if (!res.ok) throw new Error(`${card.weights.url}: HTTP ${res.status}`);
        const bytes = await res.arrayBuffer();
        const sha = hex(await crypto.subtle.digest('SHA-256', bytes));
        if (bytes.byteLength !== card.weights.bytes || sha !== card.weights.sha256) {
          throw new Error(`${card.weights.url} is not the file its card pins (${bytes.byteLength} bytes, sha256 ${sha.slice(0, 12)}…); nothing of it was kept`);
        }
        await cache.put(this.url(card), new Response(bytes, { headers: { 'Content-Type': 'application/octet-stream' } }));
        this.offline = { ...this.offline, [card.id]: true };
        this.fetching = { done: this.fetching.done + 1, total: todo.length };
      }
      this.message = { kind: 'ok', text: `All ${this.cards.length} shipped models are available offline.` };
    } catch (e) {
      this.message = { kind: 'error', text: `Could not make every model available offline: ${(e as Error).message}. The models fetched so far are kept; try again.` };
    } finally {
      this.fetching = null;
      await this.refresh();
    }
  }
}
