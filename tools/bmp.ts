// Reads the shared test photos (24-bit uncompressed BMP) as RGB for the fake camera's videos,
// and frames a photo as a camera would see it. Hand-written: BMP is a 54-byte header and
// padded BGR rows, and no dependency of the project decodes it in Node.
import { readFileSync } from 'node:fs';

export interface Rgb {
  width: number;
  height: number;
  /** Interleaved RGB, top row first. */
  data: Uint8Array;
}

export function readBmp(path: string): Rgb {
  const b = readFileSync(path);
  if (b.toString('latin1', 0, 2) !== 'BM') throw new Error(`${path} is not a BMP file.`);
  const offset = b.readUInt32LE(10);
  const width = b.readInt32LE(18);
  const rawHeight = b.readInt32LE(22);
  const bpp = b.readUInt16LE(28);
  const compression = b.readUInt32LE(30);
  if (bpp !== 24 || (compression !== 0 && compression !== 3)) throw new Error(`${path}: only 24-bit uncompressed BMP is read (${bpp} bits, compression ${compression}).`);
  const height = Math.abs(rawHeight);
  const stride = Math.ceil((width * 3) / 4) * 4;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = offset + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      const i = row + x * 3;
      const o = (y * width + x) * 3;
      data[o] = b[i + 2]!;
      data[o + 1] = b[i + 1]!;
      data[o + 2] = b[i]!;
    }
  }
  return { width, height, data };
}

/**
 * A w x h camera frame filled by the photo (scaled to cover, then by `zoom`), its centre moved
 * by (dx, dy) pixels: small shifts and scalings make the frames of one photo differ.
 */
export function frameOf(img: Rgb, w: number, h: number, zoom = 1, dx = 0, dy = 0): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  const s = Math.max(w / img.width, h / img.height) * zoom;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.max(0, (y - h / 2 - dy) / s + img.height / 2));
    const y0 = Math.floor(sy), y1 = Math.min(img.height - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, (x - w / 2 - dx) / s + img.width / 2));
      const x0 = Math.floor(sx), x1 = Math.min(img.width - 1, x0 + 1), fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number) => img.data[(yy * img.width + xx) * 3 + c]!;
        const a = p(y0, x0) * (1 - fx) + p(y0, x1) * fx;
        const b = p(y1, x0) * (1 - fx) + p(y1, x1) * fx;
        out[(y * w + x) * 3 + c] = Math.round(a * (1 - fy) + b * fy);
      }
    }
  }
  return out;
}
