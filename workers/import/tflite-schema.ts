// Read-only accessors for the part of TensorFlow Lite's flatbuffer schema (tensorflow/lite/
// schema/schema.fbs, version 3) that an image classifier needs: the model, its operator codes,
// one subgraph's tensors and operators, buffers, quantisation, and the options of the ops we
// map. Written by hand over the `flatbuffers` runtime because no npm package ships generated
// TFLite code, and flatc's output for the whole schema is some 20,000 lines for ~200 op
// options we never read. Field slots follow the schema: field n is at vtable offset 4 + 2n
// (a union takes two fields: its type, then its value).
import { ByteBuffer } from 'flatbuffers';

/** TensorType (schema.fbs). */
export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, STRING: 5, BOOL: 6, INT16: 7, COMPLEX64: 8, INT8: 9, FLOAT64: 10 } as const;
export const TENSOR_TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(TensorType).map(([k, v]) => [v, k]));

/** The BuiltinOperator codes we map or name in messages (schema.fbs). */
export const Op = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6, FULLY_CONNECTED: 9,
  LOGISTIC: 14, MAX_POOL_2D: 17, MUL: 18, RELU: 19, RELU6: 21, RESHAPE: 22, RESIZE_BILINEAR: 23, SOFTMAX: 25,
  CUSTOM: 32, PAD: 34, TRANSPOSE: 39, MEAN: 40, SUB: 41, SQUEEZE: 43, QUANTIZE: 114, HARD_SWISH: 117,
} as const;
export const OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Op).map(([k, v]) => [v, k]));

/** ActivationFunctionType (schema.fbs). */
export const Activation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;
/** Padding (schema.fbs). */
export const Padding = { SAME: 0, VALID: 1 } as const;

abstract class Table {
  constructor(protected readonly bb: ByteBuffer, protected readonly pos: number) {
    // The runtime reads past the end as zeros: a cut-short file must fail here instead.
    if (pos !== -1 && (pos < 0 || pos + 4 > bb.capacity())) throw new RangeError(`a table at byte ${pos} lies beyond the end (${bb.capacity()} bytes)`);
  }

  protected off(field: number): number {
    const vtable = this.pos - this.bb.readInt32(this.pos);
    if (vtable < 0 || vtable + 4 > this.bb.capacity()) throw new RangeError(`a vtable at byte ${vtable} lies beyond the end`);
    return this.bb.__offset(this.pos, 4 + 2 * field);
  }

  /** Where a vector's elements start and how many there are, checked against the file's end. */
  private vec(field: number, width: number): { start: number; n: number } | null {
    const o = this.off(field);
    if (!o) return null;
    const start = this.bb.__vector(this.pos + o);
    const n = this.bb.__vector_len(this.pos + o);
    if (start + n * width > this.bb.capacity()) throw new RangeError(`a vector of ${n} elements at byte ${start} runs past the end (${this.bb.capacity()} bytes)`);
    return { start, n };
  }

  protected int32(field: number, dflt = 0): number {
    const o = this.off(field);
    return o ? this.bb.readInt32(this.pos + o) : dflt;
  }

  protected uint32(field: number, dflt = 0): number {
    const o = this.off(field);
    return o ? this.bb.readUint32(this.pos + o) : dflt;
  }

  protected int8(field: number, dflt = 0): number {
    const o = this.off(field);
    return o ? this.bb.readInt8(this.pos + o) : dflt;
  }

  protected uint64(field: number): bigint {
    const o = this.off(field);
    return o ? this.bb.readUint64(this.pos + o) : 0n;
  }

  protected string(field: number): string {
    const v = this.vec(field, 1);
    return v ? new TextDecoder().decode(this.bb.bytes().subarray(v.start, v.start + v.n)) : '';
  }

  protected table(field: number): number | null {
    const o = this.off(field);
    return o ? this.bb.__indirect(this.pos + o) : null;
  }

  protected tables<T>(field: number, make: (bb: ByteBuffer, pos: number) => T): T[] {
    const v = this.vec(field, 4);
    return v ? Array.from({ length: v.n }, (_, i) => make(this.bb, this.bb.__indirect(v.start + 4 * i))) : [];
  }

  protected int32s(field: number): number[] {
    const v = this.vec(field, 4);
    return v ? Array.from({ length: v.n }, (_, i) => this.bb.readInt32(v.start + 4 * i)) : [];
  }

  protected float32s(field: number): number[] {
    const v = this.vec(field, 4);
    return v ? Array.from({ length: v.n }, (_, i) => this.bb.readFloat32(v.start + 4 * i)) : [];
  }

  protected int64s(field: number): number[] {
    const v = this.vec(field, 8);
    return v ? Array.from({ length: v.n }, (_, i) => Number(this.bb.readInt64(v.start + 8 * i))) : [];
  }

  /** A [ubyte] vector as a view on the file's bytes (no copy). */
  protected bytes(field: number): Uint8Array {
    const v = this.vec(field, 1);
    return v ? this.bb.bytes().subarray(v.start, v.start + v.n) : new Uint8Array(0);
  }
}

