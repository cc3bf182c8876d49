// The pure logic of the pinned hub downloads (workers/contracts/hub.ts) and its test-only
// override; the downloads themselves are driven end to end in tests/e2e/hub.spec.ts.
import { describe, expect, it } from 'vitest';
import { findCard } from '../../models/registry';
import { engineOptions } from '../../workers/contracts/plan';
import { fitsDevice, hubPinFor, rangeAnswer, rateOf, sizeMismatch } from '../../workers/contracts/hub';
import { formatEta, formatMB } from '../../src/lib/zoo-format';

const v3 = findCard('mobilenet-v3-large-imagenet');
const vgg = findCard('vgg16-imagenet');
const SHA = 'a'.repeat(64);

describe('hubPinFor', () => {
  it("is the card's pin, at huggingface.co", () => {
    expect(hubPinFor(v3)).toEqual({ url: 'https://huggingface.co/timm/mobilenetv3_large_100.ra_in1k/resolve/main/model.safetensors', sha256: v3.weights.sha256, bytes: 22_058_321, approx: false });
    expect(hubPinFor(findCard('lenet5-modern-mnist'))).toBeNull();
  });

  it('takes the test override only for another host, and only with ?faults', () => {
    const o = engineOptions(`?faults&hub=https://weights.hf.co&pin=${v3.id}:${SHA}:1234&pin=bad:xyz:1`).hub!;
    expect(o).toEqual({ origin: 'https://weights.hf.co', pins: { [v3.id]: { sha256: SHA, bytes: 1234 } } });
    expect(hubPinFor(v3, o)).toEqual({ url: 'https://weights.hf.co/timm/mobilenetv3_large_100.ra_in1k/resolve/main/model.safetensors', sha256: SHA, bytes: 1234, approx: false });
    // Pointed at the real hub, the override changes nothing: a user's download is always the card's pin.
    expect(hubPinFor(v3, { ...o, origin: 'https://huggingface.co' })).toEqual(hubPinFor(v3));
    expect(engineOptions(`?hub=https://weights.hf.co&pin=${v3.id}:${SHA}:1234`).hub).toBeUndefined();
  });
});

describe('sizes', () => {
  it('an exact pin wants exactly its bytes; a rounded one within 2%', () => {
    expect(sizeMismatch(hubPinFor(v3)!, 22_058_321)).toBeNull();
    expect(sizeMismatch(hubPinFor(v3)!, 22_058_320)).toMatch(/is 22,058,320 bytes, but the pinned file is 22,058,321/);
    expect(sizeMismatch(hubPinFor(vgg)!, 553_400_000)).toBeNull();
    expect(sizeMismatch(hubPinFor(vgg)!, 10_000)).toMatch(/pinned file is about 553,000,000/);
    expect(sizeMismatch(hubPinFor(vgg)!, 0)).toBeNull(); // unknown until the body ends
  });

  it('fits when twice the file, less what arrived, is free', () => {
    expect(fitsDevice(100, 0, { usage: 0, quota: 200 })).toEqual({ fits: true, needed: 200, free: 200 });
    expect(fitsDevice(100, 0, { usage: 1, quota: 200 }).fits).toBe(false);
    expect(fitsDevice(100, 50, { usage: 60, quota: 210 }).fits).toBe(true);
    expect(fitsDevice(vgg.weights.bytes, 0, { usage: 0, quota: 1e9 }).fits).toBe(false);
    expect(fitsDevice(100, 0, null)).toEqual({ fits: true, needed: 200, free: null });
  });
});

describe('rangeAnswer', () => {
  it('206 from the byte asked for resumes; 200 restarts; anything else is an error', () => {
    expect(rangeAnswer(1000, 206, 'bytes 1000-4999/5000', 4000)).toEqual({ kind: 'resume', total: 5000 });
    // Content-Range hidden by CORS: the length tells the total.
    expect(rangeAnswer(1000, 206, null, 4000)).toEqual({ kind: 'resume', total: 5000 });
    expect(rangeAnswer(1000, 200, null, 5000)).toEqual({ kind: 'restart', total: 5000 });
    expect(rangeAnswer(1000, 206, 'bytes 0-4999/5000', 5000)).toEqual({ kind: 'error', message: 'bytes from 0 where 1000 were asked for' });
    expect(rangeAnswer(1000, 416, null, 0).kind).toBe('error');
    expect(rangeAnswer(1000, 206, 'nonsense', 1).kind).toBe('error');
  });
});

describe('rate and time left', () => {
  it('from the first and last sample of the window', () => {
    expect(rateOf([[0, 0], [500, 1e6], [1000, 2e6]])).toBe(2e6);
    expect(rateOf([[0, 0]])).toBe(0);
    expect(formatEta(0, 10e6, 2e6)).toBe('5 s');
    expect(formatEta(0, 130e6, 1e6)).toBe('2 min 10 s');
    expect(formatEta(5, 5, 1)).toBe('');
    expect(formatMB(22_058_321)).toBe('22 MB');
    expect(formatMB(9_800_000)).toBe('9.8 MB');
  });
});
