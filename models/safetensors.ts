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

/** Parses a whole safetensors file; throws SafetensorsError with a readable reason. */
export function parseSafetensors(buffer: ArrayBuffer): Parsed {
  if (buffer.byteLength < 8) throw new SafetensorsError('Not a safetensors file: it is shorter than its 8-byte header length.');
  const view = new DataView(buffer);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen === 0 || headerLen > MAX_HEADER || 8 + headerLen > buffer.byteLength) {
    throw new SafetensorsError(`Not a safetensors file: header length ${headerLen} does not fit a ${buffer.byteLength}-byte file.`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(buffer, 8, headerLen)));
  } catch {
    throw new SafetensorsError('Not a safetensors file: its header is not JSON.');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('Not a safetensors file: its header is not a JSON object.');
  }
  const dataStart = 8 + headerLen;
  const dataLen = buffer.byteLength - dataStart;
  const tensors = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = raw as Record<string, string>;
      continue;
    }
    const e = raw as HeaderEntry;
    if (!(e.dtype in BYTES)) throw new SafetensorsError(`Tensor ${name}: unsupported dtype ${e.dtype}.`);
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
    tensors.set(name, { dtype, shape: e.shape, data: decode(dtype, new Uint8Array(buffer, dataStart + begin, end - begin)) });
  }
  return { tensors, metadata };
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
