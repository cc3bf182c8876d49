// Reads a TensorFlow Lite file into a plain graph: tensors (shape, type, quantisation), the
// first subgraph's operators in execution order, and constant tensors dequantised to float32.
// No TF.js: the mapping onto our families (tflite-mobilenet.ts) and the unit tests use it as is.
import { decodeFloat16 } from '../../models/safetensors';
import { OP_NAMES, TENSOR_TYPE_NAMES, TensorType, TfliteModel, Op, type Operator } from './tflite-schema';

export class TfliteError extends Error {
  override name = 'TfliteError';
}

export interface TfliteQuant {
  scale: number[];
  zeroPoint: number[];
  /** The axis the per-channel parameters run along (when there is more than one). */
  axis: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  shape: number[];
  /** TensorType's name: FLOAT32, FLOAT16, UINT8, INT8, INT32, ... */
  type: string;
  quant: TfliteQuant | null;
  /** The raw bytes of a constant (weights), or null for an activation. */
  data: Uint8Array | null;
}

export interface TfliteOp {
  /** BuiltinOperator code; OP_NAMES names it. */
  code: number;
  /** "CONV_2D", or the custom op's own name. */
  name: string;
  inputs: number[];
  outputs: number[];
  raw: Operator;
}

export interface TfliteGraph {
  version: number;
  tensors: TfliteTensor[];
  ops: TfliteOp[];
  inputs: number[];
  outputs: number[];
}

/** Parses a .tflite file; throws TfliteError with a readable reason for anything else. */
export function parseTflite(bytes: Uint8Array): TfliteGraph {
  if (bytes.byteLength < 16) throw new TfliteError(`The file is ${bytes.byteLength} bytes: too short for a TensorFlow Lite model.`);
  const id = TfliteModel.identifier(bytes);
  if (id !== 'TFL3') throw new TfliteError('This is not a TensorFlow Lite model: a .tflite file carries the identifier "TFL3" in its bytes 4 to 8.');
  try {
    const model = TfliteModel.fromBytes(bytes);
    const subgraphs = model.subgraphs();
    if (subgraphs.length === 0) throw new TfliteError('The TensorFlow Lite model has no subgraph.');
    const buffers = model.buffers();
    const codes = model.operatorCodes();
    const g = subgraphs[0]!;
    const tensors = g.tensors().map((t, index): TfliteTensor => {
      const q = t.quantization();
      const scale = q?.scale() ?? [];
      const buf = buffers[t.buffer()];
      let data: Uint8Array | null = null;
      if (buf && t.buffer() !== 0) {
        const inline = buf.data();
        // Files over 2 GB keep tensor data after the flatbuffer, by offset and size.
        data = inline.byteLength ? inline : buf.offset() > 1 ? bytes.subarray(buf.offset(), buf.offset() + buf.size()) : null;
      }
      return {
        index,
        name: t.name(),
        shape: t.shape(),
        type: TENSOR_TYPE_NAMES[t.type()] ?? `type ${t.type()}`,
        quant: scale.length ? { scale, zeroPoint: q!.zeroPoint(), axis: q!.quantizedDimension() } : null,
        data,
      };
    });
    const ops = g.operators().map((raw): TfliteOp => {
      const code = codes[raw.opcodeIndex()];
      if (!code) throw new TfliteError(`An operator names operator code ${raw.opcodeIndex()}, which the file lacks.`);
      const c = code.builtinCode();
      return { code: c, name: c === Op.CUSTOM ? `custom op "${code.customCode()}"` : OP_NAMES[c] ?? `builtin op ${c}`, inputs: raw.inputs(), outputs: raw.outputs(), raw };
    });
    return { version: model.version(), tensors, ops, inputs: g.inputs(), outputs: g.outputs() };
  } catch (e) {
    if (e instanceof TfliteError) throw e;
    throw new TfliteError(`The TensorFlow Lite file is damaged or truncated (${(e as Error).message}).`);
  }
}

const ELEMENT_BYTES: Record<string, number> = { FLOAT32: 4, FLOAT16: 2, INT32: 4, UINT8: 1, INT8: 1, INT16: 2, INT64: 8 };

/**
 * A constant tensor as float32: FLOAT32 as is, FLOAT16 widened, and UINT8/INT8/INT16/INT32 by
 * real = scale × (q − zero_point), per tensor or per channel along the quantised axis. A
 * tensor computed by a DEQUANTIZE op from a constant (float16 models) is that constant.
 */
export function constantF32(g: TfliteGraph, index: number): Float32Array {
  return dequantize(storedAs(g, index));
}

/** The constant a tensor's values are stored in: itself, or the input of the DEQUANTIZE op that computes it. */
export function storedAs(g: TfliteGraph, index: number): TfliteTensor {
  const t = g.tensors[index];
  if (!t) throw new TfliteError(`Tensor ${index} does not exist.`);
  if (t.data) return t;
  const producer = g.ops.find((o) => o.outputs.includes(index));
  if (producer?.code === Op.DEQUANTIZE) return storedAs(g, producer.inputs[0]!);
  throw new TfliteError(`Tensor "${t.name}" holds no data: it is not a weight.`);
}

export function dequantize(t: TfliteTensor): Float32Array {
  const n = t.shape.reduce((a, b) => a * b, 1);
  const width = ELEMENT_BYTES[t.type];
  if (!width) throw new TfliteError(`Tensor "${t.name}" is ${t.type}, which cannot hold weights.`);
  const data = t.data!;
  if (data.byteLength !== n * width) {
    throw new TfliteError(`Tensor "${t.name}" [${t.shape}] of ${t.type} should have ${n * width} bytes, has ${data.byteLength}: the file is damaged.`);
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (t.type === 'FLOAT16') return decodeFloat16(data);
  const out = new Float32Array(n);
  if (t.type === 'FLOAT32') {
    for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }
  const read: (i: number) => number =
    t.type === 'UINT8' ? (i) => data[i]! :
    t.type === 'INT8' ? (i) => view.getInt8(i) :
    t.type === 'INT16' ? (i) => view.getInt16(2 * i, true) :
    t.type === 'INT32' ? (i) => view.getInt32(4 * i, true) :
    (i) => Number(view.getBigInt64(8 * i, true));
  const q = t.quant;
  if (!q) throw new TfliteError(`Tensor "${t.name}" is ${t.type} without quantisation parameters: its real values are unknown.`);
  if (q.scale.length === 1) {
    const s = q.scale[0]!;
    const z = q.zeroPoint[0] ?? 0;
    for (let i = 0; i < n; i++) out[i] = s * (read(i) - z);
    return out;
  }
  // Per channel: element i belongs to channel (i / inner) % channels along `axis`.
  const channels = t.shape[q.axis];
  if (channels !== q.scale.length) {
    throw new TfliteError(`Tensor "${t.name}" has ${q.scale.length} scales for ${channels} channels along axis ${q.axis}.`);
  }
  const inner = t.shape.slice(q.axis + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = q.scale[c]! * (read(i) - (q.zeroPoint[c] ?? q.zeroPoint[0] ?? 0));
  }
  return out;
}

export { Op, TensorType };
