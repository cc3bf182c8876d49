// A streaming reader for POSIX/GNU tar, fed by DecompressionStream('gzip').
//
// Hand-written, not a library: the tar readers on npm either need Node streams
// (tar-stream, tar) or buffer the whole archive first (nanotar, js-untar); CIFAR-10's
// archive is 178 MB unpacked, so on a phone we read it entry by entry instead.

export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

export interface TarEntry {
  name: string;
  /** '0' regular file, '5' directory, ... (ustar typeflag). */
  type: string;
  data: Uint8Array;
}

const BLOCK = 512;

/** Pulls exact byte counts out of a stream of chunks. */
class ByteReader {
  private chunks: Uint8Array[] = [];
  private have = 0;
  constructor(private readonly reader: ReadableStreamDefaultReader<Uint8Array>) {}

  /** Exactly n bytes, or null at a clean end of stream (nothing buffered). */
  async take(n: number): Promise<Uint8Array | null> {
    while (this.have < n) {
      const { done, value } = await this.reader.read();
      if (done) {
        if (this.have === 0) return null;
        throw new ArchiveError('The archive ends in the middle of a file: it is truncated.');
      }
      this.chunks.push(value);
      this.have += value.byteLength;
    }
    const out = new Uint8Array(n);
    let p = 0;
    while (p < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.byteLength, n - p);
      out.set(c.subarray(0, k), p);
      p += k;
      if (k === c.byteLength) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.have -= n;
    return out;
  }
}

function text(b: Uint8Array): string {
  const end = b.indexOf(0);
  return new TextDecoder().decode(end >= 0 ? b.subarray(0, end) : b);
}

/** A numeric field: octal text, or GNU base-256 when the top bit is set (files over 8 GB). */
export function tarNumber(b: Uint8Array): number {
  if (b[0]! & 0x80) {
    let v = b[0]! & 0x7f;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i]!;
    return v;
  }
  const s = text(b).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new ArchiveError('A tar header holds a malformed number: the file is not a tar archive or is damaged.');
  return parseInt(s, 8);
}

function checksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === tarNumber(h.subarray(148, 156));
}

/** Yields each entry with its whole content; checks every header's checksum. */
export async function* untar(stream: ReadableStream<Uint8Array>): AsyncGenerator<TarEntry> {
  const r = new ByteReader(stream.getReader());
  let longName: string | null = null;
  let paxPath: string | null = null;
  for (;;) {
    const h = await r.take(BLOCK);
    if (!h) throw new ArchiveError('The archive ends without its end-of-archive marker: it is truncated.');
    if (h.every((b) => b === 0)) return; // end of archive
    if (!checksumOk(h)) throw new ArchiveError('A tar header fails its checksum: the file is not a tar archive or is damaged.');
    const size = tarNumber(h.subarray(124, 136));
    const type = String.fromCharCode(h[156] || 48);
    const prefix = text(h.subarray(345, 500));
    const data = size ? await r.take(size) : new Uint8Array(0);
    if (size && !data) throw new ArchiveError('The archive ends in the middle of a file: it is truncated.');
    if (size % BLOCK) await r.take(BLOCK - (size % BLOCK));
    if (type === 'L') {
      longName = text(data!);
      continue;
    }
    if (type === 'x') {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(data!))?.[1] ?? null;
      continue;
    }
    if (type === 'g') continue;
    const name = longName ?? paxPath ?? (prefix ? `${prefix}/` : '') + text(h.subarray(0, 100));
    longName = paxPath = null;
    yield { name, type: type === '\0' ? '0' : type, data: data! };
  }
}
