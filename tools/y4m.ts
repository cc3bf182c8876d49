// Y4M writer for Chromium's fake camera: a header line, then "FRAME\n" and I420 planes.
// Hand-written: the format is a few lines, and no npm package writes it.

/** RGB (interleaved, w*h*3) to limited-range BT.601 I420, as Chromium's capture expects. */
export function rgbToI420(rgb: Uint8Array, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 1.5);
  const u0 = w * h;
  const v0 = u0 + (w / 2) * (h / 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const r = rgb[i]! / 255, g = rgb[i + 1]! / 255, b = rgb[i + 2]! / 255;
      out[y * w + x] = Math.round(16 + 65.481 * r + 128.553 * g + 24.966 * b);
    }
  }
  for (let y = 0; y < h / 2; y++) {
    for (let x = 0; x < w / 2; x++) {
      let r = 0, g = 0, b = 0;
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]] as const) {
        const i = ((2 * y + dy) * w + 2 * x + dx) * 3;
        r += rgb[i]!; g += rgb[i + 1]!; b += rgb[i + 2]!;
      }
      r /= 4 * 255; g /= 4 * 255; b /= 4 * 255;
      out[u0 + y * (w / 2) + x] = Math.round(128 - 37.797 * r - 74.203 * g + 112 * b);
      out[v0 + y * (w / 2) + x] = Math.round(128 + 112 * r - 93.786 * g - 18.214 * b);
    }
  }
  return out;
}

export function writeY4M(frames: Uint8Array[], w: number, h: number, fps: number): Uint8Array {
  if (w % 2 || h % 2) throw new Error('I420 needs even width and height.');
  const header = new TextEncoder().encode(`YUV4MPEG2 W${w} H${h} F${fps}:1 Ip A1:1 C420jpeg\n`);
  const tag = new TextEncoder().encode('FRAME\n');
  const planes = frames.map((f) => rgbToI420(f, w, h));
  const out = new Uint8Array(header.length + planes.reduce((n, p) => n + tag.length + p.length, 0));
  out.set(header, 0);
  let o = header.length;
  for (const p of planes) {
    out.set(tag, o);
    out.set(p, o + tag.length);
    o += tag.length + p.length;
  }
  return out;
}

/**
 * Places a small RGB image, upscaled bilinearly to `side` x `side`, in the centre of a
 * w x h grey frame (the camera's centre square is what the model's crop takes).
 */
export function placeCentered(img: Uint8Array, iw: number, ih: number, side: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3).fill(128);
  const ox = Math.floor((w - side) / 2);
  const oy = Math.floor((h - side) / 2);
  for (let y = 0; y < side; y++) {
    const sy = Math.min(ih - 1, Math.max(0, ((y + 0.5) * ih) / side - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(ih - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < side; x++) {
      const sx = Math.min(iw - 1, Math.max(0, ((x + 0.5) * iw) / side - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(iw - 1, x0 + 1), fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const a = img[(y0 * iw + x0) * 3 + c]! * (1 - fx) + img[(y0 * iw + x1) * 3 + c]! * fx;
        const b = img[(y1 * iw + x0) * 3 + c]! * (1 - fx) + img[(y1 * iw + x1) * 3 + c]! * fx;
        out[((oy + y) * w + ox + x) * 3 + c] = Math.round(a * (1 - fy) + b * fy);
      }
    }
  }
  return out;
}
