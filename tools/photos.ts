// The test photos of ../shared/images/imagenet/ (its README gives each one's class), decoded
// in Node with bmp-js and jpeg-js (pure JS, no native code) to RGB bytes, and the README's
// reference crop: the centred square of the whole short side.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import bmp from 'bmp-js';
import jpeg from 'jpeg-js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const IMAGENET_PHOTOS_DIR = resolve(process.env.IMAGENET_PHOTOS_DIR ?? join(ROOT, '../shared/images/imagenet'));
export const TFLITE_DIR = resolve(process.env.TFLITE_DIR ?? join(ROOT, '../shared/models/tflite'));

/** Each photo with the 1000-class indices (no background) its README accepts, and its class's name there. */
export const IMAGENET_PHOTOS: readonly { file: string; classes: readonly number[]; name: string }[] = [
  { file: 'cat.bmp', classes: [281, 282, 285], name: 'tabby, tiger or Egyptian cat' },
  { file: 'grace_hopper.bmp', classes: [652], name: 'military uniform' },
  { file: 'hot_dog.jpg', classes: [934], name: 'hotdog' },
  { file: 'bird.bmp', classes: [19], name: 'chickadee' },
];

/** The four TensorFlow Lite MobileNets of ../shared/models/tflite/, largest first. */
export const TFLITE_FILES = [
  'mobilenet_v2_1.0_224_quant.tflite',
  'mobilenet_v1_0.75_192_quant.tflite',
  'mobilenet_v1_0.5_160_quant.tflite',
  'mobilenet_v1_0.25_128_quant.tflite',
] as const;

export interface Rgb {
  width: number;
  height: number;
  /** width * height * 3 bytes, row-major RGB. */
  data: Uint8Array;
}

export function decodePhoto(path: string): Rgb {
  const buf = readFileSync(path);
  if (path.endsWith('.jpg') || path.endsWith('.jpeg')) {
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: false });
    return { width: img.width, height: img.height, data: img.data };
  }
  const img = bmp.decode(buf);
  const data = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) {
    data[3 * i] = img.data[4 * i + 3]!;
    data[3 * i + 1] = img.data[4 * i + 2]!;
    data[3 * i + 2] = img.data[4 * i + 1]!;
  }
  return { width: img.width, height: img.height, data };
}

/** The centred square of the whole short side. */
export function centreSquare(img: Rgb): Rgb {
  const s = Math.min(img.width, img.height);
  const x0 = Math.floor((img.width - s) / 2);
  const y0 = Math.floor((img.height - s) / 2);
  const data = new Uint8Array(s * s * 3);
  for (let y = 0; y < s; y++) data.set(img.data.subarray(((y + y0) * img.width + x0) * 3, ((y + y0) * img.width + x0 + s) * 3), y * s * 3);
  return { width: s, height: s, data };
}
