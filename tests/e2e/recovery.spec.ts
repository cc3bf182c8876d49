// Recovery from every fault the app can meet, each caused on purpose through the test-only
// ?faults switch (workers/engine/faults.ts), so that it happens the same way on every machine: a lost
// WebGPU device (GPUDevice.destroy() on the backend's own device), a call that never answers
// (the watchdog), a worker that crashes (an uncaught error), and a VideoFrame import that
// throws (a closed frame, which importExternalTexture really refuses).
import { test, expect, type Page } from '@playwright/test';
import { chooseCompared, cifarVideo, launch, openApp, pickModel, backendName, waitForFrames, loadCifarTest, injectFault, cspViolations, LABELS, GPU_IMPORT_ARGS } from '../../tools/app-harness';
import { importWeights } from '../../tools/zoo-driver';
import { serveWeights } from '../../tools/fixture-server';
import { DEFAULT_MODEL_ID } from '../../models/registry';

const { labels, images } = loadCifarTest(1);
const LABEL = LABELS[labels[0]!]!;
/** The Live view's tests run VGG-11, which names this image right (gpu-frame.spec.ts). */
const SMALL = 'vgg11-cifar10';

/** The live pane is classifying again: a fresh pane (after a restart) shows `n` frames, named right. */
async function classifiesAgain(page: Page, n = 2): Promise<void> {
  await waitForFrames(page, n, 180_000);
  expect(await page.getByTestId('top1').getAttribute('data-label')).toBe(LABEL);
  await expect(page.locator('.pane [role=alert]')).toHaveCount(0);
}

