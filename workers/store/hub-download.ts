// A card's pinned hub file, downloaded so that an interruption loses nothing: what arrives is
// kept in IndexedDB in chunks of 1 MiB (a PartialDownload and its PartChunks), and the next
// attempt, after a dropped connection here or a closed tab or reload later, asks the server
// (HTTP Range) for the rest only. The whole file is checked at the end (length, then sha256)
// before anything else is done with it. A transfer cut short resumes at once, a few times,
// while bytes keep arriving. A file that is not the pinned one (size, hash), a missing file
// (HTTP 4xx/5xx) or a full quota drops the received part; offline or a refused request keeps
// it for a retry.
import { openDb, withQuota, StorageFullError, type PartialDownload } from './db';
import { chunkKey, chunkRange } from './weight-store';
import { DownloadError, openDownload } from './download';
import { sha256Hex, WeightsError } from './fetch-weights';
import { rangeAnswer, sizeMismatch, type HubPin } from '../contracts/hub';

/** Received bytes are written in slices of this size (the most a crash can lose). */
export const CHUNK_BYTES = 1 << 20;
/** Resumes within one download, after a cut or stalled transfer that had made progress. */
export const AUTO_RESUMES = 5;

export interface HubProgress {
  loaded: number;
  /** The whole file's length, 0 if unknown. */
  total: number;
  /** Where this attempt started: bytes already on the device (0 for a fresh start). */
  resumedFrom: number;
}

export async function readPartial(modelId: string): Promise<PartialDownload | undefined> {
  return (await openDb()).get('partials', modelId);
}

export async function listPartials(): Promise<PartialDownload[]> {
  return (await openDb()).getAll('partials');
}

export async function dropPartial(modelId: string): Promise<void> {
  const d = await openDb();
  const tx = d.transaction(['partials', 'partChunks'], 'readwrite');
  await Promise.all([tx.objectStore('partials').delete(modelId), tx.objectStore('partChunks').delete(chunkRange(modelId)), tx.done]);
}

/** Appends one slice and the record that counts it, in one transaction. */
async function appendChunk(part: PartialDownload, data: Uint8Array): Promise<void> {
  const d = await openDb();
  const next = { ...part, received: part.received + data.byteLength, chunks: part.chunks + 1, updatedAt: Date.now() };
  await withQuota(`the download of ${part.modelId} (${(part.received / 2 ** 20).toFixed(1)} MiB received; that part was deleted)`, async () => {
    const tx = d.transaction(['partials', 'partChunks'], 'readwrite');
    await Promise.all([tx.objectStore('partChunks').put({ key: chunkKey(part.modelId, part.chunks), data }), tx.objectStore('partials').put(next), tx.done]);
  });
  Object.assign(part, next);
}

function concat(parts: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let p = 0;
  for (const c of parts) {
    out.set(c, p);
    p += c.byteLength;
  }
  return out;
}

const fresh = (modelId: string, pin: HubPin): PartialDownload => ({ modelId, url: pin.url, sha256: pin.sha256, total: 0, received: 0, chunks: 0, updatedAt: Date.now() });

