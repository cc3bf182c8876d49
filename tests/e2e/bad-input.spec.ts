// Each kind of bad input gets a clear message, and the app keeps working.
import { test, expect, type Page } from '@playwright/test';
import { launch, openApp, backendName } from '../../tools/app-harness';

/** A real PNG made by the browser, to show the app still classifies after an error. */
async function pngBytes(page: Page): Promise<Buffer> {
  const bytes = await page.evaluate(async () => {
    const c = new OffscreenCanvas(64, 48);
    const g = c.getContext('2d')!;
    g.fillStyle = '#3366cc';
    g.fillRect(0, 0, 64, 48);
    return [...new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer())];
  });
  return Buffer.from(bytes);
}

test('camera permission denied', async () => {
  const { browser, page } = await launch({ allowCamera: false, webgpu: false });
  try {
    await openApp(page);
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('camera-error')).toContainText('permission was denied');
  } finally {
    await browser.close();
  }
});

test('no camera on the device', async () => {
  const { browser, page } = await launch({ camera: false, webgpu: false });
  try {
    await openApp(page);
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('camera-error')).toContainText('No camera was found');
  } finally {
    await browser.close();
  }
});

test('a file that is not an image, then a broken image, then a good one', async () => {
  const { browser, page } = await launch({ webgpu: false });
  try {
    // A good image given while the model is still loading waits for it (it once was dropped
    // silently when the 'Ready' line came a moment before the model was usable).
    await page.goto('/?backend=wasm');
    const input = page.getByTestId('file-input');
    await input.setInputFiles({ name: 'early.png', mimeType: 'image/png', buffer: await pngBytes(page) });
    await expect(page.getByText('From file: early.png')).toBeVisible({ timeout: 120_000 });
    await input.setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await expect(page.getByTestId('file-error')).toContainText('"notes.txt" is not an image');
    await input.setInputFiles({ name: 'broken.png', mimeType: 'image/png', buffer: Buffer.from('not really a png') });
    await expect(page.getByTestId('file-error')).toContainText('could not be decoded');
    await input.setInputFiles({ name: 'blue.png', mimeType: 'image/png', buffer: await pngBytes(page) });
    await expect(page.getByText('From file: blue.png')).toBeVisible();
    await expect(page.getByTestId('file-error')).toHaveCount(0);
    await expect(page.getByTestId('top1')).toBeVisible();
  } finally {
    await browser.close();
  }
});

test('WebGPU unavailable: the app falls back and says why', async () => {
  const { browser, page } = await launch({ webgpu: false });
  try {
    await openApp(page);
    const name = await backendName(page);
    expect(name).not.toBe('webgpu');
    await expect(page.getByTestId('backend')).toContainText('webgpu: WebGPU');
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.getByTestId('top1')).toBeVisible();
  } finally {
    await browser.close();
  }
});
