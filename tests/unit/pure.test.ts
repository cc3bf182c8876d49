import { describe, expect, it } from 'vitest';
import { Rolling, formatBytes, formatInt } from '../../src/lib/stats';
import { cameraErrorMessage, fileRejection } from '../../src/lib/errors';
import { FrameGate } from '../../src/lib/bridge';
import { classifyDeadline, engineOptions, planBackends, planFrameImport, planRecovery, planRestart, planThreads, WATCHDOG } from '../../workers/contracts/plan';
import { failureOf, GPU_LOST, namedError, WORKER_DIED, WORKER_HUNG } from '../../workers/contracts/inference-protocol';
import type { ClassifyResult, InferenceBackend } from '../../workers/contracts/inference-protocol';
import { cropFor, workerCropFor } from '../../workers/contracts/geometry';
import { topK } from '../../workers/inference/topk';
import { parseCifarRecords, RECORD_BYTES } from '../../workers/train/cifar10';
import { rgbToI420, writeY4M, placeCentered } from '../../tools/y4m';
import type { Preprocess } from '../../models/card';

describe('Rolling', () => {
  it('gives nearest-rank percentiles over the last N samples', () => {
    const r = new Rolling(100);
    for (let i = 1; i <= 100; i++) r.push(i);
    expect(r.percentile(50)).toBe(50);
    expect(r.percentile(95)).toBe(95);
    r.push(1000); // evicts 1
    expect(r.size).toBe(100);
    expect(r.percentile(100)).toBe(1000);
    expect(r.percentile(0)).toBe(2);
  });
  it('computes a rate from timestamps', () => {
    const r = new Rolling(10);
    [0, 100, 200, 300].forEach((t) => r.push(t));
    expect(r.rate()).toBeCloseTo(10);
    expect(new Rolling().percentile(50)).toBeNaN();
  });
  it('formats bytes', () => {
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MiB');
    expect(formatBytes(undefined)).toBe('n/a');
  });
});

describe('FrameGate', () => {
  it('keeps one job in flight and drops, never queues, the rest', async () => {
    const g = new FrameGate();
    let release!: () => void;
    const first = g.offer(() => new Promise<void>((r) => (release = r)));
    expect(first).not.toBeNull();
    expect(g.offer(async () => {})).toBeNull();
    expect(g.offer(async () => {})).toBeNull();
    expect(g.dropped).toBe(2);
    release();
    await first;
    expect(g.inFlight).toBe(false);
    expect(g.offer(async () => 1)).not.toBeNull();
  });
  it('frees the gate when a job fails', async () => {
    const g = new FrameGate();
    await expect(g.offer(async () => { throw new Error('x'); })).rejects.toThrow('x');
    expect(g.inFlight).toBe(false);
  });
});

describe('messages', () => {
  it('explains camera errors', () => {
    expect(cameraErrorMessage({ name: 'NotAllowedError' })).toMatch(/permission was denied/);
    expect(cameraErrorMessage({ name: 'NotFoundError' })).toMatch(/No camera/);
    expect(cameraErrorMessage(new Error('boom'))).toMatch(/boom/);
  });
  it('rejects files that are not images', () => {
    expect(fileRejection({ name: 'notes.txt', type: 'text/plain', size: 10 })).toMatch(/not an image/);
    expect(fileRejection({ name: 'x.png', type: '', size: 0 })).toMatch(/empty/);
    expect(fileRejection({ name: 'cat.jpg', type: 'image/jpeg', size: 10 })).toBeNull();
    expect(fileRejection({ name: 'cat.webp', type: '', size: 10 })).toBeNull();
  });
});

describe('backend plan', () => {
  it('tries webgpu, webgl, wasm, cpu by default', () => {
    expect(planBackends().order).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });
  it('puts a forced backend first and keeps the fallbacks', () => {
    expect(planBackends('wasm').order).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
  });
  it('says when a name is unknown', () => {
    const p = planBackends('tpu');
    expect(p.order[0]).toBe('webgpu');
    expect(p.note).toMatch(/Unknown backend "tpu"/);
  });
  it('leaves out backends to avoid, even a forced one', () => {
    expect(planBackends(undefined, ['webgpu']).order).toEqual(['webgl', 'wasm', 'cpu']);
    expect(planBackends('webgpu', ['webgpu']).order).toEqual(['webgl', 'wasm', 'cpu']);
    expect(planBackends('wasm', ['webgpu']).order).toEqual(['wasm', 'webgl', 'cpu']);
  });
});

describe('recovery from a lost GPU device', () => {
  const texture = { name: 'webgpu' as const, frameImport: { mode: 'external-texture' as const } };
  const bitmap = { name: 'webgpu' as const, frameImport: { mode: 'bitmap' as const } };
  it('first drops the VideoFrame import and keeps WebGPU', () => {
    const p = planRecovery(texture, { backend: 'webgpu', frameImport: 'external-texture' });
    expect(p?.engine).toEqual({ backend: 'webgpu', frameImport: 'bitmap', frameImportReason: 'the WebGPU device was lost while camera frames were imported as textures' });
  });
  it('then leaves WebGPU, keeping what the URL asked otherwise', () => {
    const p = planRecovery(bitmap, { frameImport: 'bitmap' });
    expect(p?.engine).toEqual({ frameImport: 'bitmap', avoid: ['webgpu'] });
    expect(planBackends(p?.engine.backend, p?.engine.avoid).order[0]).toBe('webgl');
  });
  it('ends: a backend that is not webgpu has no device to lose', () => {
    expect(planRecovery({ ...bitmap, name: 'webgl' }, { avoid: ['webgpu'] })).toBeNull();
  });
});

