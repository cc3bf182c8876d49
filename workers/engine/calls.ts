// Cancellation across the worker boundary: the UI's AbortSignal becomes cancel(callId) here,
// and a long call (classify, an import, a download) reads the signal of its id.
const controllers = new Map<number, AbortController>();

export function abortError(): DOMException {
  return new DOMException('The call was cancelled.', 'AbortError');
}

/** Runs `f` with the signal that cancel(callId) aborts; the id is forgotten when `f` settles. */
export async function withCall<R>(callId: number, f: (signal: AbortSignal) => Promise<R>): Promise<R> {
  const c = new AbortController();
  controllers.set(callId, c);
  try {
    return await f(c.signal);
  } finally {
    controllers.delete(callId);
  }
}

/** Cancels a call in flight; one that has ended already is not affected. */
export function cancelCall(callId: number): void {
  controllers.get(callId)?.abort(abortError());
}
