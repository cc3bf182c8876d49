// Frames never leave the device: no request at all while live classification runs.
import { test, expect } from '@playwright/test';
import { launch, openApp, waitForFrames, waitForServiceWorker } from '../../tools/app-harness';

test('no network request while the camera is classified, nor while the Teach view records and learns', async () => {
  const { browser, context, page } = await launch();
  try {
    await openApp(page);
    // The service worker's precache downloads are app files, not frames: let them finish.
    await waitForServiceWorker(page);
    const seen: string[] = [];
    context.on('request', (r) => seen.push(`${r.method()} ${r.url()}`));
    page.on('request', (r) => seen.push(`${r.method()} ${r.url()}`));
    await page.getByRole('button', { name: 'Start camera' }).click();
    await waitForFrames(page, 5);
    expect(seen).toEqual([]);
    // The Teach view: samples recorded from the camera and learned from stay on the device.
    // (Opening it loads the backbone's weights, an app file, like the live model's.)
    await page.getByRole('button', { name: 'Teach', exact: true }).click();
    await expect(page.getByTestId('backbone')).toHaveAttribute('data-loaded', /.+/, { timeout: 120_000 });
    seen.length = 0;
    for (const name of ['mine', 'yours']) {
      await page.getByTestId('new-class-name').fill(name);
      await page.getByTestId('add-class').click();
    }
    for (const i of [0, 1]) {
      const record = page.getByTestId(`class-${i}`).getByTestId('record');
      await record.hover();
      await page.mouse.down();
      await expect(page.getByTestId(`class-${i}`).getByTestId('sample')).not.toHaveCount(0);
      await page.mouse.up();
    }
    await page.getByTestId('learn-instant').click();
    await expect(page.getByTestId('result-instant')).toHaveAttribute('data-model', /^taught-instant-/);
    // Thumbnails are blob: URLs, read from the page's own memory: no request leaves the device.
    expect(seen.filter((r) => !/^GET blob:/.test(r))).toEqual([]);
    expect(seen.length).toBeGreaterThan(0);
  } finally {
    await browser.close();
  }
});
