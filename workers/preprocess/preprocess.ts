// Frame -> normalised NHWC input, all on the backend (no per-pixel JS loops). The one
// preprocessing module: inference uses frameToInput, training and evaluation resizeAndNormalize
// (workers/train/trainer.ts), and the WebGPU shader (gpu-frame.ts) computes what frameToInput
// does in one dispatch; tests/unit/preprocess.test.ts and gpu-frame.spec.ts hold them together.
import * as tf from '@tensorflow/tfjs-core';
import type { Preprocess } from '../../models/card';
import { workerCropFor, type Framing } from '../contracts/geometry';

export function frameToInput(frame: ImageBitmap, p: Preprocess, framing: Framing): tf.Tensor4D {
  return tf.tidy(() => pixelsToInput(tf.browser.fromPixels(frame), p, framing));
}

/** HWC uint8 pixels of a whole frame -> the model's input: crop, anti-alias pool, resize, normalise. */
export function pixelsToInput(pixels: tf.Tensor3D, p: Preprocess, framing: Framing): tf.Tensor4D {
  return tf.tidy(() => resizeAndNormalize(cropAndPool(pixels, p, framing), p));
}

/** HWC uint8 pixels -> the model's square input, in pixel values (0-255, not normalised): the images the Teach view fine-tunes on. */
export function pixelsAtInputSize(pixels: tf.Tensor3D, p: Preprocess, framing: Framing): tf.Tensor4D {
  return tf.tidy(() => resizeTo(cropAndPool(pixels, p, framing), p.size));
}

/** Bilinear with half-pixel centres, as torch's interpolate; a no-op at the same size. */
export function resizeTo(x: tf.Tensor4D, size: [number, number]): tf.Tensor4D {
  return x.shape[1] === size[0] && x.shape[2] === size[1] ? x : tf.image.resizeBilinear(x, size, false, true);
}

/** The card's crop of the frame, average-pooled to within 2x of its input side (float, NHWC). */
function cropAndPool(pixels: tf.Tensor3D, p: Preprocess, framing: Framing): tf.Tensor4D {
  return tf.tidy(() => {
    const [height, width] = pixels.shape;
    const c = workerCropFor(width, height, p, framing);
    const crop = tf.slice(pixels, [c.top, c.left, 0], [c.height, c.width, 3]);
    const x4 = tf.expandDims(tf.cast(crop, 'float32'), 0) as tf.Tensor4D;
    return c.pool > 1 ? tf.avgPool(x4, c.pool, c.pool, 'valid') : x4;
  });
}

/** NHWC pixels in [0, 255] -> the model's input size, normalised by the card. */
export function resizeAndNormalize(x: tf.Tensor4D, p: Pick<Preprocess, 'size' | 'mean' | 'std' | 'channels'>): tf.Tensor4D {
  return tf.tidy(() => {
    let sized = resizeTo(x, p.size);
    const c = p.channels ?? 3;
    if (c === 1) sized = tf.mean(sized, 3, true);
    const mean = tf.tensor1d(p.mean.slice(0, c).map((m) => m * 255));
    const std = tf.tensor1d(p.std.slice(0, c).map((s) => s * 255));
    return tf.div(tf.sub(sized, mean), std) as tf.Tensor4D;
  });
}
