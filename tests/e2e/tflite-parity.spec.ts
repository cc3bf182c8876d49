// Reference parity: TensorFlow Lite's own interpreter (@tensorflow/tfjs-tflite, its WASM from
// the npm package, served to Chromium by Playwright's router: no CDN, no server, no port) runs
// each .tflite file of ../shared/models/tflite/ in uint8; our importer's dequantised float32
// model runs the same file in TF.js (cpu backend, in this Node process). Both get the same
// uint8 input: each photo's centred square of the whole short side, resized bilinearly.
// They must agree on top-1, and on each of the interpreter's top-5 probabilities within TOL.
import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { launch, ROOT } from '../../tools/app-harness';
import { centreSquare, decodePhoto, IMAGENET_PHOTOS, IMAGENET_PHOTOS_DIR, TFLITE_DIR, TFLITE_FILES } from '../../tools/photos';
import { parseTflite } from '../../workers/import/tflite';
import { mapTfliteMobilenet } from '../../workers/import/tflite-mobilenet';
import { loadClassifier } from '../../models/builders';
import { EVAL } from '../../models/nn';

/**
 * Largest allowed |ours − interpreter| for a probability in the interpreter's top-5. The
 * interpreter computes in uint8: its softmax output has steps of 1/256 (0.004), and every one
 * of its ~30 to 66 layers rounds its activations to 8 bits, which moves the logits by a few
 * tenths (measured: printed below). Through a softmax with one dominant class that moves a
 * probability by a few hundredths; 0.1 bounds it with margin while still catching a wrong
 * layer, padding or scaling (those change the top-5 entirely).
 */
const TOL = 0.1;
const ORIGIN = 'http://tflite.reference';
const PKG = join(ROOT, 'node_modules/@tensorflow');

test('our dequantised float models agree with the TFLite interpreter on the photos', async () => {
  await tf.setBackend('cpu');
  const { browser, context, page } = await launch({ webgpu: false, camera: false });
  try {
    const files: Record<string, string> = {
      '/tf-core.js': join(PKG, 'tfjs-core/dist/tf-core.min.js'),
      '/tf-backend-cpu.js': join(PKG, 'tfjs-backend-cpu/dist/tf-backend-cpu.min.js'),
      '/tf-tflite.js': join(PKG, 'tfjs-tflite/dist/tf-tflite.min.js'),
    };
    await context.route(`${ORIGIN}/**`, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><script src="/tf-core.js"></script><script src="/tf-backend-cpu.js"></script><script src="/tf-tflite.js"></script>' });
      const file = files[path] ?? (path.startsWith('/wasm/') ? join(PKG, 'tfjs-tflite', path) : path.startsWith('/models/') ? join(TFLITE_DIR, path.slice(8)) : null);
      if (!file) return route.fulfill({ status: 404 });
      const type = file.endsWith('.wasm') ? 'application/wasm' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
      return route.fulfill({ contentType: type, body: readFileSync(file) });
    });
    await page.goto(`${ORIGIN}/`);
    await page.evaluate((o) => (globalThis as unknown as { tflite: { setWasmPath(p: string): void } }).tflite.setWasmPath(`${o}/wasm/`), ORIGIN);

    let worst = 0;
    for (const f of TFLITE_FILES) {
      const bytes = new Uint8Array(readFileSync(join(TFLITE_DIR, f)));
      const imp = await mapTfliteMobilenet(parseTflite(bytes), { file: f, url: '', sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength });
      const model = await loadClassifier(imp.card, () => new Map(imp.tensors.map((t) => [t.name, tf.tensor(t.data, t.shape)])));
      const [size] = imp.card.preprocess.size;
      for (const photo of IMAGENET_PHOTOS) {
        const sq = centreSquare(decodePhoto(join(IMAGENET_PHOTOS_DIR, photo.file)));
        // The one uint8 input both get.
        const input = tf.tidy(() => tf.clipByValue(tf.round(tf.image.resizeBilinear(tf.tensor4d(sq.data, [1, sq.height, sq.width, 3], 'float32'), [size, size], false, true)), 0, 255));
        const q = (await input.data()) as Float32Array;
        const ours = tf.tidy(() => tf.softmax(model.forward(tf.div(tf.sub(input, 128), 128), EVAL)));
        const p = (await ours.data()) as Float32Array;
        tf.dispose([input, ours]);
        const ref = await page.evaluate(
          async ({ url, q, size }) => {
            const g = globalThis as unknown as { tf: typeof import('@tensorflow/tfjs-core'); tflite: { loadTFLiteModel(u: string): Promise<{ predict(x: unknown): import('@tensorflow/tfjs-core').Tensor }> } };
            const m = await g.tflite.loadTFLiteModel(url);
            const x = g.tf.tensor(q, [1, size, size, 3], 'int32');
            const y = m.predict(x);
            const out = Array.from(await y.data());
            g.tf.dispose([x, y]);
            return out;
          },
          { url: `${ORIGIN}/models/${f}`, q: Array.from(q), size },
        );
        // The interpreter's softmax output is uint8 with scale 1/256, zero point 0.
        const refP = ref.map((v) => v / 256);
        const rank = (a: ArrayLike<number>) => Array.from(a, (v, i) => [v, i] as const).sort((x, y) => y[0] - x[0]).slice(0, 5).map(([, i]) => i);
        const refTop = rank(refP);
        const ourTop = rank(p);
        const diffs = refTop.map((i) => Math.abs(p[i]! - refP[i]!));
        worst = Math.max(worst, ...diffs);
        console.log(`${f} ${photo.file}: interpreter ${refTop.map((i) => `${imp.card.labels[i]} ${refP[i]!.toFixed(3)}`).join(', ')} | ours ${ourTop.map((i) => `${imp.card.labels[i]} ${p[i]!.toFixed(3)}`).join(', ')} | max |dp| ${Math.max(...diffs).toFixed(3)}`);
        expect(ourTop[0], `${f} on ${photo.file}: top-1`).toBe(refTop[0]);
        for (const [k, d] of diffs.entries()) expect(d, `${f} on ${photo.file}: ${imp.card.labels[refTop[k]!]}`).toBeLessThanOrEqual(TOL);
      }
      model.dispose();
    }
    console.log(`largest |ours - interpreter| over the interpreter's top-5: ${worst.toFixed(3)} (tolerance ${TOL})`);
  } finally {
    await browser.close();
  }
});
