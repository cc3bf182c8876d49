// WorkerLink's deadlines and cancellation, with real Comlink over a MessageChannel standing in for
// the worker (the browser tests cover real workers; a hang there cannot be caused on purpose in time).
import * as Comlink from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkerLink } from '../../src/lib/worker-link';
import { WORKER_HUNG } from '../../workers/contracts/inference-protocol';

const SHORT = { ms: 80, why: 'a test deadline' };

/** A worker-side API whose `slow` call ends only when cancelled, as a stuck long call would. */
function fakeWorker() {
  const { port1, port2 } = new MessageChannel();
  const cancelled: number[] = [];
  const waiting = new Map<number, () => void>();
  const api = {
    slow(id: number): Promise<string> {
      return new Promise((_, reject) =>
        waiting.set(id, () => reject(Object.assign(new Error('stopped'), { name: 'AbortError' }))),
      );
    },
    async ticking(ticks: number, every: number, onTick: () => void): Promise<string> {
      for (let i = 0; i < ticks; i++) {
        await new Promise((r) => setTimeout(r, every));
        onTick();
      }
      return 'done';
    },
    cancel(id: number): void {
      cancelled.push(id);
      waiting.get(id)?.();
    },
  };
  Comlink.expose(api, port2);
  const worker = Object.assign(port1, { terminate: () => (port1.close(), port2.close()) });
  return { make: () => worker as unknown as Worker, cancelled };
}

type Api = { slow(id: number): Promise<string>; ticking(ticks: number, every: number, onTick: () => void): Promise<string>; cancel(id: number): void };

describe('WorkerLink', () => {
  let link: WorkerLink<Api> | undefined;
  afterEach(() => link?.stop());

  it('a stoppable call given up as hung is stopped in the worker too', async () => {
    const w = fakeWorker();
    link = new WorkerLink<Api>(w.make, 'the test worker', () => {});
    const l = link;
    const call = l.stoppable('slow', SHORT, undefined, () => void l.api.cancel(7), () => l.api.slow(7));
    await expect(call).rejects.toMatchObject({ name: WORKER_HUNG, message: expect.stringContaining('The test worker did not answer slow') });
    await vi.waitFor(() => expect(w.cancelled).toEqual([7]));
  });

  it('an abort stops the call in the worker, and the worker\'s own answer settles it', async () => {
    const w = fakeWorker();
    link = new WorkerLink<Api>(w.make, 'the test worker', () => {});
    const l = link;
    const ctl = new AbortController();
    const call = l.stoppable('slow', { ms: 60_000, why: 'long' }, ctl.signal, () => void l.api.cancel(3), () => l.api.slow(3));
    ctl.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError', message: 'stopped' });
    expect(w.cancelled).toEqual([3]);
  });

  it('progress keeps a call alive past its deadline, and a call that answers is not stopped', async () => {
    const w = fakeWorker();
    link = new WorkerLink<Api>(w.make, 'the test worker', () => {});
    const l = link;
    // 15 ticks 50 ms apart: 2.5 times the 300 ms deadline in all, never one deadline without progress.
    const deadline = { ms: 300, why: 'a test deadline' };
    const call = l.stoppable('ticking', deadline, undefined, () => void l.api.cancel(1), (kick) => l.api.ticking(15, 50, Comlink.proxy(kick)));
    await expect(call).resolves.toBe('done');
    expect(w.cancelled).toEqual([]);
  });
});