test('live view: a lost device twice, a hung call and a crash each restart the worker, in the planned order, and it classifies again', async () => {
  const { browser, page } = await launch({ video: cifarVideo('recovery-live.y4m', images), args: GPU_IMPORT_ARGS });
  try {
    await openApp(page, 'frameImport=external-texture&faults');
    // A restart reloads the picked model; a small one keeps SwiftShader's compiles and frames quick.
    await pickModel(page, SMALL);
    await page.getByRole('button', { name: 'Start camera' }).click();
    await waitForFrames(page, 2);
    await expect(page.getByTestId('frame-import')).toHaveAttribute('data-value', 'external-texture');
    const notice = page.getByTestId('pane-notice');

    // 1. Frames were imported as textures: the first restart keeps WebGPU, with bitmaps.
    await injectFault(page, 'live', 'lose-device');
    await expect(notice).toHaveText(/^The WebGPU device was lost .* The model's worker was restarted and camera frames now go to WebGPU as bitmaps; it runs on webgpu\.$/, { timeout: 120_000 });
    await expect(page.getByTestId('frame-import-plan')).toHaveAttribute('data-value', 'bitmap');
    await expect(page.getByTestId('frame-import-plan')).toContainText('device was lost');
    await classifiesAgain(page);
    await expect(page.getByTestId('frame-import')).toHaveAttribute('data-value', 'bitmap');
    expect(await backendName(page)).toBe('webgpu');

    // 2. Lost again, on bitmaps: WebGPU is left for good.
    await injectFault(page, 'live', 'lose-device');
    await expect(notice).toHaveText(/^The WebGPU device was lost .* restarted and WebGPU is no longer used on this page; it runs on webgl\.$/, { timeout: 120_000 });
    await classifiesAgain(page);
    expect(await backendName(page)).toBe('webgl');

    // 3. A call that never answers: the watchdog abandons it and restarts the worker.
    await injectFault(page, 'live', 'hang');
    await expect(notice).toHaveText(/^The model's worker did not answer a frame within \d+(\.\d)? s \(10 × this model's p95 of \d+ ms, and at least 10 s\)\. The model's worker was restarted; it runs on webgl\.$/, { timeout: 120_000 });
    await classifiesAgain(page);

    // 4. A crash (an uncaught error in the worker): restarted the same way.
    await injectFault(page, 'live', 'crash');
    await expect(notice).toHaveText(/^The model's worker stopped with an error \(.*a crash injected through \?faults.*\)\. The model's worker was restarted; it runs on webgl\.$/, { timeout: 120_000 });
    await classifiesAgain(page);
    expect(cspViolations(page)).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('a VideoFrame import that throws: the worker moves to bitmaps, the header says so, and nothing leaks', async () => {
  const { browser, page } = await launch({ video: cifarVideo('recovery-import.y4m', images), args: GPU_IMPORT_ARGS });
  try {
    await openApp(page, 'frameImport=external-texture&faults');
    await expect(page.getByTestId('frame-import-plan')).toHaveAttribute('data-value', 'external-texture');
    await pickModel(page, SMALL);
    await injectFault(page, 'live', 'break-import');
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('frame-import-plan')).toHaveAttribute('data-value', 'bitmap', { timeout: 120_000 });
    await expect(page.getByTestId('frame-import-plan')).toContainText(/importing a VideoFrame failed \(.+\), so frames go as bitmaps/);
    await classifiesAgain(page, 3);
    await expect(page.getByTestId('frame-import')).toHaveAttribute('data-value', 'bitmap');
    await expect(page.getByTestId('pane-notice')).toHaveCount(0); // no restart: the same worker goes on
    const before = Number(await page.getByTestId('num-tensors').textContent());
    await waitForFrames(page, 10);
    expect(Number(await page.getByTestId('num-tensors').textContent())).toBe(before);
  } finally {
    await browser.close();
  }
});

test('compare: each model restarts on its own, after a lost device and after a crash, while the other classifies on', async () => {
  const other = 'lenet5-modern-mnist';
  const fx = await serveWeights(other);
  const { browser, page } = await launch({ video: cifarVideo('recovery-compare.y4m', images), args: GPU_IMPORT_ARGS });
  try {
    await openApp(page, 'frameImport=external-texture&faults');
    await page.getByRole('button', { name: 'Models' }).click();
    expect(await importWeights(page, other, `${fx.base}/good.safetensors`, fx.sha256)).toMatch(/Stored lenet5-modern-mnist/);
    await page.getByRole('button', { name: 'Compare' }).click();
    await chooseCompared(page, [DEFAULT_MODEL_ID, other]);
    await page.getByRole('button', { name: 'Run comparison' }).click();
    await page.getByRole('button', { name: 'Start camera' }).click();
    const pane = (id: string) => page.locator(`[data-compare-model="${id}"]`);
    const frames = async (id: string) => Number(await pane(id).getByTestId('frames').textContent());
    for (const id of [DEFAULT_MODEL_ID, other]) await expect(pane(id).getByTestId('frames')).not.toHaveText('0', { timeout: 180_000 });

    await injectFault(page, `compare:${DEFAULT_MODEL_ID}`, 'lose-device');
    await expect(pane(DEFAULT_MODEL_ID).getByTestId('pane-notice')).toHaveText(/The WebGPU device was lost .* restarted and camera frames now go to WebGPU as bitmaps; it runs on webgpu/, { timeout: 180_000 });
    const otherBefore = await frames(other);
    await expect(pane(DEFAULT_MODEL_ID).getByTestId('frames')).not.toHaveText('0', { timeout: 180_000 });
    await expect(pane(DEFAULT_MODEL_ID).getByTestId('frame-import')).toHaveAttribute('data-value', 'bitmap');
    // The other model's worker was not touched: no notice, and it classified on meanwhile.
    await expect(pane(other).getByTestId('pane-notice')).toHaveCount(0);
    await expect.poll(() => frames(other), { timeout: 180_000 }).toBeGreaterThan(otherBefore);
    await expect(pane(other).getByTestId('frame-import')).toHaveAttribute('data-value', 'external-texture');

    await injectFault(page, `compare:${other}`, 'crash');
    await expect(pane(other).getByTestId('pane-notice')).toHaveText(/stopped with an error .* restarted; it runs on webgpu/, { timeout: 180_000 });
    await expect(pane(other).getByTestId('frames')).not.toHaveText('0', { timeout: 180_000 });
    for (const id of [DEFAULT_MODEL_ID, other]) {
      await expect(pane(id).getByTestId('pane-backend')).toHaveText('webgpu');
      await expect(pane(id).locator('[role=alert]')).toHaveCount(0);
    }
    expect(cspViolations(page)).toEqual([]);
  } finally {
    await browser.close();
    await fx.close();
  }
});
