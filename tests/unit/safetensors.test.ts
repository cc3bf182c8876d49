import { describe, expect, it } from 'vitest';
import { firstNonFinite, parseSafetensors, writeSafetensors, SafetensorsError } from '../../models/safetensors';

function sample(): ArrayBuffer {
  return writeSafetensors({ a: { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }, b: { shape: [1], data: Float32Array.from([-7.5]) } }, { k: 'v' });
}

function withHeader(header: object, data: Uint8Array): ArrayBuffer {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out.buffer;
}

describe('safetensors', () => {
  it('round-trips float32 tensors and metadata', () => {
    const p = parseSafetensors(sample());
    expect(p.tensors.get('a')!.shape).toEqual([2, 3]);
    expect([...p.tensors.get('a')!.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(p.tensors.get('b')!.data[0]).toBe(-7.5);
    expect(p.metadata).toEqual({ k: 'v' });
  });
  it('decodes F16 and BF16', () => {
    // 1.0, -2.0, 65504, 2^-24 in fp16; 1.0 and -3.0 in bf16
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001]).buffer);
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer);
    const data = new Uint8Array(12);
    data.set(f16, 0);
    data.set(bf16, 8);
    const p = parseSafetensors(withHeader({ h: { dtype: 'F16', shape: [4], data_offsets: [0, 8] }, b: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] } }, data));
    expect([...p.tensors.get('h')!.data]).toEqual([1, -2, 65504, 2 ** -24]);
    expect([...p.tensors.get('b')!.data]).toEqual([1, -3]);
  });
  it('says clearly when a file is truncated', () => {
    const full = sample();
    expect(() => parseSafetensors(full.slice(0, full.byteLength - 4))).toThrow(/truncated/);
  });
  it('rejects a file that is not safetensors', () => {
    expect(() => parseSafetensors(new TextEncoder().encode('<html>not found</html>').buffer as ArrayBuffer)).toThrow(SafetensorsError);
    expect(() => parseSafetensors(new Uint8Array(4).buffer)).toThrow(/shorter/);
  });
  it('rejects shapes that do not match their byte ranges', () => {
    expect(() => parseSafetensors(withHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)))).toThrow(/do not hold shape/);
  });

  // The format's rules (issue 18, item 7): each violation gets its own message.
  const f32 = (n: number) => ({ dtype: 'F32', shape: [n] });
  it('refuses a header entry that is not an object', () => {
    expect(() => parseSafetensors(withHeader({ a: null }, new Uint8Array(0)))).toThrow(/Tensor a: its header entry is not an object/);
    expect(() => parseSafetensors(withHeader({ a: 3 }, new Uint8Array(0)))).toThrow(/Tensor a: its header entry is not an object/);
  });
  it('refuses an unknown dtype by name', () => {
    expect(() => parseSafetensors(withHeader({ a: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)))).toThrow(/Tensor a: unsupported dtype F8_E4M3/);
  });
  it('refuses overlapping data ranges', () => {
    const h = { a: { ...f32(2), data_offsets: [0, 8] }, b: { ...f32(2), data_offsets: [0, 8] } };
    expect(() => parseSafetensors(withHeader(h, new Uint8Array(16)))).toThrow(/Tensor b: its data starts at byte 0, inside the previous tensor's bytes \(which end at 8\): the ranges overlap/);
  });
  it('refuses a gap between data ranges, and bytes after the last one', () => {
    const gap = { a: { ...f32(1), data_offsets: [0, 4] }, b: { ...f32(1), data_offsets: [8, 12] } };
    expect(() => parseSafetensors(withHeader(gap, new Uint8Array(12)))).toThrow(/Tensor b: its data starts at byte 8, but the previous tensor's bytes end at 4: 4 bytes lie unused between them/);
    const tail = { a: { ...f32(1), data_offsets: [0, 4] } };
    expect(() => parseSafetensors(withHeader(tail, new Uint8Array(12)))).toThrow(/8 bytes after the last tensor belong to none/);
    const late = { a: { ...f32(1), data_offsets: [4, 8] } };
    expect(() => parseSafetensors(withHeader(late, new Uint8Array(8)))).toThrow(/Tensor a: its data starts at byte 4, but the previous tensor's bytes end at 0/);
  });
  it('accepts contiguous ranges listed in any order', () => {
    const h = { b: { ...f32(1), data_offsets: [4, 8] }, a: { ...f32(1), data_offsets: [0, 4] } };
    expect([...parseSafetensors(withHeader(h, new Uint8Array(8))).tensors.keys()].sort()).toEqual(['a', 'b']);
  });
  it('names an empty file, an HTML page and a PNG for what they are, and an exact header length', () => {
    expect(() => parseSafetensors(new ArrayBuffer(0))).toThrow('Not a safetensors file: the file is empty.');
    const html = new TextEncoder().encode('<!doctype html><html><head><title>404</title></head></html>').buffer as ArrayBuffer;
    expect(() => parseSafetensors(html)).toThrow('Not a safetensors file: it looks like an HTML page (a web page instead of the weights?).');
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]).buffer;
    expect(() => parseSafetensors(png)).toThrow('Not a safetensors file: it looks like a PNG image.');
    const big = new Uint8Array(16);
    new DataView(big.buffer).setBigUint64(0, 8104636974849335123n, true);
    big[0] = 0x53; // a first byte that is not '<' or a PNG signature
    expect(() => parseSafetensors(big.buffer)).toThrow(/header length \d+ does not fit a 16-byte file/);
    expect(() => parseSafetensors(big.buffer)).toThrow(String(new DataView(big.buffer).getBigUint64(0, true)));
  });
  it("parses a real file whose header length's first byte happens to be '<'", () => {
    const entry = { a: { ...f32(1), data_offsets: [0, 4] } };
    const json = JSON.stringify(entry);
    const padded = { ...entry, __metadata__: { pad: 'x'.repeat(316 - json.length - ',"__metadata__":{"pad":""}'.length) } };
    const buf = withHeader(padded, new Uint8Array(4));
    expect(new Uint8Array(buf)[0]).toBe(0x3c);
    expect(parseSafetensors(buf).tensors.get('a')!.shape).toEqual([1]);
  });
  it('finds the first tensor that is not finite, for the importers to refuse (issue 18, item 5)', () => {
    const ok = parseSafetensors(sample());
    expect(firstNonFinite(ok)).toBeNull();
    const bad = parseSafetensors(writeSafetensors({ w: { shape: [3], data: Float32Array.of(1, NaN, 2) }, v: { shape: [1], data: Float32Array.of(Infinity) } }));
    expect(firstNonFinite(bad)).toEqual({ name: 'w', index: 1, value: NaN });
  });
});