describe('restart after a hung or dead worker', () => {
  const wasm = { name: 'wasm' as const, frameImport: { mode: 'bitmap' as const } };
  it('restarts on the same engine the first time', () => {
    expect(planRestart(wasm, { backend: 'wasm' }, 'hung', 0)).toEqual({ engine: { backend: 'wasm' }, change: '' });
    expect(planRestart(wasm, {}, 'died', 0)?.engine).toEqual({});
  });
  it('leaves the backend when the same failure comes back', () => {
    const p = planRestart(wasm, { backend: 'wasm' }, 'hung', 1);
    expect(p?.engine.avoid).toEqual(['wasm']);
    expect(p?.change).toBe('wasm is no longer used on this page');
    expect(planBackends(p?.engine.backend, p?.engine.avoid).order).toEqual(['webgpu', 'webgl', 'cpu']);
  });
  it('gives up on cpu, the last backend', () => {
    expect(planRestart({ ...wasm, name: 'cpu' }, {}, 'died', 1)).toBeNull();
  });
  it('follows the GPU plan for a lost device', () => {
    expect(planRestart({ name: 'webgpu', frameImport: { mode: 'bitmap' } }, {}, 'gpu-lost', 5)?.engine).toEqual({ avoid: ['webgpu'] });
  });
  it('knows the failures by error name, and nothing else', () => {
    expect(failureOf(namedError(GPU_LOST, 'x'))).toBe('gpu-lost');
    expect(failureOf(namedError(WORKER_HUNG, 'x'))).toBe('hung');
    expect(failureOf(namedError(WORKER_DIED, 'x'))).toBe('died');
    expect(failureOf(new Error('x'))).toBeNull();
    expect(failureOf(new DOMException('x', 'AbortError'))).toBeNull();
  });
});

