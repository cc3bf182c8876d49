// Fetches a weights file with progress and checks its length and sha256 before use.
import type { WeightSource } from '../../models/card';
import { openDownload } from './download';

export class WeightsError extends Error {
  override name = 'WeightsError';
}

export async function sha256Hex(buf: ArrayBuffer): Promise<string> {
  const d = await crypto.subtle.digest('SHA-256', buf);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function fetchVerified(
  url: string,
  src: Pick<WeightSource, 'sha256' | 'bytes'>,
  onProgress: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<ArrayBuffer> {
  const download = await openDownload(url, location.href, signal);
  const total = src.bytes || download.total;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = download.body.getReader();
  for (;;) {
    // A cancel, a stall or a broken transfer makes read() reject: the download stops there.
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress(loaded, total);
  }
  if (src.bytes && loaded !== src.bytes) {
    throw new WeightsError(`The download of ${url} is ${loaded} bytes, expected ${src.bytes}: it is truncated or wrong.`);
  }
  const bytes = new Uint8Array(loaded);
  let p = 0;
  for (const c of chunks) {
    bytes.set(c, p);
    p += c.byteLength;
  }
  const digest = await sha256Hex(bytes.buffer);
  if (src.sha256 && digest !== src.sha256) {
    throw new WeightsError(`The file at ${url} has sha256 ${digest}, expected ${src.sha256}: it is corrupted or not the pinned file.`);
  }
  return bytes.buffer;
}
