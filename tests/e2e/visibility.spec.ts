// Classification pauses while the tab is hidden and resumes when it is shown again.
import { test, expect, type Page } from '@playwright/test';
import { launch, openApp, waitForFrames, framesShown } from '../../tools/app-harness';

async function setHidden(page: Page, hidden: boolean) {
  // Headless Chromium keeps a lone tab visible, so the test sets what the page reads and
  // fires the real event that the app listens to.
  await page.evaluate((h) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/** Resolves once the camera video has played `seconds` further. */
async function videoAdvances(page: Page, seconds: number): Promise<void> {
  const from = await page.evaluate(() => document.querySelector('video')!.currentTime);
  await page.waitForFunction(([t, s]) => document.querySelector('video')!.currentTime >= t + s, [from, seconds] as const, { polling: 100 });
}

test('pauses while hidden', async () => {
  const { browser, page } = await launch({ webgpu: false });
  try {
    await openApp(page, 'backend=wasm');
    await page.getByRole('button', { name: 'Start camera' }).click();
    await waitForFrames(page, 5);
    await setHidden(page, true);
    await expect(page.getByText('Paused while the tab is hidden')).toBeVisible();
    // Measured on the camera's own clock, not by sleeping: the video plays on while hidden.
    await videoAdvances(page, 0.5); // the frame in flight (if any) finishes
    const paused = await framesShown(page);
    await videoAdvances(page, 2); // about 20 camera frames at 10 fps, none classified
    expect(await framesShown(page)).toBe(paused);
    await setHidden(page, false);
    await waitForFrames(page, paused + 5);
  } finally {
    await browser.close();
  }
});
