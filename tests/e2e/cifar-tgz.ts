// Builds cifar-10-binary.tar.gz-shaped archives from slices of the shared CIFAR-10 files,
// for the training tests and the headless trainer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tar } from '../../workers/train/tar';
import { CIFAR_DIR } from './harness';

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
