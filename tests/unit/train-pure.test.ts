// Pure pieces of on-device training: the tar reader, the CIFAR archive checks, LR
// schedules, freeze stages, shuffling.
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { ArchiveError, tarNumber, untar } from '../../workers/train/tar';
import { tar } from '../../tools/cifar-tgz';
import { readCifarArchive } from '../../workers/train/cifar-archive';
import { learningRate } from '../../workers/train/schedule';
import { isFrozen, stagesOf } from '../../workers/train/stages';
import { rng, shuffled } from '../../workers/train/trainer';

const streamOf = (b: Uint8Array, chunk = 1000) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < b.length; i += chunk) c.enqueue(b.slice(i, i + chunk));
      c.close();
    },
  });

function records(labels: number[]): Uint8Array {
  const b = new Uint8Array(labels.length * 3073);
  labels.forEach((l, i) => {
    b[i * 3073] = l;
    b.fill(l * 10, i * 3073 + 1, (i + 1) * 3073);
  });
  return b;
}

const cifarTar = () =>
  tar([
    { name: 'cifar-10-batches-bin/batches.meta.txt', data: new TextEncoder().encode('airplane\n') },
    { name: 'cifar-10-batches-bin/data_batch_2.bin', data: records([3, 4]) },
    { name: 'cifar-10-batches-bin/data_batch_1.bin', data: records([0, 1, 2]) },
    { name: 'cifar-10-batches-bin/test_batch.bin', data: records([9]) },
  ]);

describe('tar', () => {
  it('reads what it writes, in small chunks, with names and contents', async () => {
    const files = [
      { name: 'a.txt', data: new TextEncoder().encode('hello') },
      { name: 'dir/b.bin', data: new Uint8Array(1500).map((_, i) => i % 251) },
    ];
    const got = [];
    for await (const e of untar(streamOf(tar(files), 77))) got.push(e);
    expect(got.map((e) => e.name)).toEqual(['a.txt', 'dir/b.bin']);
    expect([...got[1]!.data]).toEqual([...files[1]!.data]);
  });

  it('rejects a truncated archive and a damaged header', async () => {
    const t = tar([{ name: 'x', data: new Uint8Array(2000) }]);
    const drain = async (b: Uint8Array) => {
      for await (const e of untar(streamOf(b))) void e;
    };
    await expect(drain(t.subarray(0, 1200))).rejects.toThrow(/truncated/);
    const bad = t.slice();
    bad[10] = 65;
    await expect(drain(bad)).rejects.toThrow(ArchiveError);
    await expect(drain(new TextEncoder().encode('not a tar'.repeat(100)))).rejects.toThrow(/not a tar archive/);
  });

  it('parses octal and base-256 numbers', () => {
    expect(tarNumber(new TextEncoder().encode('00000001750\0'))).toBe(1000);
    expect(tarNumber(Uint8Array.from([0x80, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0]))).toBe(2 * 65536);
  });
});

describe('CIFAR-10 archive', () => {
  it('gunzips, untars and orders the batches', async () => {
    const a = await readCifarArchive(streamOf(gzipSync(cifarTar())));
    expect(a.train.map((b) => [...b.labels])).toEqual([[0, 1, 2], [3, 4]]);
    expect([...a.test[0]!.labels]).toEqual([9]);
    expect(a.train[0]!.pixels[3072 + 5]).toBe(10);
  });

  it('gives a clear error for a corrupt, truncated or wrong file', async () => {
    const gz = new Uint8Array(gzipSync(cifarTar())); // a copy: Buffer.slice shares memory
    const corrupt = gz.slice();
    corrupt[Math.floor(gz.length / 2)]! ^= 0xff;
    await expect(readCifarArchive(streamOf(corrupt))).rejects.toThrow(/not a valid \.tar\.gz or is damaged|damaged/);
    await expect(readCifarArchive(streamOf(gz.subarray(0, gz.length - 30)))).rejects.toThrow(ArchiveError);
    await expect(readCifarArchive(streamOf(new TextEncoder().encode('hello')))).rejects.toThrow(/not a valid \.tar\.gz/);
    const noBatches = gzipSync(tar([{ name: 'readme.html', data: new Uint8Array(10) }]));
    await expect(readCifarArchive(streamOf(noBatches))).rejects.toThrow(/no CIFAR-10 binary batches/);
    const badLabel = gzipSync(tar([{ name: 'data_batch_1.bin', data: records([12]) }, { name: 'test_batch.bin', data: records([1]) }]));
    await expect(readCifarArchive(streamOf(badLabel))).rejects.toThrow(/label 12/);
  });

  it('a download cancelled while the archive streams stays a cancellation, not a damaged file', async () => {
    const gz = new Uint8Array(gzipSync(cifarTar()));
    const cancelled = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(gz.subarray(0, 40));
        c.error(new DOMException('The call was cancelled.', 'AbortError'));
      },
    });
    await expect(readCifarArchive(cancelled)).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('learning-rate schedules', () => {
  it('one-cycle follows torch OneCycleLR (pct_start 0.3, div 25, final div 1e4)', () => {
    const s = { name: 'one-cycle' as const, lr: 0.1, totalSteps: 100 };
    expect(learningRate(s, 0)).toBeCloseTo(0.004, 9);
    expect(learningRate(s, 29)).toBeCloseTo(0.1, 9);
    expect(learningRate(s, 99)).toBeCloseTo(0.004 / 1e4, 12);
    // torch: step 10 of OneCycleLR(max_lr=0.1, total_steps=100)
    expect(learningRate(s, 10)).toBeCloseTo(0.004 + (0.1 - 0.004) * (1 - Math.cos((Math.PI * 10) / 29)) / 2, 9);
  });

  it('cosine warms up linearly, then decays to zero', () => {
    const s = { name: 'cosine' as const, lr: 1, totalSteps: 100, warmup: 0.1 };
    expect(learningRate(s, 0)).toBeCloseTo(0.1);
    expect(learningRate(s, 9)).toBeCloseTo(1);
    expect(learningRate(s, 10)).toBeCloseTo(1);
    expect(learningRate(s, 55)).toBeCloseTo(0.5);
    expect(learningRate(s, 100)).toBeCloseTo(0);
  });
});

describe('freeze stages', () => {
  it('groups parameters by top-level module or Sequential item, head excluded', () => {
    const names = ['conv1.weight', 'bn1.weight', 'layer1.0.conv1.weight', 'layer1.1.conv1.weight', 'layer2.0.conv1.weight', 'fc.weight', 'fc.bias'];
    const st = stagesOf(names, 'fc');
    expect(st).toEqual(['conv1', 'bn1', 'layer1', 'layer2']);
    expect(isFrozen('layer1.1.conv1.weight', st, 3)).toBe(true);
    expect(isFrozen('layer2.0.conv1.weight', st, 3)).toBe(false);
    expect(isFrozen('fc.weight', st, 4)).toBe(false);
    expect(stagesOf(['features.0.weight', 'features.3.weight', 'classifier.1.weight'], 'classifier.1')).toEqual(['features.0', 'features.3']);
  });

  it('shuffles reproducibly for a seed', () => {
    const a = shuffled(50, rng(1));
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    expect([...shuffled(50, rng(1))]).toEqual([...a]);
    expect([...shuffled(50, rng(2))]).not.toEqual([...a]);
  });
});
