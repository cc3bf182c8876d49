// numTensors must stay flat while frames stream through the real pipeline.
import { test, expect, type Page } from '@playwright/test';
import { DEFAULT_MODEL_ID } from '../../models/registry';
import { cifarVideo, launch, openApp, pickModel, waitForFrames, backendName, loadCifarTest, LABELS, type LaunchOptions } from '../../tools/app-harness';

async function tensors(page: Page): Promise<number> {
  return Number(await page.getByTestId('num-tensors').textContent());
}

async function checkFlat(query: string, backend: string, warm: number, total: number, opts: LaunchOptions & { model?: string } = {}, then?: (page: Page) => Promise<void>) {
  const { browser, page } = await launch(opts);
  try {
    await openApp(page, query);
    expect(await backendName(page)).toBe(backend);
    if (opts.model) await pickModel(page, opts.model);
    await page.getByRole('button', { name: 'Start camera' }).click();
    await waitForFrames(page, warm);
    const before = await tensors(page);
    await waitForFrames(page, total, 540_000);
    const after = await tensors(page);
    console.log(`${backend}: numTensors ${before} after ${warm} frames, ${after} after ${total}`);
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(before);
    await then?.(page);
  } finally {
    await browser.close();
  }
}

test('no tensor leak over 500 frames on wasm, nor from switching models in the Live view', async () => {
  await checkFlat('backend=wasm', 'wasm', 10, 510, {}, async (page) => {
    // Picked in turn, each model replaces the last in the worker: back on the default model,
    // the worker holds what it held before ResNet-20 ran.
    const before = await tensors(page);
    await pickModel(page, 'resnet20-cifar10');
    await waitForFrames(page, 2);
    await pickModel(page, DEFAULT_MODEL_ID);
    await waitForFrames(page, 2);
    expect(await tensors(page)).toBe(before);
  });
});

// The default model's frames go through the same code on every backend (the wasm test above);
// what is WebGPU's own is the upload and the kernels, so VGG-11 runs here: SwiftShader takes
// seconds a frame of the default model's six views. The camera shows a CIFAR-10 test image,
// so this is also the camera path SwiftShader takes by default (bitmaps: a software adapter).
test('no tensor leak over 40 frames on WebGPU, and the camera image named on its bitmap path', async () => {
  const { labels, images } = loadCifarTest(1);
  const video = cifarVideo('leaks-webgpu.y4m', images);
  await checkFlat('', 'webgpu', 5, 45, { video, model: 'vgg11-cifar10' }, async (page) => {
    await expect(page.getByTestId('frame-import')).toHaveAttribute('data-value', 'bitmap');
    expect(await page.getByTestId('top1').getAttribute('data-label')).toBe(LABELS[labels[0]!]);
  });
});
