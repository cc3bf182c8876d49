import { describe, expect, it } from 'vitest';
import { firstNonFinite, isInt8Weight, parseSafetensors, quantizeInt8, writeSafetensors, SafetensorsError } from '../../models/safetensors';

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

describe('int8 weights (per output channel, compressed-tensors naming)', () => {
  const rand = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7919 + i * 104729) * (i % 3 === 0 ? 3 : 0.2));
  const tensors = () => ({
    'conv.weight': { shape: [16, 8, 3, 3], data: rand(1152, 1) },
    'conv.bias': { shape: [16], data: rand(16, 2) },
    'fc.weight': { shape: [10, 64], data: rand(640, 3) },
    'bn.weight': { shape: [16], data: rand(16, 4) },
  });

  it('stores conv and linear weights as int8 (a quarter of their bytes) and reads back q * scale, rounded once to float32', () => {
    const f32 = writeSafetensors(tensors());
    const i8 = writeSafetensors(tensors(), {}, { int8: true });
    expect(i8.byteLength).toBeLessThan(f32.byteLength * 0.45);
    const p = parseSafetensors(i8);
    expect([...p.tensors.keys()].sort()).toEqual(['bn.weight', 'conv.bias', 'conv.weight', 'fc.weight']);
    for (const [name, t] of Object.entries(tensors())) {
      const got = p.tensors.get(name)!.data;
      if (!isInt8Weight(name, t.shape)) {
        expect([...got]).toEqual([...t.data]); // biases and norms stay float32, bit for bit
        continue;
      }
      const { q, scale } = quantizeInt8(t);
      const per = t.data.length / t.shape[0]!;
      expect([...got]).toEqual([...q].map((v, i) => Math.fround(v * scale[Math.floor(i / per)]!)));
      // Within half a step of the original, per channel.
      t.data.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(scale[Math.floor(i / per)]! / 2 + 1e-7));
    }
  });

  it('gives the same logits as the dequantised float32 file, exactly', async () => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    const { buildModel } = await import('../../models/builders');
    const { toTfWeights } = await import('../../models/weights');
    const { findCard } = await import('../../models/registry');
    const card = findCard('lenet5-modern-cifar10');
    const model = await buildModel(card);
    const named = Object.fromEntries([...model.namedSpecs()].map(([name, spec], k) => [name, { shape: [...spec.torchShape], data: rand(spec.torchShape.reduce((a, b) => a * b, 1), k + 10) }]));
    // Dequantised by hand, not by the reader: q * scale in float32.
    const dequantised = Object.fromEntries(
      Object.entries(named).map(([n, t]) => {
        if (!isInt8Weight(n, t.shape)) return [n, t];
        const { q, scale } = quantizeInt8(t);
        const per = t.data.length / t.shape[0]!;
        return [n, { shape: t.shape, data: Float32Array.from(q, (v, i) => v * scale[Math.floor(i / per)]!) }];
      }),
    );
    const logits = async (file: ArrayBuffer) => {
      const m = await buildModel(card);
      const w = toTfWeights(m, parseSafetensors(file));
      m.materialize(w);
      w.forEach((t) => t.dispose());
      const x = tf.tidy(() => tf.randomUniform([2, 32, 32, 3], -1, 1, 'float32', 5));
      const y = tf.tidy(() => m.forward(x, { training: false }));
      const out = await y.data();
      tf.dispose([x, y]);
      m.dispose();
      return [...out];
    };
    const a = await logits(writeSafetensors(named, {}, { int8: true }));
    const b = await logits(writeSafetensors(dequantised));
    expect(a).toEqual(b);
    model.dispose();
  });

  it('refuses an int8 tensor without its scales, or with scales of the wrong shape', () => {
    const q = new Uint8Array([1, 2, 3, 4]);
    expect(() => parseSafetensors(withHeader({ 'w.weight': { dtype: 'I8', shape: [2, 2], data_offsets: [0, 4] } }, q))).toThrow(/w.weight is int8 but the file has no w.weight_scale/);
    const data = new Uint8Array(16);
    data.set(q);
    expect(() =>
      parseSafetensors(withHeader({ 'w.weight': { dtype: 'I8', shape: [2, 2], data_offsets: [0, 4] }, 'w.weight_scale': { dtype: 'F32', shape: [3], data_offsets: [4, 16] } }, data)),
    ).toThrow(/w.weight_scale must be F32 of shape \[2\]/);
  });

  it('pads the header to 8 bytes counted in bytes, not characters', () => {
    const buf = writeSafetensors({ a: { shape: [1], data: Float32Array.from([1]) } }, { name: 'ρ = 6/7 · α = 0.75 – “ok”' });
    expect(Number(new DataView(buf).getBigUint64(0, true)) % 8).toBe(0);
    expect(parseSafetensors(buf).metadata.name).toBe('ρ = 6/7 · α = 0.75 – “ok”');
  });
});
