// Safetensors reader (https://huggingface.co/docs/safetensors). Hand-written because the
// format is an 8-byte length, a JSON header and raw little-endian data, and the npm
// parsers we found pull in Node's fs or decode only to JS arrays without fp16/bf16.

export type Dtype = 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'U8';

export interface TensorEntry {
  dtype: Dtype;
  shape: number[];
  /** Values converted to float32 (integer dtypes too). */
  data: Float32Array;
}

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

const BYTES: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1 };
const MAX_HEADER = 100 * 1024 * 1024;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export interface Parsed {
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function decode(dtype: Dtype, bytes: Uint8Array): Float32Array {
  const n = bytes.byteLength / BYTES[dtype];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F16': {
      // A 64k lookup table makes fp16 decoding a single indexed load per value.
      const table = f16Table();
      for (let i = 0; i < n; i++) out[i] = table[view.getUint16(i * 2, true)]!;
      break;
    }
    case 'BF16': {
      const u32 = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u32[i] = view.getUint16(i * 2, true) << 16;
      break;
    }
    case 'I64':
      for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      break;
    case 'I32':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      break;
    case 'U8':
      for (let i = 0; i < n; i++) out[i] = bytes[i]!;
      break;
  }
  return out;
}

let table: Float32Array | undefined;
function f16Table(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) table[i] = f16ToF32(i);
  }
  return table;
}

/** What a file that is not safetensors looks like, from its first bytes, for the message. */
function lookalike(bytes: Uint8Array): string | null {
  const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (PNG.every((b, i) => bytes[i] === b)) return 'it looks like a PNG image';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'it looks like a JPEG image';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4) return 'it looks like a ZIP archive (a PyTorch .pt or .pth file? Convert it to safetensors)';
  const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<')) return 'it looks like an HTML page (a web page instead of the weights?)';
  return null;
}

/**
 * Parses a whole safetensors file; throws SafetensorsError with a readable reason. Follows the
 * format's rules: every entry is an object with a known dtype, and the data ranges are
 * contiguous from byte 0, with no gap or overlap, and cover the data exactly.
 */
export function parseSafetensors(buffer: ArrayBuffer): Parsed {
  if (buffer.byteLength === 0) throw new SafetensorsError('Not a safetensors file: the file is empty.');
  // Only a file that fails is named by its look: a real header length may begin with '<'.
  const notSafetensors = (why: string) => {
    const like = lookalike(new Uint8Array(buffer, 0, Math.min(64, buffer.byteLength)));
    return new SafetensorsError(`Not a safetensors file: ${like ?? why}.`);
  };
  if (buffer.byteLength < 8) throw notSafetensors('it is shorter than its 8-byte header length');
  const view = new DataView(buffer);
  const rawLen = view.getBigUint64(0, true);
  if (rawLen === 0n || rawLen > BigInt(MAX_HEADER) || 8n + rawLen > BigInt(buffer.byteLength)) {
    throw notSafetensors(`header length ${rawLen} does not fit a ${buffer.byteLength}-byte file`);
  }
  const headerLen = Number(rawLen);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(buffer, 8, headerLen)));
  } catch {
    throw notSafetensors('its header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('Not a safetensors file: its header is not a JSON object.');
  }
  const dataStart = 8 + headerLen;
  const dataLen = buffer.byteLength - dataStart;
  const tensors = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  const ranges: { name: string; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = raw as Record<string, string>;
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new SafetensorsError(`Tensor ${name}: its header entry is not an object.`);
    const e = raw as HeaderEntry;
    if (typeof e.dtype !== 'string' || !(e.dtype in BYTES)) throw new SafetensorsError(`Tensor ${name}: unsupported dtype ${String(e.dtype)}.`);
    const dtype = e.dtype as Dtype;
    const [begin, end] = e.data_offsets ?? [];
    if (!Array.isArray(e.shape) || typeof begin !== 'number' || typeof end !== 'number') {
      throw new SafetensorsError(`Tensor ${name}: malformed header entry.`);
    }
    const count = e.shape.reduce((a, b) => a * b, 1);
    if (end > dataLen) {
      throw new SafetensorsError(`Tensor ${name} ends at byte ${end} but the file holds ${dataLen} data bytes: the file is truncated.`);
    }
    if (end - begin !== count * BYTES[dtype] || begin < 0) {
      throw new SafetensorsError(`Tensor ${name}: ${end - begin} bytes do not hold shape [${e.shape}] of ${dtype}.`);
    }
    ranges.push({ name, begin, end });
    tensors.set(name, { dtype, shape: e.shape, data: decode(dtype, new Uint8Array(buffer, dataStart + begin, end - begin)) });
  }
  // No holes, no overlaps, nothing left over: a file cannot hide other bytes in its data.
  let at = 0;
  for (const r of ranges.sort((a, b) => a.begin - b.begin || a.end - b.end)) {
    if (r.begin < at) throw new SafetensorsError(`Tensor ${r.name}: its data starts at byte ${r.begin}, inside the previous tensor's bytes (which end at ${at}): the ranges overlap.`);
    if (r.begin > at) throw new SafetensorsError(`Tensor ${r.name}: its data starts at byte ${r.begin}, but the previous tensor's bytes end at ${at}: ${r.begin - at} bytes lie unused between them.`);
    at = r.end;
  }
  if (at !== dataLen) throw new SafetensorsError(`Not a well-formed safetensors file: ${dataLen - at} bytes after the last tensor belong to none.`);
  return { tensors, metadata };
}

/** Refuses weights that are not all finite numbers (a model would answer NaN for every frame). */
export function requireFinite(p: Parsed): void {
  const bad = firstNonFinite(p);
  if (bad) throw new SafetensorsError(`Tensor ${bad.name} holds ${bad.value} (value ${bad.index} of it): the weights are damaged, so nothing was stored.`);
}

/** The first value that is NaN or infinite, by tensor, for importers to refuse; null if all are finite. */
export function firstNonFinite(p: Parsed): { name: string; index: number; value: number } | null {
  for (const [name, t] of p.tensors) {
    const i = t.data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) return { name, index: i, value: t.data[i]! };
  }
  return null;
}

/** Writes float32 tensors as safetensors; used by tests and fixture tools. */
export function writeSafetensors(tensors: Record<string, { shape: number[]; data: Float32Array }>, metadata: Record<string, string> = {}): ArrayBuffer {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  if (Object.keys(metadata).length) header['__metadata__'] = metadata;
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const hbytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out.buffer;
}
