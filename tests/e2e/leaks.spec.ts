// numTensors must stay flat while frames stream through the real pipeline.
import { test, expect, type Page } from '@playwright/test';
import { cifarVideo, launch, openApp, waitForFrames, backendName, loadCifarTest, LABELS, type LaunchOptions } from '../../tools/app-harness';

async function tensors(page: Page): Promise<number> {
  return Number(await page.getByTestId('num-tensors').textContent());
}

async function checkFlat(query: string, backend: string, warm: number, total: number, opts: LaunchOptions = {}, then?: (page: Page) => Promise<void>) {
  const { browser, page } = await launch(opts);
  try {
    await openApp(page, query);
    expect(await backendName(page)).toBe(backend);
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

test('no tensor leak over 500 frames on wasm', async () => {
  await checkFlat('backend=wasm', 'wasm', 10, 510);
});

// SwiftShader takes seconds per frame of the default model's six views, so fewer frames here;
// a leak of even one tensor a frame still shows in 20.
// The camera shows a CIFAR-10 test image, so this is also the camera path on WebGPU as
// SwiftShader runs it by default (bitmaps: a software adapter), named right.
test('no tensor leak over 20 frames on WebGPU (SwiftShader is slow), and the camera image named on its bitmap path', async () => {
  const { labels, images } = loadCifarTest(1);
  const video = cifarVideo('leaks-webgpu.y4m', images);
  await checkFlat('', 'webgpu', 5, 25, { video }, async (page) => {
    await expect(page.getByTestId('frame-import')).toHaveAttribute('data-value', 'bitmap');
    expect(await page.getByTestId('top1').getAttribute('data-label')).toBe(LABELS[labels[0]!]);
  });
});
