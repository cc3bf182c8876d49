// Every download the workers make (weights, datasets): the policy check, a stall timeout, a
// body shorter than its Content-Length, and a failed fetch told apart as offline or as a
// cross-origin request the browser refused, each with a message that names the URL.
import { downloadRefusal } from '../contracts/plan';

/** A download that gets no bytes for this long is stopped. */
export const DOWNLOAD_STALL_MS = 30_000;

let stallMs = DOWNLOAD_STALL_MS;

/** Tests only (?faults&stall=S, passed to init): a shorter stall timeout; undefined restores it. */
export function setDownloadStall(ms: number | undefined): void {
  stallMs = ms ?? DOWNLOAD_STALL_MS;
}

/** Why a download failed: a resumable download (hub-download.ts) resumes after 'cut' and 'stalled'. */
export type DownloadFailure = 'policy' | 'offline' | 'refused' | 'http' | 'stalled' | 'cut';

export class DownloadError extends Error {
  override name = 'DownloadError';
  constructor(message: string, readonly kind: DownloadFailure = 'http', readonly status?: number) {
    super(message);
  }
}

const hostOf = (url: string) => new URL(url).host;

export function offlineMessage(url: string): string {
  return `Could not download ${url}: this device is offline. Connect to the network and try again.`;
}

/** A fetch rejected while online: CORS, a redirect loop and an unreachable host look alike to a page. */
export function refusedMessage(url: string): string {
  const host = hostOf(url);
  return `Could not download ${url}: the browser refused the answer from ${host}, or could not reach it. To download from this app, ${host} must allow cross-origin requests (CORS), and many hosts do not. Download the file in the browser and import it from disk instead.`;
}

export function stalledMessage(url: string, ms: number): string {
  return `${hostOf(url)} sent nothing for ${ms / 1000} s, so the download of ${url} was stopped. Try again later, or download the file and import it from disk.`;
}

export function cutShortMessage(url: string, received: number, expected: number): string {
  return `The download of ${url} was cut short: ${received.toLocaleString('en')} of ${expected.toLocaleString('en')} bytes arrived. Try again.`;
}

function brokeOffMessage(url: string, received: number, e: unknown): string {
  return `The download of ${url} broke off after ${received.toLocaleString('en')} bytes (${(e as Error)?.message}). Try again.`;
}

/** Whether the app's own origin answers: a page can be "online" on a network that reaches nothing. */
async function reachesOwnOrigin(base: string): Promise<boolean> {
  if (globalThis.navigator?.onLine === false) return false;
  try {
    // A query the service worker's precache does not match, so the network answers it.
    await fetch(new URL('manifest.webmanifest?online-probe', base), { method: 'HEAD', cache: 'no-store' });
    return true;
  } catch {
    return false;
  }
}

export interface Download {
  /** The body; reading it fails with a DownloadError (or the signal's reason) as the download does. */
  body: ReadableStream<Uint8Array>;
  /** Content-Length, or 0 if not given. */
  total: number;
  /** 200, or 206 for an answer to a Range request. */
  status: number;
  /** The Content-Range header, where the server exposes it (CORS: Access-Control-Expose-Headers). */
  contentRange: string | null;
}

/**
 * Starts downloading `url` (resolved against `base`, the app's URL). Waiting for the answer, and
 * for each chunk, counts toward the stall timeout; the consumer's own pace does not.
 */
export async function openDownload(url: string, base: string, signal?: AbortSignal, headers?: Record<string, string>): Promise<Download> {
  const refused = downloadRefusal(url, base);
  if (refused) throw new DownloadError(refused, 'policy');
  const href = new URL(url, base).href;
  const stall = new AbortController();
  const limit = stallMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const wait = <T>(p: Promise<T>): Promise<T> => {
    timer = setTimeout(() => stall.abort(new DownloadError(stalledMessage(href, limit), 'stalled')), limit);
    return p.finally(() => clearTimeout(timer));
  };
  // A cancel ends with the caller's reason, a stall with its message.
  const throwIfStopped = () => {
    signal?.throwIfAborted();
    stall.signal.throwIfAborted();
  };
  const both = signal ? AbortSignal.any([signal, stall.signal]) : stall.signal;
  let res: Response;
  try {
    res = await wait(fetch(href, { signal: both, ...(headers ? { headers } : {}) }));
  } catch (e) {
    throwIfStopped();
    if (!(await reachesOwnOrigin(base))) throw new DownloadError(offlineMessage(href), 'offline');
    if (new URL(href).origin === new URL(base).origin) throw new DownloadError(`Could not download ${href}: ${(e as Error).message}.`, 'refused');
    throw new DownloadError(refusedMessage(href), 'refused');
  }
  if (!res.ok || !res.body) {
    void res.body?.cancel(); // the error page is not wanted: free the connection
    const why = res.status === 404 ? ' (not found: the file is not, or no longer, at this address)' : '';
    throw new DownloadError(`Could not download ${href}: HTTP ${res.status}${why}.`, 'http', res.status);
  }
  const total = Number(res.headers.get('content-length')) || 0;
  const reader = res.body.getReader();
  let loaded = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await wait(reader.read());
      } catch (e) {
        throwIfStopped();
        throw new DownloadError(total > loaded ? cutShortMessage(href, loaded, total) : brokeOffMessage(href, loaded, e), 'cut');
      }
      if (r.done) return c.close();
      loaded += r.value.byteLength;
      c.enqueue(r.value);
    },
    cancel: (why) => reader.cancel(why),
  });
  return { body, total, status: res.status, contentRange: res.headers.get('content-range') };
}