describe('classify watchdog', () => {
  it('gives the first, compiling call the fixed floor', () => {
    expect(classifyDeadline(NaN, 0).ms).toBe(WATCHDOG.firstMs);
  });
  it('is a multiple of the p95, and never under the minimum', () => {
    expect(classifyDeadline(2000, 10).ms).toBe(WATCHDOG.multiple * 2000);
    expect(classifyDeadline(3, 10).ms).toBe(WATCHDOG.minMs);
    expect(classifyDeadline(2000, 10).why).toMatch(/10 × this model's p95 of 2000 ms/);
  });
});

describe('wasm threads and the engine options from the URL', () => {
  it('defaults to all cores but one, at least 1', () => {
    expect(planThreads(undefined, 8).threads).toBe(7);
    expect(planThreads(undefined, 2).threads).toBe(1);
    expect(planThreads(undefined, 1).threads).toBe(1);
    expect(planThreads(undefined, undefined).threads).toBe(1);
  });
  it('honours a count asked for, and says why it ignores a bad one', () => {
    expect(planThreads(2, 2)).toEqual({ threads: 2, why: 'as asked by ?threads=2' });
    expect(planThreads(0, 4).threads).toBe(3);
    expect(planThreads(1.5, 4).why).toMatch(/not a positive whole number/);
  });
  it('reads ?backend, ?frameImport, ?threads and ?faults', () => {
    expect(engineOptions('?backend=wasm&threads=2&faults')).toEqual({ backend: 'wasm', frameImport: undefined, threads: 2, faults: true });
    expect(engineOptions('').faults).toBeUndefined();
  });
});

describe('frame import plan', () => {
  const gpu = { backend: 'webgpu' as const, videoFrame: true, fallbackAdapter: false };
  it('imports VideoFrames on a hardware WebGPU adapter', () => {
    expect(planFrameImport(gpu).mode).toBe('external-texture');
  });
  it('sends bitmaps on a software adapter, other backends, or without VideoFrame', () => {
    expect(planFrameImport({ ...gpu, fallbackAdapter: true }).mode).toBe('bitmap');
    expect(planFrameImport({ ...gpu, backend: 'wasm' }).mode).toBe('bitmap');
    expect(planFrameImport({ ...gpu, videoFrame: false }).mode).toBe('bitmap');
  });
  it('follows ?frameImport= where it can apply, and says why where it cannot', () => {
    expect(planFrameImport({ ...gpu, fallbackAdapter: true, requested: 'external-texture' }).mode).toBe('external-texture');
    expect(planFrameImport({ ...gpu, requested: 'bitmap' }).mode).toBe('bitmap');
    const wasm = planFrameImport({ ...gpu, backend: 'wasm', requested: 'external-texture' });
    expect(wasm.mode).toBe('bitmap');
    expect(wasm.why).toContain('cannot apply');
  });
  it("says why a restart asked for bitmaps, in its words rather than the URL's", () => {
    expect(planFrameImport({ ...gpu, requested: 'bitmap', reason: 'the device was lost' }).why).toBe('the device was lost');
    const texture = { name: 'webgpu' as const, frameImport: { mode: 'external-texture' as const } };
    const engine = planRecovery(texture, {})!.engine;
    expect(planFrameImport({ ...gpu, requested: engine.frameImport, reason: engine.frameImportReason }).why).toMatch(/device was lost while camera frames were imported/);
  });
  it('names the choices for an unknown value and keeps the default', () => {
    const p = planFrameImport({ ...gpu, requested: 'zero-copy' });
    expect(p.mode).toBe('external-texture');
    expect(p.why).toContain('external-texture or bitmap');
  });
});

describe('crop geometry', () => {
  const p: Preprocess = { size: [32, 32], resize: 'center-crop', cropFraction: 1, mean: [0, 0, 0], std: [1, 1, 1] };
  it('takes the centred square of a landscape frame and pre-pools', () => {
    expect(cropFor(640, 480, p)).toEqual({ top: 0, left: 80, height: 480, width: 480, pool: 7 });
  });
  it('applies crop fraction (timm crop_pct)', () => {
    const c = cropFor(256, 256, { ...p, size: [224, 224], cropFraction: 0.875 });
    expect(c.width).toBe(224);
    expect(c.top).toBe(16);
    expect(c.pool).toBe(1);
  });
  it('squash keeps the whole frame', () => {
    expect(cropFor(640, 480, { ...p, resize: 'squash' })).toMatchObject({ top: 0, left: 0, width: 640, height: 480 });
  });
  it('the worker uses a frame the UI already cropped and resized as it is, not cropping it twice', () => {
    const timm = { ...p, size: [224, 224] as [number, number], cropFraction: 0.875 };
    expect(cropFor(224, 224, timm).width).toBe(196);
    expect(workerCropFor(224, 224, timm, 'model-input')).toEqual({ top: 0, left: 0, height: 224, width: 224, pool: 1 });
    expect(workerCropFor(640, 480, p, 'whole-frame')).toEqual(cropFor(640, 480, p));
  });
  it('crops a whole camera frame even at the input size, as the UI would have', () => {
    const timm = { ...p, size: [224, 224] as [number, number], cropFraction: 0.875 };
    expect(workerCropFor(224, 224, timm, 'whole-frame')).toEqual(cropFor(224, 224, timm));
  });
});

describe('topK', () => {
  it('orders by value, ties by index', () => {
    expect(topK([0.1, 0.5, 0.2, 0.5], 3).map((x) => x.index)).toEqual([1, 3, 2]);
  });
});

describe('CIFAR-10 records', () => {
  it('parses label and planar RGB into interleaved pixels', () => {
    const rec = new Uint8Array(RECORD_BYTES * 2);
    rec[0] = 3;
    rec[1] = 10; // red of pixel 0
    rec[1025] = 20; // green of pixel 0
    rec[2049] = 30; // blue of pixel 0
    rec[RECORD_BYTES] = 9;
    const { labels, pixels } = parseCifarRecords(rec);
    expect([...labels]).toEqual([3, 9]);
    expect([...pixels.subarray(0, 3)]).toEqual([10, 20, 30]);
  });
  it('rejects truncated files and bad labels', () => {
    expect(() => parseCifarRecords(new Uint8Array(RECORD_BYTES + 5))).toThrow(/truncated/);
    const bad = new Uint8Array(RECORD_BYTES);
    bad[0] = 12;
    expect(() => parseCifarRecords(bad)).toThrow(/label 12/);
  });
});

describe('Y4M', () => {
  it('writes a header and I420 frames', () => {
    const white = new Uint8Array(4 * 2 * 3).fill(255);
    const y4m = writeY4M([white, white], 4, 2, 5);
    const text = new TextDecoder().decode(y4m.subarray(0, 44));
    expect(text.startsWith('YUV4MPEG2 W4 H2 F5:1 Ip A1:1 C420jpeg\nFRAME\n')).toBe(true);
    expect(y4m.length).toBe(text.indexOf('FRAME') + 2 * (6 + 12));
    const i420 = rgbToI420(white, 4, 2);
    expect(i420[0]).toBe(235); // limited-range white
    expect(i420[8]).toBe(128); // neutral chroma
  });
  it('centres an upscaled image', () => {
    const img = new Uint8Array(2 * 2 * 3).fill(200);
    const f = placeCentered(img, 2, 2, 4, 8, 4);
    expect(f[0]).toBe(128);
    expect(f[(0 * 8 + 2) * 3]).toBe(200);
  });
});

describe('formatInt', () => {
  it('groups thousands as toLocaleString("en") does', () => {
    for (const n of [0, 7, 999, 1000, 65_536, 775_192, 1_234_567, 25_557_032, -4_200, 2 ** 40]) expect(formatInt(n)).toBe(n.toLocaleString('en'));
  });
});
