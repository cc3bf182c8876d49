// Frames leave the UI already cropped and resized to the model's input: createImageBitmap
// does both in one step inside the browser's image pipeline (on the GPU where there is one),
// so a 640x480 frame becomes, for a CIFAR model, 32x32 pixels to transfer, upload and
// normalise instead of 1.2 MB. The worker's own crop and resize then have nothing to do.
import { cropFor } from '../../workers/contracts/geometry';
import type { Preprocess } from '../../models/card';
import type { Frame, FrameImport } from '../../workers/contracts/inference-protocol';

/** A video frame or an image, cropped and resized as `p` asks. */
export function captureFor(source: HTMLVideoElement | ImageBitmap, p: Preprocess): Promise<ImageBitmap> {
  const [fw, fh] = source instanceof HTMLVideoElement ? [source.videoWidth, source.videoHeight] : [source.width, source.height];
  const c = cropFor(fw, fh, p);
  const [h, w] = p.size;
  // 'high' filters like an area average when shrinking a lot (no aliasing), as the worker's
  // pool-then-bilinear resize does.
  return createImageBitmap(source, c.left, c.top, c.width, c.height, { resizeWidth: w, resizeHeight: h, resizeQuality: 'high' });
}

/**
 * The video's current frame as the worker wants it: the whole frame as a VideoFrame (which
 * refers to the camera's buffer; the worker's shader crops and resizes), or a small bitmap.
 */
export async function captureFrame(video: HTMLVideoElement, p: Preprocess, mode: FrameImport): Promise<Frame> {
  return mode === 'external-texture' ? new VideoFrame(video) : captureFor(video, p);
}
