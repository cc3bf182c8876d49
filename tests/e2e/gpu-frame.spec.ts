// The zero-copy camera path on WebGPU: each camera VideoFrame is imported as an external
// texture and one shader crops, resizes and normalises it (workers/gpu-frame.ts).
//
// Headless SwiftShader loses the WebGPU device when it imports a camera frame under the
// default flags (so the app keeps such adapters on the bitmap path); with Vulkan and ANGLE
// both on SwiftShader the import works, which lets these tests run the real shader here.
import { test, expect, type Page } from '@playwright/test';
import { launch, openApp, backendName, waitForFrames, loadCifarTest, tmpFile, LABELS, GPU_IMPORT_ARGS as IMPORT_ARGS } from './harness';
import { placeCentered, writeY4M } from './y4m';
import { importWeights } from './zoo-driver';
import { serveWeights } from './weights-server';
import { DEFAULT_MODEL_ID } from '../../models/registry';
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
    const frame = placeCentered(images[i]!, 32, 32, 240, 320, 240);
    const video = tmpFile(`gpu-frame-${i}.y4m`, writeY4M([frame, frame], 320, 240, 10));
    const { browser, page } = await launch({ video, args: IMPORT_ARGS });
    try {
      await openApp(page, 'frameImport=external-texture');
      expect(await backendName(page)).toBe('webgpu');
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
  // These four are named correctly on the bitmap path (camera.spec.ts); chance is 1 in 10.
  expect(correct).toBeGreaterThanOrEqual(3);
});

// A real device loss, not a simulated one: under the default flags, SwiftShader loses the
// WebGPU device when it imports a camera frame. The app must come back on its own.
test('a lost WebGPU device: the worker restarts with bitmap frames, in the live view and for each compared model', async () => {
  const { labels, images } = loadCifarTest(1);
  const label = LABELS[labels[0]!]!;
  const frame = placeCentered(images[0]!, 32, 32, 240, 320, 240);
  const video = tmpFile('gpu-lost.y4m', writeY4M([frame, frame], 320, 240, 10));
  const other = 'resnet20-cifar10';
  const fx = await serveWeights(other);
  const { browser, page } = await launch({ video });
  try {
    await openApp(page, 'frameImport=external-texture');
    await page.getByRole('button', { name: 'Start camera' }).click();
    const notice = /The WebGPU device was lost .* restarted and camera frames now go to WebGPU as bitmaps; it runs on webgpu/;
    await expect(page.getByTestId('pane-notice')).toHaveText(notice, { timeout: 120_000 });
    await expect(page.getByTestId('frame-import-plan')).toHaveAttribute('data-value', 'bitmap');
    await expect(page.getByTestId('frame-import-plan')).toContainText('device was lost');
    expect(await backendName(page)).toBe('webgpu');
    await waitForFrames(page, 3, 120_000);
    await expect(page.getByTestId('frame-import')).toHaveAttribute('data-value', 'bitmap');
    expect(await top1(page)).toBe(label);
    await expect(page.locator('.pane [role=alert]')).toHaveCount(0);

    // Compare: each model's worker starts from the page's options (texture import) again,
    // loses its device, and restarts alone.
    await page.getByRole('button', { name: 'Models' }).click();
    expect(await importWeights(page, other, `${fx.base}/good.safetensors`, fx.sha256)).toMatch(/Stored resnet20-cifar10/);
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.getByTestId(`compare-${other}`).check();
    await page.getByRole('button', { name: 'Run comparison' }).click();
    const start = page.getByRole('button', { name: 'Start camera' });
    if (await start.isVisible()) await start.click();
    for (const id of [DEFAULT_MODEL_ID, other]) {
      const pane = page.locator(`[data-compare-model="${id}"]`);
      await expect(pane.getByTestId('pane-notice')).toHaveText(notice, { timeout: 180_000 });
      await expect(pane.getByTestId('frames')).not.toHaveText('0', { timeout: 180_000 });
      await expect(pane.getByTestId('frame-import')).toHaveAttribute('data-value', 'bitmap');
      await expect(pane.getByTestId('pane-backend')).toHaveText('webgpu');
      await expect(pane.locator('[role=alert]')).toHaveCount(0);
    }
  } finally {
    await browser.close();
    await fx.close();
  }
});
