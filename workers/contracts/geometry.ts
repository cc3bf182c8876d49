// Pure logic, unit-tested: where to crop a frame and how much to pre-shrink it.
import type { Preprocess } from '../../models/card';

export interface Crop {
  top: number;
  left: number;
  height: number;
  width: number;
  /** Integer average-pool factor applied before the bilinear resize (anti-aliasing). */
  pool: number;
}

/**
 * The worker's crop. The UI sends frames already cropped and resized by cropFor
 * (src/lib/capture.ts), so a frame at the input size is used whole: cropping it again would
 * take cropFraction twice.
 */
export function workerCropFor(frameW: number, frameH: number, p: Preprocess): Crop {
  const [outH, outW] = p.size;
  if (frameW === outW && frameH === outH) return { top: 0, left: 0, height: outH, width: outW, pool: 1 };
  return cropFor(frameW, frameH, p);
}

export function cropFor(frameW: number, frameH: number, p: Preprocess): Crop {
  const [outH, outW] = p.size;
  let width = frameW;
  let height = frameH;
  if (p.resize === 'center-crop') {
    // The centred region with the model's aspect ratio, covering cropFraction of the frame.
    const scale = Math.min(frameW / outW, frameH / outH) * p.cropFraction;
    width = Math.max(1, Math.round(outW * scale));
    height = Math.max(1, Math.round(outH * scale));
  }
  const top = Math.floor((frameH - height) / 2);
  const left = Math.floor((frameW - width) / 2);
  // Bilinear sampling from far above the output size aliases; an average pool first
  // brings the crop to within 2x of the output, which bilinear then handles well.
  const pool = Math.max(1, Math.floor(Math.min(height / outH, width / outW) / 2));
  return { top, left, height, width, pool };
}
