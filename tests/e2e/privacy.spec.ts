// Frames never leave the device: no request at all while live classification runs.
import { test, expect } from '@playwright/test';
import { launch, openApp, waitForFrames, waitForServiceWorker } from '../../tools/app-harness';

test('no network request while the camera is classified', async () => {
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
  } finally {
    await browser.close();
  }
});
