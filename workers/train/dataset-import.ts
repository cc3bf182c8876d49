// CIFAR-10 onto the device: cifar-10-binary.tar.gz from a file or URL, read as it streams,
// checked whole, then stored in one transaction; and sample images for the UI.
import { CIFAR10_LABELS } from '../../models/card';
import type { DatasetInfo, Samples, TrainListener } from '../contracts/train-protocol';
import { CIFAR10, loadSplit, putDataset } from '../store/dataset-store';
import { openDownload } from '../store/download';
import { readCifarArchive } from './cifar-archive';

/** Samples per class from the test split, as RGBA for the UI's canvases. */
export async function samples(perClass: number): Promise<Samples | null> {
  const test = await loadSplit('test', 2000);
  if (!test.labels.length) return null;
  const images: { label: number; rgba: Uint8ClampedArray }[] = [];
  const count = new Array<number>(10).fill(0);
  test.labels.forEach((label, i) => {
    if (count[label]! >= perClass) return;
    count[label]!++;
    const rgba = new Uint8ClampedArray(32 * 32 * 4);
    for (let p = 0; p < 1024; p++) {
      rgba.set(test.pixels.subarray(i * 3072 + p * 3, i * 3072 + p * 3 + 3), p * 4);
      rgba[p * 4 + 3] = 255;
    }
    images.push({ label, rgba });
  });
  return { labels: CIFAR10_LABELS, images };
}

/** Reads cifar-10-binary.tar.gz from a file or URL, checks it whole, then stores it; `signal` cancels. */
export async function importDataset(input: { file?: Blob; url?: string }, baseUrl: string, emit: TrainListener, signal: AbortSignal): Promise<DatasetInfo> {
  let stream: ReadableStream<Uint8Array>;
  let total = 0;
  let source: string;
  if (input.file) {
    stream = input.file.stream();
    total = input.file.size;
    source = (input.file as File).name ?? 'file';
  } else if (input.url) {
    ({ body: stream, total } = await openDownload(input.url, baseUrl, signal));
    source = input.url;
  } else {
    throw new Error('Give a file or a URL to import CIFAR-10 from.');
  }
  // A file's stream is not tied to the signal: the read stops at the next chunk instead.
  const archive = await readCifarArchive(stream, (bytes) => {
    signal.throwIfAborted();
    emit({ type: 'import', stage: 'reading', bytes, total });
  });
  const info = {
    id: CIFAR10,
    trainCount: archive.train.reduce((n, b) => n + b.labels.length, 0),
    testCount: archive.test.reduce((n, b) => n + b.labels.length, 0),
    source,
    importedAt: Date.now(),
  };
  signal.throwIfAborted(); // cancelled: nothing is stored
  emit({ type: 'import', stage: 'storing', bytes: total, total });
  await putDataset(info, archive);
  return info;
}
