// One preprocessing rule: the training-time and evaluation input (trainer.toInput) equals the
// camera path's input (pixelsToInput: crop, pool, resize, normalise) on the same CIFAR frame.
// gpu-frame.spec.ts holds the WebGPU shader to the same path (within 0.01 pixel units).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { CARDS } from '../../models/registry';
import { pixelsAtInputSize, pixelsToInput } from '../../workers/preprocess/preprocess';
import { augment, toInput } from '../../workers/train/trainer';
import { storedDigest } from '../../workers/store/weight-store';
import { workerCropFor } from '../../workers/contracts/geometry';

await tf.setBackend('cpu');

/** Largest difference in the input's own units (normalised values). */
async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0]!;
  d.dispose();
  return v;
}

describe('training, evaluation and the camera get the same input from the same frame', () => {
  const frame = Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 97 + (i >> 5) * 31) % 256);
  // Cards that take a whole 32x32 frame (the CIFAR and MNIST models), and one fine-tuned at 96.
  const cards = CARDS.filter((c) => {
    const crop = workerCropFor(32, 32, c.preprocess, 'whole-frame');
    return crop.width === 32 && crop.height === 32;
  });
  const at96 = { ...cards.find((c) => c.id === 'airbench-cifar10')!, id: 'airbench at 96' };
  at96.preprocess = { ...at96.preprocess, size: [96, 96] };

  it('covers colour and grey-scale cards', () => {
    expect(cards.map((c) => c.preprocess.channels ?? 3)).toEqual(expect.arrayContaining([1, 3]));
  });

  for (const card of [...cards, at96]) {
    it(`${card.id}: within 1e-5`, async () => {
      const [size] = card.preprocess.size;
      const train = toInput(frame, 1, card.preprocess, size);
      const pixels = tf.tensor3d(frame, [32, 32, 3], 'int32');
      const camera = pixelsToInput(pixels, card.preprocess, 'whole-frame');
      expect(camera.shape).toEqual(train.shape);
      expect(await maxDiff(train, camera)).toBeLessThan(1e-5);
      tf.dispose([train, pixels, camera]);
    });
  }
});

describe('the Teach view fine-tunes on what the camera path feeds the model', () => {
  // A 320x240 frame and an ImageNet card that center-crops (87.5%) to 224: the sample at the
  // input side (pixelsAtInputSize, as the Teach worker stores it), read back by the trainer's
  // toInput at that side, is the camera path's input up to the rounding to uint8.
  const card = CARDS.find((c) => c.id === 'mobilenet-v2-imagenet')!;
  it(`${card.id}: a 320x240 frame, within half a grey level`, async () => {
    expect(card.preprocess.resize).toBe('center-crop');
    const frame = Uint8Array.from({ length: 240 * 320 * 3 }, (_, i) => (i * 97 + (i >> 7) * 31) % 256);
    const pixels = tf.tensor3d(frame, [240, 320, 3], 'int32');
    const side = card.preprocess.size[0];
    const atSide = pixelsAtInputSize(pixels, card.preprocess, 'whole-frame');
    expect(atSide.shape).toEqual([1, side, side, 3]);
    const rounded = tf.round(atSide);
    const bytes = Uint8Array.from(await rounded.data());
    const train = toInput(bytes, 1, card.preprocess, side, side);
    const camera = pixelsToInput(pixels, card.preprocess, 'whole-frame');
    const halfLevel = 0.5 / (255 * Math.min(...card.preprocess.std));
    expect(await maxDiff(train, camera)).toBeLessThanOrEqual(halfLevel + 1e-5);
    tf.dispose([pixels, atSide, rounded, train, camera]);
  });
});

describe('augmentation (random crop from a reflect-padded image, horizontal flip)', () => {
  const img = tf.tensor4d(Float32Array.from({ length: 2 * 4 * 4 }, (_, i) => i), [2, 4, 4, 1]);
  const values = async (t: tf.Tensor) => [...(await t.data())];

  it('a crop at offset (pad, pad) and no flip gives the image back', async () => {
    // rand() = 0.5 picks offset floor(0.5 * 5) = 2 = pad: the centre, the image itself.
    const out = augment(img, 2, false, () => 0.5);
    expect(await values(out)).toEqual(await values(img));
    out.dispose();
  });

  it('a crop at offset (0, 0) shows the reflected border', async () => {
    const out = augment(img, 1, false, () => 0);
    // Row 0 of the padded image reflects row 1; column 0 reflects column 1: pixel (1, 1) = 5.
    expect((await values(out)).slice(0, 4)).toEqual([5, 4, 5, 6]);
    out.dispose();
  });

  it('flips each image left to right when its draw is under 0.5, and leaves it otherwise', async () => {
    const draws = [0.1, 0.9];
    const out = augment(img, 0, true, () => draws.shift()!);
    const v = await values(out);
    expect(v.slice(0, 4)).toEqual([3, 2, 1, 0]); // first image flipped
    expect(v.slice(16, 20)).toEqual([16, 17, 18, 19]); // second as it was
    out.dispose();
  });
});

describe('storedDigest: one hashing rule for trained weights', () => {
  const a = { name: 'a.weight', shape: [2], data: Float32Array.of(1, 2) };
  const b = { name: 'b.bias', shape: [1], data: Float32Array.of(3) };
  it('does not depend on the order the tensors arrive in, and changes with any value', async () => {
    expect(await storedDigest([a, b])).toBe(await storedDigest([b, a]));
    expect(await storedDigest([a, { ...b, data: Float32Array.of(3.0001) }])).not.toBe(await storedDigest([a, b]));
    expect(await storedDigest([a, { ...b, shape: [1, 1] }])).not.toBe(await storedDigest([a, b]));
  });
});
