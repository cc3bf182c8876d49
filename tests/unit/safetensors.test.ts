import { describe, expect, it } from 'vitest';
import { parseSafetensors, writeSafetensors, SafetensorsError } from '../../models/safetensors';

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
});
