// The zero-copy camera path on WebGPU: each camera VideoFrame is imported as an external
// texture and one shader crops, resizes and normalises it (workers/preprocess/gpu-frame.ts).
//
// Under the default flags, headless SwiftShader cannot import a camera frame (on one machine
// the import throws, on another it loses the device), so the app keeps software adapters on
// the bitmap path; with Vulkan and ANGLE both on SwiftShader the import works, which lets
// these tests run the real shader here. Recovery is tested in recovery.spec.ts.
import { test, expect, type Page } from '@playwright/test';
import { cifarVideo, launch, openApp, pickModel, backendName, waitForFrames, loadCifarTest, LABELS, GPU_IMPORT_ARGS as IMPORT_ARGS } from '../../tools/app-harness';
import type { PreprocessRequest, PreprocessResult } from '../../bench/main';

test('the VideoFrame shader gives the same input as the TF.js ops path, for colour, crop and grey-scale cards', async () => {
  const { browser, page } = await launch({ args: IMPORT_ARGS });
  try {
    await page.goto('/bench.html');
    await page.waitForFunction(() => (globalThis as { benchReady?: boolean }).benchReady === true);
    await page.evaluate(() => (globalThis as unknown as { benchInit(b: string): Promise<unknown> }).benchInit('webgpu'));
    // At 640x480: a square crop to 32x32 through a 7x7 pool; a 0.875 centre crop to 224 (no
    // pool); the whole frame squashed to grey 32x32 through a 7x7 pool (LeNet).
    for (const id of ['airbench-cifar10', 'mobilenet-v2-imagenet', 'lenet5-mnist']) {
      const req: PreprocessRequest = { id, width: 640, height: 480, warmup: 1, runs: 3, maxMs: 2000 };
      const r = await page.evaluate(
        (q) => (globalThis as unknown as { benchPreprocess(q: PreprocessRequest): Promise<PreprocessResult> }).benchPreprocess(q),
        req,
      );
      console.log(`${id}: max difference ${r.maxPixelDiff.toExponential(1)} pixel units`);
      // Both paths compute in float32; a wrong crop, tap or weight moves pixels by whole units.
      expect(r.maxPixelDiff).toBeLessThan(0.01);
    }
  } finally {
    await browser.close();
  }
});

async function top1(page: Page): Promise<string | null> {
  return page.getByTestId('top1').getAttribute('data-label');
}

test('camera frames reach the model as external textures: CIFAR-10 images named, no tensor growth', async () => {
  const COUNT = 4;
  const { labels, images } = loadCifarTest(COUNT);
  let correct = 0;
  for (let i = 0; i < COUNT; i++) {
    const video = cifarVideo(`gpu-frame-${i}.y4m`, [images[i]!]);
    const { browser, page } = await launch({ video, args: IMPORT_ARGS });
    try {
      await openApp(page, 'frameImport=external-texture');
      expect(await backendName(page)).toBe('webgpu');
      // The shader's output is checked against the ops path above; a small model keeps frames quick.
      await pickModel(page, 'vgg11-cifar10');
      await page.getByRole('button', { name: 'Start camera' }).click();
      await waitForFrames(page, 2);
      await expect(page.getByTestId('frame-import')).toHaveAttribute('data-value', 'external-texture');
      const got = await top1(page);
      console.log(`${i}: ${LABELS[labels[i]!]} -> ${got}`);
      if (got === LABELS[labels[i]!]) correct++;
      if (i === 0) {
        const before = Number(await page.getByTestId('num-tensors').textContent());
        await waitForFrames(page, 22);
        const after = Number(await page.getByTestId('num-tensors').textContent());
        console.log(`numTensors ${before} after 2 frames, ${after} after 22`);
        expect(after).toBe(before);
      }
    } finally {
      await browser.close();
    }
  }
  // VGG-11 (82.5% on the test set) names all four on the bitmap path too; chance is 1 in 10.
  expect(correct).toBeGreaterThanOrEqual(3);
});
