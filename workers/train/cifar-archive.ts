// Reads the official cifar-10-binary.tar.gz (or a slice of it with the same layout):
// gunzip with DecompressionStream, untar entry by entry, check every batch file.
import { parseCifarRecords, RECORD_BYTES, type CifarBatch } from './cifar10';
import { ArchiveError, untar } from './tar';
import { DownloadError } from '../store/download';

export interface CifarArchive {
  /** data_batch_1..5, in order. */
  train: CifarBatch[];
  test: CifarBatch[];
}

const TRAIN = /(^|\/)data_batch_([1-5])\.bin$/;
const TEST = /(^|\/)test_batch\.bin$/;

/**
 * gzip errors from DecompressionStream are bare TypeErrors; say what they mean. A failed
 * download says so itself, and a cancelled one (the stream errors with the AbortError) stays
 * a cancellation.
 */
function gzipError(e: unknown): Error {
  if (e instanceof ArchiveError || e instanceof DownloadError) return e;
  if ((e as Error)?.name === 'AbortError') return e as Error;
  return new ArchiveError(
    `The file is not a valid .tar.gz or is damaged (${(e as Error)?.message || 'decompression failed'}). Use the official cifar-10-binary.tar.gz.`,
  );
}

export async function readCifarArchive(gz: ReadableStream<Uint8Array>, onBytes?: (n: number) => void): Promise<CifarArchive> {
  let counted = gz;
  if (onBytes) {
    let n = 0;
    counted = gz.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, c) {
          n += chunk.byteLength;
          onBytes(n);
          c.enqueue(chunk);
        },
      }),
    );
  }
  const train = new Map<number, CifarBatch>();
  const test: CifarBatch[] = [];
  // lib.dom types DecompressionStream's writable as BufferSource; the cast is safe.
  const tarStream = counted.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  try {
    for await (const entry of untar(tarStream)) {
      if (entry.type !== '0') continue;
      const t = TRAIN.exec(entry.name);
      const isTest = TEST.test(entry.name);
      if (!t && !isTest) continue; // batches.meta.txt, readme.html
      if (entry.data.byteLength === 0 || entry.data.byteLength % RECORD_BYTES) {
        throw new ArchiveError(`${entry.name} is ${entry.data.byteLength} bytes, not whole ${RECORD_BYTES}-byte CIFAR-10 records: the archive is damaged.`);
      }
      let batch: CifarBatch;
      try {
        batch = parseCifarRecords(entry.data);
      } catch (e) {
        throw new ArchiveError(`${entry.name}: ${(e as Error).message}`);
      }
      if (t) train.set(Number(t[2]), batch);
      else test.push(batch);
    }
  } catch (e) {
    throw gzipError(e);
  }
  if (!train.size || !test.length) {
    throw new ArchiveError('This archive has no CIFAR-10 binary batches (data_batch_N.bin and test_batch.bin). Use cifar-10-binary.tar.gz, not the Python or MATLAB version.');
  }
  return { train: [...train.keys()].sort().map((k) => train.get(k)!), test };
}
