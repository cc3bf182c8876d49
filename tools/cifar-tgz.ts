// Builds cifar-10-binary.tar.gz-shaped archives from slices of the shared CIFAR-10 files,
// for the training tests and the headless trainer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CIFAR_DIR } from './app-harness';

const RECORD = 3073;

/** The first `train` training images (across data_batch_1..5) and the first `test` test images; 0: all. */
export function cifarTarGz(train: number, test: number): Uint8Array {
  const files: { name: string; data: Uint8Array }[] = [];
  let left = train || Infinity;
  for (let b = 1; b <= 5 && left > 0; b++) {
    const all = readFileSync(join(CIFAR_DIR, `data_batch_${b}.bin`));
    const n = Math.min(left, all.length / RECORD);
    files.push({ name: `cifar-10-batches-bin/data_batch_${b}.bin`, data: all.subarray(0, n * RECORD) });
    left -= n;
  }
  const t = readFileSync(join(CIFAR_DIR, 'test_batch.bin'));
  files.push({ name: 'cifar-10-batches-bin/test_batch.bin', data: t.subarray(0, (test || t.length / RECORD) * RECORD) });
  files.push({ name: 'cifar-10-batches-bin/batches.meta.txt', data: new TextEncoder().encode('airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n') });
  // A plain Uint8Array: Buffer.slice would share memory, and tests corrupt copies.
  return new Uint8Array(gzipSync(tar(files), { level: 1 }));
}

const BLOCK = 512;

/** Builds a ustar archive (the app only reads them: workers/train/tar.ts). */
export function tar(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const f of files) {
    const h = new Uint8Array(BLOCK);
    h.set(enc.encode(f.name).subarray(0, 100), 0);
    const field = (off: number, len: number, v: number) => h.set(enc.encode(v.toString(8).padStart(len - 1, '0')), off);
    field(100, 8, 0o644);
    field(108, 8, 0);
    field(116, 8, 0);
    field(124, 12, f.data.byteLength);
    field(136, 12, 0);
    h[156] = 48; // '0'
    h.set(enc.encode('ustar\x0000'), 257);
    h.fill(32, 148, 156);
    const sum = h.reduce((a, b) => a + b, 0);
    h.set(enc.encode(sum.toString(8).padStart(6, '0') + '\0 '), 148);
    parts.push(h, f.data, new Uint8Array((BLOCK - (f.data.byteLength % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}
