// State of the Models view's "Storage on this device": every stored thing (imported weights,
// trained models, datasets, runs, checkpoints) with its size, and its deletion. It lives in
// the Models view beside the storage figures, and the storage-full messages point here.
import type { Session } from './session.svelte';
import type { CompareSession } from './compare.svelte';
import type { TrainState } from './train.svelte';
import type { Zoo } from './zoo.svelte';
import { formatBytes } from './stats';
import type { StoredItem } from '../../workers/contracts/storage';

export const itemKey = (i: Pick<StoredItem, 'kind' | 'id'>) => `${i.kind}:${i.id}`;

export class DeviceStorage {
  items = $state.raw<StoredItem[]>([]);
  message = $state<{ kind: 'error' | 'ok'; text: string } | null>(null);
  /** itemKey of the item being deleted. */
  deleting = $state<string | null>(null);

  constructor(
    private readonly session: Session,
    private readonly compare: CompareSession,
    private readonly zoo: Zoo,
    private readonly train: TrainState,
  ) {}

  get total(): number {
    return this.items.reduce((n, i) => n + i.bytes, 0);
  }

  async refresh(): Promise<void> {
    try {
      this.items = await (await this.zoo.worker.ready()).stored();
    } catch (e) {
      this.message = { kind: 'error', text: `Could not list what is stored: ${(e as Error).message}` };
    }
  }

  /** Why `item` cannot be deleted now, or null. */
  refusal(item: StoredItem): string | null {
    const t = this.train;
    if (item.kind === 'dataset' && (t.active || t.importing)) return 'A run is training on this dataset (or one is being imported): let it end or cancel it first.';
    if ((item.kind === 'run' || item.kind === 'checkpoint') && t.active && t.run.runId === item.id) return 'This run is training now: let it end or cancel it first.';
    if (item.kind === 'download' && this.zoo.importing[item.id]) return 'It is downloading now: cancel it first.';
    return null;
  }

  async remove(item: StoredItem): Promise<void> {
    this.message = null;
    const refused = this.refusal(item);
    if (refused) {
      this.message = { kind: 'error', text: `${item.name} was not deleted. ${refused}` };
      return;
    }
    this.deleting = itemKey(item);
    try {
      let stopped = '';
      if (item.kind === 'weights' || item.kind === 'trained') {
        stopped = this.usedIn(item.id);
        await this.zoo.remove(item.id); // each view running it stops it first and says so
      } else {
        await (await this.zoo.worker.ready()).deleteStored(item);
        await this.train.storedChanged();
      }
      this.message = { kind: 'ok', text: `Deleted ${item.name} (${formatBytes(item.bytes)}).${stopped ? ` It was running in ${stopped}, which stopped it first.` : ''}` };
    } catch (e) {
      this.message = { kind: 'error', text: `Could not delete ${item.name}: ${(e as Error).message}` };
    } finally {
      this.deleting = null;
      await Promise.all([this.refresh(), this.zoo.refresh().catch(() => {})]);
    }
  }

  /** "the Live view", "Compare", both, or '' where the model does not run. */
  private usedIn(id: string): string {
    const where = [
      this.session.pane.card.id === id ? 'the Live view' : '',
      !this.compare.stopped && this.compare.runners.some((r) => r.pane.card.id === id) ? 'Compare' : '',
    ].filter(Boolean);
    return where.join(' and in ');
  }
}