/** table Model { version; operator_codes; subgraphs; description; buffers; ... } */
export class TfliteModel extends Table {
  static fromBytes(bytes: Uint8Array): TfliteModel {
    const bb = new ByteBuffer(bytes);
    return new TfliteModel(bb, bb.readInt32(bb.position()) + bb.position());
  }

  /** The file identifier at bytes 4..8: "TFL3" for TensorFlow Lite. */
  static identifier(bytes: Uint8Array): string {
    return bytes.length >= 8 ? String.fromCharCode(...bytes.subarray(4, 8)) : '';
  }

  version(): number { return this.uint32(0); }
  operatorCodes(): OperatorCode[] { return this.tables(1, (bb, p) => new OperatorCode(bb, p)); }
  subgraphs(): SubGraph[] { return this.tables(2, (bb, p) => new SubGraph(bb, p)); }
  description(): string { return this.string(3); }
  buffers(): Buffer[] { return this.tables(4, (bb, p) => new Buffer(bb, p)); }
}

/** table OperatorCode { deprecated_builtin_code: byte; custom_code; version; builtin_code: int } */
export class OperatorCode extends Table {
  /** As TFLite's GetBuiltinCode: the larger of the two fields (old files set only the first). */
  builtinCode(): number { return Math.max(this.int8(0), this.int32(3)); }
  customCode(): string { return this.string(1); }
}

/** table SubGraph { tensors; inputs; outputs; operators; name } */
export class SubGraph extends Table {
  tensors(): Tensor[] { return this.tables(0, (bb, p) => new Tensor(bb, p)); }
  inputs(): number[] { return this.int32s(1); }
  outputs(): number[] { return this.int32s(2); }
  operators(): Operator[] { return this.tables(3, (bb, p) => new Operator(bb, p)); }
  name(): string { return this.string(4); }
}

/** table Tensor { shape; type; buffer; name; quantization; ... } */
export class Tensor extends Table {
  shape(): number[] { return this.int32s(0); }
  type(): number { return this.int8(1); }
  buffer(): number { return this.uint32(2); }
  name(): string { return this.string(3); }
  quantization(): Quantization | null {
    const p = this.table(4);
    return p === null ? null : new Quantization(this.bb, p);
  }
}

/** table QuantizationParameters { min; max; scale; zero_point: [long]; details_type; details; quantized_dimension } */
export class Quantization extends Table {
  scale(): number[] { return this.float32s(2); }
  zeroPoint(): number[] { return this.int64s(3); }
  quantizedDimension(): number { return this.int32(6); }
}

/** table Operator { opcode_index; inputs; outputs; builtin_options_type; builtin_options; ... } */
export class Operator extends Table {
  opcodeIndex(): number { return this.uint32(0); }
  inputs(): number[] { return this.int32s(1); }
  outputs(): number[] { return this.int32s(2); }
  /** The position of the builtin_options table (its type follows from the op code). */
  private options(): number | null { return this.table(4); }

  conv2d(): { padding: number; strideW: number; strideH: number; activation: number; dilationW: number; dilationH: number } {
    const o = new Options(this.bb, this.options());
    return { padding: o.i8(0), strideW: o.i32(1), strideH: o.i32(2), activation: o.i8(3), dilationW: o.i32(4, 1), dilationH: o.i32(5, 1) };
  }

  depthwiseConv2d(): { padding: number; strideW: number; strideH: number; depthMultiplier: number; activation: number; dilationW: number; dilationH: number } {
    const o = new Options(this.bb, this.options());
    return { padding: o.i8(0), strideW: o.i32(1), strideH: o.i32(2), depthMultiplier: o.i32(3), activation: o.i8(4), dilationW: o.i32(5, 1), dilationH: o.i32(6, 1) };
  }

  pool2d(): { padding: number; strideW: number; strideH: number; filterW: number; filterH: number; activation: number } {
    const o = new Options(this.bb, this.options());
    return { padding: o.i8(0), strideW: o.i32(1), strideH: o.i32(2), filterW: o.i32(3), filterH: o.i32(4), activation: o.i8(5) };
  }

  /** AddOptions { fused_activation_function }. */
  add(): { activation: number } {
    return { activation: new Options(this.bb, this.options()).i8(0) };
  }
}

/** table Buffer { data: [ubyte]; offset: ulong; size: ulong } (offset/size: data after the flatbuffer, in files over 2 GB). */
export class Buffer extends Table {
  data(): Uint8Array { return this.bytes(0); }
  offset(): number { return Number(this.uint64(1)); }
  size(): number { return Number(this.uint64(2)); }
}

/** Any options table; an absent one reads as all defaults, as flatbuffers does. */
class Options extends Table {
  constructor(bb: ByteBuffer, pos: number | null) {
    super(bb, pos ?? -1);
  }

  protected override off(field: number): number {
    return this.pos === -1 ? 0 : super.off(field);
  }

  i8(field: number, dflt = 0): number { return this.int8(field, dflt); }
  i32(field: number, dflt = 0): number { return this.int32(field, dflt); }
}
