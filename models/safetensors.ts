// Safetensors reader (https://huggingface.co/docs/safetensors). Hand-written because the
// format is an 8-byte length, a JSON header and raw little-endian data, and the npm
// parsers we found pull in Node's fs or decode only to JS arrays without fp16/bf16.

export type Dtype = 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I8' | 'U8';

export interface TensorEntry {
  dtype: Dtype;
  shape: number[];
  /** Values converted to float32 (integer dtypes too; int8 weights dequantised by their scales). */
  data: Float32Array;
}

export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

const BYTES: Record<Dtype, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I8: 1, U8: 1 };
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
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = view.getInt8(i);
      break;
    case 'U8':
      for (let i = 0; i < n; i++) out[i] = bytes[i]!;
      break;
  }
  return out;
}

/** IEEE half-precision values (little-endian) as float32: also TensorFlow Lite's FLOAT16 tensors. */
export function decodeFloat16(bytes: Uint8Array): Float32Array {
  return decode('F16', bytes);
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
  if (String.fromCharCode(...bytes.subarray(4, 8)) === 'TFL3') return 'it is a TensorFlow Lite model (import it with "Import a TensorFlow Lite MobileNet" instead)';
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
  dequantizeInt8(tensors);
  return { tensors, metadata };
}

/**
 * int8 weights, symmetric per output channel, in the convention of compressed-tensors (the
 * format vLLM and the hub use): tensor `<name>` is I8 and `<name>_scale` is F32 with one scale
 * per output channel (axis 0 of the PyTorch layout); value = q * scale. Any card's file may
 * use it; readers get float32.
 */
export const INT8_SCALE_SUFFIX = '_scale';

/** Replaces every int8 tensor by its float32 values (q * scale, rounded once to fp32) and drops the scales. */
function dequantizeInt8(tensors: Map<string, TensorEntry>): void {
  for (const [name, t] of tensors) {
    if (t.dtype !== 'I8') continue;
    const scale = tensors.get(name + INT8_SCALE_SUFFIX);
    const channels = t.shape[0] ?? 1;
    if (!scale) throw new SafetensorsError(`Tensor ${name} is int8 but the file has no ${name}${INT8_SCALE_SUFFIX} to dequantise it.`);
    if (scale.dtype !== 'F32' || scale.shape.join('x') !== String(channels)) {
      throw new SafetensorsError(`Tensor ${name}${INT8_SCALE_SUFFIX} must be F32 of shape [${channels}] (one scale per output channel), not ${scale.dtype} [${scale.shape}].`);
    }
    const per = t.data.length / channels;
    // q has 8 bits and the scale 24: their exact product fits a double, so one rounding to
    // float32 gives exactly PyTorch's float32 q * scale.
    for (let i = 0; i < t.data.length; i++) t.data[i] = t.data[i]! * scale.data[Math.floor(i / per)]!;
    tensors.delete(name + INT8_SCALE_SUFFIX);
  }
}

/** Whether a weight is stored as int8: conv and linear weights (two or more axes); biases and norms stay float32. */
export const isInt8Weight = (name: string, shape: readonly number[]) => shape.length >= 2 && name.endsWith('.weight');

/** Symmetric per-output-channel int8 of a float32 tensor (PyTorch layout, channels on axis 0). */
export function quantizeInt8(t: { shape: number[]; data: Float32Array }): { q: Int8Array; scale: Float32Array } {
  const channels = t.shape[0] ?? 1;
  const per = t.data.length / channels;
  const q = new Int8Array(t.data.length);
  const scale = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let max = 0;
    for (let i = c * per; i < (c + 1) * per; i++) max = Math.max(max, Math.abs(t.data[i]!));
    scale[c] = max > 0 ? max / 127 : 1;
    for (let i = c * per; i < (c + 1) * per; i++) q[i] = Math.max(-127, Math.min(127, Math.round(t.data[i]! / scale[c]!)));
  }
  return { q, scale };
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

/**
 * Writes float32 tensors as safetensors (model export, tests, fixture tools); with `int8`,
 * conv and linear weights are stored as int8 with per-channel scales (a quarter of the bytes).
 */
export function writeSafetensors(
  tensors: Record<string, { shape: number[]; data: Float32Array }>,
  metadata: Record<string, string> = {},
  { int8 = false } = {},
): ArrayBuffer {
  const entries: [string, { dtype: 'F32' | 'I8'; shape: number[]; data: Float32Array | Int8Array }][] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (int8 && isInt8Weight(name, t.shape)) {
      const { q, scale } = quantizeInt8(t);
      entries.push([name, { dtype: 'I8', shape: t.shape, data: q }], [name + INT8_SCALE_SUFFIX, { dtype: 'F32', shape: [t.shape[0]!], data: scale }]);
    } else entries.push([name, { dtype: 'F32', ...t }]);
  }
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of entries) {
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  if (Object.keys(metadata).length) header['__metadata__'] = metadata;
  const json = new TextEncoder().encode(JSON.stringify(header));
  // Padded to 8 bytes (counted in bytes: a card's name may hold non-ASCII characters).
  const hbytes = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  hbytes.set(json);
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out.buffer;
}
