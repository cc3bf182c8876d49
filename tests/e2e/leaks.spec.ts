// numTensors must stay flat while frames stream through the real pipeline.
import { test, expect, type Page } from '@playwright/test';
import { launch, openApp, waitForFrames, backendName } from '../../tools/app-harness';

async function tensors(page: Page): Promise<number> {
  return Number(await page.getByTestId('num-tensors').textContent());
}

async function checkFlat(query: string, backend: string, warm: number, total: number) {
  const { browser, page } = await launch();
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
  } finally {
    await browser.close();
  }
}

test('no tensor leak over 500 frames on wasm', async () => {
  await checkFlat('backend=wasm', 'wasm', 10, 510);
});

// SwiftShader takes seconds per frame of the default model's six views, so fewer frames here;
// a leak of even one tensor a frame still shows in 20.
test('no tensor leak over 20 frames on WebGPU (SwiftShader is slow)', async () => {
  await checkFlat('', 'webgpu', 5, 25);
});
