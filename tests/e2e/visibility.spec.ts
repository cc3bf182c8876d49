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

test('pauses while hidden', async () => {
  const { browser, page } = await launch({ webgpu: false });
  try {
    await openApp(page, 'backend=wasm');
    await page.getByRole('button', { name: 'Start camera' }).click();
    await waitForFrames(page, 5);
    await setHidden(page, true);
    await expect(page.getByText('Paused while the tab is hidden')).toBeVisible();
    await page.waitForTimeout(500); // let the frame in flight finish
    const paused = await framesShown(page);
    await page.waitForTimeout(2000);
    expect(await framesShown(page)).toBe(paused);
    await setHidden(page, false);
    await waitForFrames(page, paused + 5);
  } finally {
    await browser.close();
  }
});
