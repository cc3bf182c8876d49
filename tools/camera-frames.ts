// A photo framed as a camera would see it, with small shifts and scalings, so that the frames
// of one photo differ (the Teach view's fake-camera videos).
import type { Rgb } from './photos';

/**
 * A w x h camera frame filled by the photo (scaled to cover, then by `zoom`), its centre moved
 * by (dx, dy) pixels. Bilinear.
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
