// Pure logic of the pinned hub downloads (workers/store/hub-download.ts), unit-tested, and
// shared with the UI: which file a card pins, whether a server's answer to a Range request
// continues the part already on the device, whether the announced size is the pinned one,
// and whether a download fits the device before it starts. No TF.js, no I/O.
import type { ModelCard, WeightSource } from '../../models/card';

/** A card's pinned file, as a download uses it. */
export interface HubPin {
  url: string;
  sha256: string;
  bytes: number;
  /** `bytes` is a rounded published figure (WeightSource.bytesApprox). */
  approx: boolean;
}

/**
 * Tests only (?faults&hub=ORIGIN&pin=ID:SHA256:BYTES, workers/contracts/plan.ts's engineOptions):
 * the hub's origin and pins for the local hub-like server. Honoured only with ?faults, and
 * never for huggingface.co itself (hubPinFor), so a user's download is always the card's pin.
 */
export interface HubOverride {
  origin: string;
  pins: Record<string, { sha256: string; bytes: number }>;
}

export const HUB_ORIGIN = 'https://huggingface.co';

/** Within this fraction of a rounded published size (the hub shows sizes to 3 figures). */
export const APPROX_SIZE_TOLERANCE = 0.02;

export function hubPinFor(card: Pick<ModelCard, 'id' | 'weights'>, override?: HubOverride): HubPin | null {
  const w: WeightSource = card.weights;
  if (!w.hub || !w.sha256) return null;
  const pin = { url: w.url, sha256: w.sha256, bytes: w.bytes, approx: !!w.bytesApprox };
  if (!override || new URL(override.origin).origin === HUB_ORIGIN) return pin;
  const o = override.pins[card.id];
  const url = `${override.origin.replace(/\/$/, '')}/${w.hub}/resolve/main/model.safetensors`;
  return o ? { url, sha256: o.sha256, bytes: o.bytes, approx: false } : { ...pin, url };
}

/** Why a file of `total` bytes is not the pinned one, or null. */
export function sizeMismatch(pin: HubPin, total: number): string | null {
  if (!total) return null;
  const ok = pin.approx ? Math.abs(total - pin.bytes) <= pin.bytes * APPROX_SIZE_TOLERANCE : total === pin.bytes;
  if (ok) return null;
  const want = pin.approx ? `about ${pin.bytes.toLocaleString('en')}` : pin.bytes.toLocaleString('en');
  return `The file at ${pin.url} is ${total.toLocaleString('en')} bytes, but the pinned file is ${want}: it changed upstream or is not the pinned file, so it was not downloaded.`;
}

/**
 * How the server answered a request for the bytes from `offset` on: 'resume' (206 from there),
 * 'restart' (200: the whole file; this server ignores Range), or an error message. `total` is
 * the whole file's length, 0 if unknown.
 */
export function rangeAnswer(offset: number, status: number, contentRange: string | null, contentLength: number): { kind: 'resume' | 'restart'; total: number } | { kind: 'error'; message: string } {
  if (status === 200) return { kind: 'restart', total: contentLength };
  if (status !== 206) return { kind: 'error', message: `HTTP ${status} to a Range request` };
  // "bytes START-END/TOTAL"; a server may hide the header from CORS: we asked for START.
  const m = contentRange ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(contentRange.trim()) : null;
  if (contentRange && !m) return { kind: 'error', message: `an unreadable Content-Range "${contentRange}"` };
  if (m && Number(m[1]) !== offset) return { kind: 'error', message: `bytes from ${m[1]} where ${offset} were asked for` };
  const total = m && m[3] !== '*' ? Number(m[3]) : contentLength ? offset + contentLength : 0;
  return { kind: 'resume', total };
}

/**
 * Whether downloading `bytes` fits: the received part and the converted weights (float32,
 * about the file's size) are both on the device until the last step, so it needs twice the
 * file, less what is already received, in the space the storage estimate leaves.
 */
export function fitsDevice(bytes: number, received: number, estimate: { usage: number; quota: number } | null): { fits: boolean; needed: number; free: number | null } {
  const needed = 2 * bytes - received;
  if (!estimate || !estimate.quota) return { fits: true, needed, free: null };
  const free = Math.max(0, estimate.quota - estimate.usage);
  return { fits: needed <= free, needed, free };
}

/** Transfer rate over a sliding window of (time ms, bytes loaded) samples, bytes per second. */
export function rateOf(samples: readonly [number, number][]): number {
  if (samples.length < 2) return 0;
  const [t0, b0] = samples[0]!;
  const [t1, b1] = samples[samples.length - 1]!;
  return t1 > t0 ? ((b1 - b0) * 1000) / (t1 - t0) : 0;
}

/** Seconds left of a download at `rate` (rounded up); null when unknown or done. */
export function etaSeconds(loaded: number, total: number, rate: number): number | null {
  if (!total || rate <= 0 || loaded >= total) return null;
  return Math.ceil((total - loaded) / rate);
}
