// A worker and its Comlink proxy, with what Comlink leaves out: a call on a worker that died
// or was ended never settles, and a call that hangs is never noticed. Every call made through
// `watch` races the worker's end and a deadline, so the caller always hears back: a
// WorkerDiedError, a WorkerHungError, or an AbortError once the worker was ended on purpose.
import * as Comlink from 'comlink';
import { namedError, WORKER_DIED, WORKER_HUNG } from '../../workers/contracts/inference-protocol';
import type { Deadline } from '../../workers/contracts/plan';

export class WorkerLink<Api> {
  api!: Comlink.Remote<Api>;
  private worker!: Worker;
  private gone!: Promise<never>;
  private end: (e: Error) => void = () => {};

  /** `what` names the worker in messages ("the model's worker"); `onDeath` hears of a crash. */
  constructor(
    private readonly make: () => Worker,
    private readonly what: string,
    private readonly onDeath: (e: Error) => void,
  ) {
    this.spawn();
  }

  /** A fresh worker in place of the current one, whose calls in flight reject with AbortError. */
  restart(): void {
    this.stop();
    this.spawn();
  }

  /** Ends the worker; its calls in flight reject with AbortError. */
  stop(): void {
    this.end(new DOMException(`${this.what} was stopped.`, 'AbortError'));
    this.api[Comlink.releaseProxy]();
    this.worker.terminate();
  }

  private spawn(): void {
    const worker = this.make();
    this.gone = new Promise<never>((_, reject) => {
      let ended = false;
      this.end = (e) => {
        if (!ended) reject(e);
        ended = true;
      };
    });
    this.gone.catch(() => {});
    // An uncaught error in the worker (a crash, out of memory, a script that failed to load):
    // the worker cannot be trusted any more, so its calls fail and the owner restarts it.
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      if (this.worker !== worker) return;
      const e = namedError(WORKER_DIED, `${capitalise(this.what)} stopped with an error (${ev.message || 'no message'}).`);
      this.end(e);
      this.onDeath(e);
    });
    this.worker = worker;
    this.api = Comlink.wrap<Api>(worker);
  }

  /**
   * Runs `start` and settles with it, unless the worker ends first or `deadline` passes with
   * no answer (WorkerHungError, after `onHung`). `start` gets `kick`, which restarts the
   * deadline: a call that reports progress is alive.
   */
  watch<R>(name: string, deadline: Deadline, start: (kick: () => void) => Promise<R>, onHung?: () => void): Promise<R> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let fire: (e: Error) => void = () => {};
    const hung = new Promise<never>((_, reject) => (fire = reject));
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        onHung?.();
        fire(namedError(WORKER_HUNG, `${capitalise(this.what)} did not answer ${name} within ${formatSeconds(deadline.ms)} (${deadline.why}).`));
      }, deadline.ms);
    };
    arm();
    return Promise.race([start(arm), this.gone, hung]).finally(() => clearTimeout(timer));
  }

  /**
   * A long call that the worker can stop (`cancel`), watched as `watch` does. `cancel` runs when
   * `signal` aborts, and then the worker's own answer settles the call (cancelInWorker); it runs
   * too when the call is given up as hung, so that a call the user was told failed does not
   * store its result later.
   */
  stoppable<R>(name: string, deadline: Deadline, signal: AbortSignal | undefined, cancel: () => void, start: (kick: () => void) => Promise<R>): Promise<R> {
    return this.watch(name, deadline, (kick) => cancelInWorker(signal, () => start(kick), cancel), cancel);
  }
}

/**
 * `start`'s call, or an AbortError as soon as `signal` aborts, after `cancel` has told the
 * worker to stop it: for a call whose late answer no longer matters (a frame).
 */
export function withSignal<R>(signal: AbortSignal | undefined, start: () => Promise<R>, cancel: () => void): Promise<R> {
  if (signal?.aborted) return Promise.reject(aborted());
  const call = start();
  if (!signal) return call;
  return new Promise<R>((resolve, reject) => {
    const onAbort = () => {
      cancel();
      reject(aborted());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Tells the worker to stop `start`'s call when `signal` aborts, and waits for the worker's
 * own answer: an AbortError if it stopped in time, else its result. For a call that stores
 * something, where the UI must not say "nothing stored" while the store goes on.
 */
function cancelInWorker<R>(signal: AbortSignal | undefined, start: () => Promise<R>, cancel: () => void): Promise<R> {
  if (!signal) return start();
  if (signal.aborted) return Promise.reject(aborted());
  signal.addEventListener('abort', cancel, { once: true });
  return start().finally(() => signal.removeEventListener('abort', cancel));
}

function aborted(): DOMException {
  return new DOMException('Aborted', 'AbortError');
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