/** One request: from `part.received` to the end, appended to `part`. */
async function transfer(modelId: string, pin: HubPin, part: PartialDownload, base: string, onProgress: (p: HubProgress) => void, signal?: AbortSignal): Promise<void> {
  const offset = part.received;
  const dl = await openDownload(pin.url, base, signal, offset ? { Range: `bytes=${offset}-` } : undefined);
  let total = dl.total;
  let from = offset;
  if (offset) {
    const a = rangeAnswer(offset, dl.status, dl.contentRange, dl.total);
    if (a.kind === 'error') {
      void dl.body.cancel();
      throw new DownloadError(`Could not resume the download of ${pin.url}: the server answered with ${a.message}. Try again.`, 'http');
    }
    if (a.kind === 'restart') {
      // This server ignores Range (it sent the whole file): the received part is of no use.
      await dropPartial(modelId);
      Object.assign(part, fresh(modelId, pin));
      from = 0;
    }
    total = a.total;
  }
  const mismatch = sizeMismatch(pin, total) ?? (part.total && total && part.total !== total ? `The file at ${pin.url} is now ${total.toLocaleString('en')} bytes, not the ${part.total.toLocaleString('en')} it was when the download began: it changed upstream.` : null);
  if (mismatch) {
    void dl.body.cancel();
    throw new WeightsError(mismatch);
  }
  part.total = total;
  const limit = total || (pin.approx ? pin.bytes * 1.02 : pin.bytes);
  const reader = dl.body.getReader();
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (!pendingBytes) return;
    const data = concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await appendChunk(part, data);
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      pending.push(value);
      pendingBytes += value.byteLength;
      if (part.received + pendingBytes > limit) {
        throw new WeightsError(`The file at ${pin.url} is longer than the ${limit.toLocaleString('en')} bytes of the pinned file: it is not the pinned file.`);
      }
      onProgress({ loaded: part.received + pendingBytes, total, resumedFrom: from });
      if (pendingBytes >= CHUNK_BYTES) await flush();
    }
    await flush();
  } catch (e) {
    // Keep what arrived for the resume, unless the storage itself failed or the file is wrong.
    if (!(e instanceof StorageFullError) && !(e instanceof WeightsError)) await flush().catch(() => {});
    void reader.cancel().catch(() => {});
    throw e;
  }
  if (total && part.received !== total) {
    throw new DownloadError(`The download of ${pin.url} was cut short: ${part.received.toLocaleString('en')} of ${total.toLocaleString('en')} bytes arrived.`, 'cut');
  }
}

/** Why a failure keeps the received part for a later retry (the network), or drops it (the file, the storage). */
function keepsPart(e: unknown): boolean {
  return e instanceof DownloadError && (e.kind === 'offline' || e.kind === 'refused' || e.kind === 'cut' || e.kind === 'stalled');
}

/**
 * Downloads `pin` for `modelId`, resuming a part already on the device, and returns the
 * verified file with its sha256. The caller stores the converted weights with putCached,
 * which deletes the part in the same transaction; on a cancel it calls dropPartial.
 */
export async function downloadPinned(modelId: string, pin: HubPin, base: string, onProgress: (p: HubProgress) => void, signal?: AbortSignal): Promise<{ buffer: ArrayBuffer; sha256: string }> {
  let part = await readPartial(modelId);
  if (part && (part.sha256 !== pin.sha256 || part.url !== pin.url)) {
    await dropPartial(modelId);
    part = undefined;
  }
  part ??= fresh(modelId, pin);
  let resumes = 0;
  for (;;) {
    // Everything arrived before an interruption (a tab closed while converting): nothing to ask for.
    if (part.total && part.received === part.total) break;
    const before = part.received;
    try {
      await transfer(modelId, pin, part, base, onProgress, signal);
      break;
    } catch (e) {
      signal?.throwIfAborted();
      const retry = e instanceof DownloadError && (e.kind === 'cut' || e.kind === 'stalled') && part.received > before && resumes++ < AUTO_RESUMES;
      if (retry) continue;
      if (!keepsPart(e)) await dropPartial(modelId);
      else if (part.received) {
        (e as Error).message += ` ${part.received.toLocaleString('en')} bytes are kept on this device: trying again resumes from there.`;
      }
      throw e;
    }
  }
  const chunks = await (await openDb()).getAll('partChunks', chunkRange(modelId));
  const bytes = await new Blob(chunks.map((c) => c.data as BlobPart)).arrayBuffer();
  const sizeWrong = sizeMismatch(pin, bytes.byteLength) ?? (part.total && bytes.byteLength !== part.total ? `The download of ${pin.url} has ${bytes.byteLength} bytes, expected ${part.total}.` : null);
  const sha256 = sizeWrong ? '' : await sha256Hex(bytes);
  if (sizeWrong || sha256 !== pin.sha256) {
    await dropPartial(modelId);
    throw new WeightsError(sizeWrong ?? `The file at ${pin.url} has sha256 ${sha256}, expected ${pin.sha256}: it changed upstream or is not the pinned file, so it was refused and nothing was stored.`);
  }
  return { buffer: bytes, sha256 };
}
