// Drawing the Tour's feature maps and filters on a canvas: byte maps from the worker become
// ImageData once per frame (no per-pixel work in Svelte). Pure layout arithmetic is exported
// for the unit tests.
import type { FeatureMaps, FilterPictures } from '../../workers/contracts/tour-protocol';

export interface GridLayout {
  cols: number;
  rows: number;
  /** Cell side in canvas pixels, map plus a 1-pixel gap. */
  cellW: number;
  cellH: number;
}

/** A near-square grid for n cells of w x h. */
export function gridLayout(n: number, w: number, h: number): GridLayout {
  const cols = Math.max(1, Math.ceil(Math.sqrt(n)));
  return { cols, rows: Math.max(1, Math.ceil(n / cols)), cellW: w + 1, cellH: h + 1 };
}

/** The strongest channels' outline colour. */
const TOP = [255, 196, 0];

export function paintMaps(canvas: HTMLCanvasElement, m: FeatureMaps, g: GridLayout): void {
  canvas.width = g.cols * g.cellW + 1;
  canvas.height = g.rows * g.cellH + 1;
  const img = new ImageData(canvas.width, canvas.height);
  const top = new Set(m.top);
  const put = (x: number, y: number, r: number, gr: number, b: number) => {
    const o = 4 * (y * canvas.width + x);
    img.data[o] = r;
    img.data[o + 1] = gr;
    img.data[o + 2] = b;
    img.data[o + 3] = 255;
  };
  for (let c = 0; c < m.c; c++) {
    const x0 = (c % g.cols) * g.cellW + 1;
    const y0 = Math.floor(c / g.cols) * g.cellH + 1;
    const base = c * m.h * m.w;
    for (let y = 0; y < m.h; y++) {
      for (let x = 0; x < m.w; x++) {
        const v = m.maps[base + y * m.w + x]!;
        put(x0 + x, y0 + y, v, v, v);
      }
    }
    if (top.has(c)) {
      // The 1-pixel gap around the cell, in the highlight colour.
      for (let x = -1; x <= m.w; x++) {
        put(x0 + x, y0 - 1, TOP[0]!, TOP[1]!, TOP[2]!);
        put(x0 + x, y0 + m.h, TOP[0]!, TOP[1]!, TOP[2]!);
      }
      for (let y = -1; y <= m.h; y++) {
        put(x0 - 1, y0 + y, TOP[0]!, TOP[1]!, TOP[2]!);
        put(x0 + m.w, y0 + y, TOP[0]!, TOP[1]!, TOP[2]!);
      }
    }
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
}

export function paintChannel(canvas: HTMLCanvasElement, m: FeatureMaps, c: number): void {
  canvas.width = m.w;
  canvas.height = m.h;
  const img = new ImageData(m.w, m.h);
  const base = c * m.h * m.w;
  for (let i = 0; i < m.h * m.w; i++) {
    const v = m.maps[base + i]!;
    img.data.set([v, v, v, 255], 4 * i);
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
}

export function paintFilters(canvas: HTMLCanvasElement, f: FilterPictures): void {
  const g = gridLayout(f.count, f.k, f.k);
  canvas.width = g.cols * g.cellW + 1;
  canvas.height = g.rows * g.cellH + 1;
  const img = new ImageData(canvas.width, canvas.height);
  for (let i = 0; i < f.count; i++) {
    const x0 = (i % g.cols) * g.cellW + 1;
    const y0 = Math.floor(i / g.cols) * g.cellH + 1;
    for (let y = 0; y < f.k; y++) {
      const src = 4 * (i * f.k * f.k + y * f.k);
      img.data.set(f.rgba.subarray(src, src + 4 * f.k), 4 * ((y0 + y) * canvas.width + x0));
    }
  }
  canvas.getContext('2d')!.putImageData(img, 0, 0);
}

/** RGBA bytes of w x h onto a canvas of that size (CSS scales it). */
export function paintRgba(canvas: HTMLCanvasElement, rgba: Uint8ClampedArray, w: number, h: number): void {
  canvas.width = w;
  canvas.height = h;
  canvas.getContext('2d')!.putImageData(new ImageData(new Uint8ClampedArray(rgba), w, h), 0, 0);
}
