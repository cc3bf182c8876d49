// The Teach dataset as one file: JSON with the class names and each sample's JPEG (base64),
// so it opens anywhere and imports back whole. Checked completely before anything is stored.
import type { SampleInfo, TeachClass } from '../contracts/teach-protocol';
import { classNamesProblem } from '../contracts/teach-rules';

export const FORMAT = 'convcam-teach-dataset';

interface FileSample extends Omit<SampleInfo, 'bytes'> {
  jpeg: string;
}

interface DatasetFile {
  format: typeof FORMAT;
  version: 1;
  classes: TeachClass[];
  samples: FileSample[];
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export async function encodeDataset(classes: TeachClass[], samples: (SampleInfo & { image: Blob })[]): Promise<Blob> {
  const file: DatasetFile = { format: FORMAT, version: 1, classes, samples: [] };
  for (const { image, bytes: _bytes, ...info } of samples) {
    const { setId: _s, ...rest } = info as typeof info & { setId?: string };
    file.samples.push({ ...rest, jpeg: toBase64(new Uint8Array(await image.arrayBuffer())) });
  }
  return new Blob([JSON.stringify(file)], { type: 'application/json' });
}

export class DatasetFileError extends Error {
  override name = 'DatasetFileError';
}

/** Parses and checks a dataset file; `isImage` decodes each sample. Throws with the first problem. */
export async function decodeDataset(file: Blob, isImage: (b: Blob) => Promise<boolean>): Promise<{ classes: TeachClass[]; samples: (SampleInfo & { image: Blob })[] }> {
  let data: DatasetFile;
  try {
    data = JSON.parse(await file.text()) as DatasetFile;
  } catch {
    throw new DatasetFileError('This is not a ConvCam Teach dataset file (it is not JSON); nothing was changed.');
  }
  if (data?.format !== FORMAT || !Array.isArray(data.classes) || !Array.isArray(data.samples)) {
    throw new DatasetFileError('This is not a ConvCam Teach dataset file; nothing was changed.');
  }
  const names = classNamesProblem(data.classes);
  if (names) throw new DatasetFileError(`The file's classes are not usable: ${names} Nothing was changed.`);
  const ids = new Set(data.classes.map((c) => c.id));
  const samples: (SampleInfo & { image: Blob })[] = [];
  for (const [i, s] of data.samples.entries()) {
    if (!ids.has(s.classId) || typeof s.jpeg !== 'string') throw new DatasetFileError(`Sample ${i + 1} of the file is damaged; nothing was changed.`);
    let image: Blob;
    try {
      image = new Blob([fromBase64(s.jpeg) as BlobPart], { type: 'image/jpeg' });
    } catch {
      throw new DatasetFileError(`Sample ${i + 1} of the file is damaged; nothing was changed.`);
    }
    if (!(await isImage(image))) throw new DatasetFileError(`Sample ${i + 1} of the file is not an image; nothing was changed.`);
    samples.push({ id: s.id, classId: s.classId, addedAt: s.addedAt, source: s.source, width: s.width, height: s.height, bytes: image.size, image });
  }
  return { classes: data.classes.map((c) => ({ id: c.id, name: c.name })), samples };
}
