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
 * The worker's crop of a frame. `framing` says what the frame is: 'model-input' for a bitmap the
 * UI already cropped and resized with cropFor (src/lib/capture.ts), used whole (cropping it
 * again would take cropFraction twice); 'whole-frame' for a camera frame as it came (a
 * VideoFrame, or a bitmap the bench made), cropped here. Said by the sender, not guessed
 * from the frame's size: a camera may deliver frames at the model's input size.
 */
export type Framing = 'model-input' | 'whole-frame';

export function workerCropFor(frameW: number, frameH: number, p: Preprocess, framing: Framing): Crop {
  if (framing === 'model-input') return { top: 0, left: 0, height: frameH, width: frameW, pool: 1 };
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
