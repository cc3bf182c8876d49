// Tensors the Tour shows as pictures, as RGBA bytes at the model's input size: an image
// scaled to its own range (deconvnet, guided backprop), and Grad-CAM's map as a heat overlay.
import * as tf from '@tensorflow/tfjs-core';

/** [1, h, w, c] (c = 1 or 3) scaled to 0..255 by its own min and max, as RGBA. */
export async function imageRgba(t: tf.Tensor): Promise<Uint8ClampedArray> {
  const bytes = tf.tidy(() => {
    const [, h, w, c] = t.shape as [number, number, number, number];
    const lo = tf.min(t);
    const span = tf.maximum(tf.sub(tf.max(t), lo), 1e-12);
    const scaled = tf.reshape(tf.div(tf.sub(t, lo), span), [h, w, c]);
    const rgb = c === 3 ? scaled : tf.tile(tf.mean(scaled, 2, true), [1, 1, 3]);
    return tf.cast(tf.round(tf.mul(tf.concat([rgb, tf.ones([h, w, 1])], 2), 255)), 'int32');
  });
  try {
    return Uint8ClampedArray.from(await bytes.data());
  } finally {
    bytes.dispose();
  }
}

/** Pixels [h, w, 3] (0..255) of a bitmap, as RGBA. */
export async function bitmapRgba(frame: ImageBitmap): Promise<Uint8ClampedArray> {
  const px = tf.tidy(() => tf.concat([tf.browser.fromPixels(frame), tf.fill([frame.height, frame.width, 1], 255, 'int32')], 2));
  try {
    return Uint8ClampedArray.from(await px.data());
  } finally {
    px.dispose();
  }
}

/** A blue-to-red ramp for v in [0, 1]. */
function heat(v: number): [number, number, number] {
  const r = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 3)));
  const g = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 2)));
  const b = Math.min(1, Math.max(0, 1.5 - Math.abs(4 * v - 1)));
  return [255 * r, 255 * g, 255 * b];
}

/** Grad-CAM's [hh, ww] map resized (bilinear) to the frame, scaled by its maximum, blended half and half over the frame's RGBA. */
export async function heatOverlay(cam: tf.Tensor, frame: Uint8ClampedArray, h: number, w: number): Promise<Uint8ClampedArray> {
  const up = tf.tidy(() => {
    const [hh, ww] = cam.shape as [number, number];
    const big = tf.reshape(tf.image.resizeBilinear(tf.reshape(cam, [1, hh, ww, 1]) as tf.Tensor4D, [h, w], true), [h * w]);
    return tf.div(big, tf.maximum(tf.max(big), 1e-12));
  });
  try {
    const v = await up.data();
    const out = new Uint8ClampedArray(4 * h * w);
    for (let i = 0; i < h * w; i++) {
      const [r, g, b] = heat(v[i]!);
      out[4 * i] = 0.5 * frame[4 * i]! + 0.5 * r;
      out[4 * i + 1] = 0.5 * frame[4 * i + 1]! + 0.5 * g;
      out[4 * i + 2] = 0.5 * frame[4 * i + 2]! + 0.5 * b;
      out[4 * i + 3] = 255;
    }
    return out;
  } finally {
    up.dispose();
  }
}
