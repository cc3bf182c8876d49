// One preprocessing rule: the training-time and evaluation input (trainer.toInput) equals the
// camera path's input (pixelsToInput: crop, pool, resize, normalise) on the same CIFAR frame.
// gpu-frame.spec.ts holds the WebGPU shader to the same path (within 0.01 pixel units).
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { CARDS } from '../../models/registry';
import { pixelsToInput } from '../../workers/preprocess/preprocess';
import { toInput } from '../../workers/train/trainer';
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
    const crop = workerCropFor(32, 32, c.preprocess);
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
      const camera = pixelsToInput(pixels, card.preprocess);
      expect(camera.shape).toEqual(train.shape);
      expect(await maxDiff(train, camera)).toBeLessThan(1e-5);
      tf.dispose([train, pixels, camera]);
    });
  }
});
