// A phone user's first minute (issue 17), on wasm with the fake camera: at 390×844 the video
// and the answer drawn on it are both on screen after "Start camera", and the answer is the
// pane's top-1; the same at 360×640, portrait and landscape; Start/Stop and the camera switch
// within a thumb's reach; touch targets of 44 px; the engineering figures under "Details";
// the offline badge and the Install button; in Compare, each model's top-1 as a legend.
import { test, expect, type Locator, type Page } from '@playwright/test';
import { chooseCompared, cifarVideo, cspViolations, launch, loadCifarTest, openApp, waitForFrames, waitForServiceWorker } from '../../tools/app-harness';
import { DEFAULT_COMPARISON } from '../../models/registry';

const PORTRAIT = { width: 390, height: 844 };
const SIZES = [PORTRAIT, { width: 844, height: 390 }, { width: 360, height: 640 }, { width: 640, height: 360 }];
/** WCAG 2.5.5's target size, in CSS pixels. */
const TOUCH = 44;

async function box(l: Locator) {
  const b = await l.boundingBox();
  if (!b) throw new Error('not rendered');
  return b;
}

/** Wholly inside the viewport (nothing to scroll to). */
async function expectOnScreen(page: Page, l: Locator, what: string): Promise<void> {
  const vp = page.viewportSize()!;
  const b = await box(l);
  const where = `${what} at ${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}×${Math.round(b.height)} in ${vp.width}×${vp.height}`;
  expect(b.x >= 0 && b.y >= 0 && b.x + b.width <= vp.width + 0.5 && b.y + b.height <= vp.height + 0.5, where).toBe(true);
}

/** Every visible button, select and summary at least 44×44 px. */
async function expectTouchTargets(page: Page): Promise<void> {
  const small = await page.evaluate((min) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('button, select, summary, input[type=file]')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.closest('[hidden]')) continue;
      if (r.width < min - 0.5 || r.height < min - 0.5) out.push(`${el.tagName} "${el.textContent?.trim().slice(0, 30)}" ${r.width.toFixed(0)}×${r.height.toFixed(0)}`);
    }
    return out;
  }, TOUCH);
  expect(small).toEqual([]);
}

/** The answer over the video and the pane's top-1, read in one task. */
async function answers(page: Page): Promise<{ overlay: string | null; pane: string | null }> {
  return page.evaluate(() => ({
    overlay: document.querySelector('[data-testid=answer]')?.getAttribute('data-label') ?? null,
    pane: document.querySelector('[data-testid=top1]')?.getAttribute('data-label') ?? null,
  }));
}

test('the answer on the video at phone sizes, details on request, offline badge, install, compare legend', async () => {
  // Four CIFAR-10 images, a second each, so the answer changes while the test looks at it.
  const { images } = loadCifarTest(4);
  const video = cifarVideo('phone.y4m', images, 10);
  const { browser, context, page } = await launch({ webgpu: false, video });
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  try {
    await page.setViewportSize(PORTRAIT);
    await openApp(page, 'backend=wasm');
    const start = page.getByRole('button', { name: 'Start camera' });

    await test.step('Start camera: video and answer on screen, the answer is the pane\'s top-1', async () => {
      await expectTouchTargets(page);
      await start.click();
      await waitForFrames(page, 3);
      for (const size of SIZES) {
        await page.setViewportSize(size);
        await page.evaluate(() => window.scrollTo(0, 0));
        await expectOnScreen(page, page.locator('video'), 'the video');
        await expectOnScreen(page, page.getByTestId('answer-label'), 'the answer');
        // One thumb: the controls are on screen, in the bottom half (portrait) or at the right edge (landscape).
        for (const name of ['Stop camera', 'Front / back']) {
          const b = page.getByRole('button', { name });
          await expectOnScreen(page, b, name);
          const bb = await box(b);
          if (size.height > size.width) expect(bb.y, `${name} in the bottom half`).toBeGreaterThan(size.height / 2);
          else expect(bb.x, `${name} in the right third`).toBeGreaterThan((2 * size.width) / 3);
        }
        await expectTouchTargets(page);
        // The page is no wider than the screen (the model picker used to widen it).
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(size.width);
      }
      await page.setViewportSize(PORTRAIT);
      const a = await answers(page);
      expect(a.overlay).not.toBeNull();
      expect(a.overlay).toBe(a.pane);
      // It follows the results: wait for another image's answer, and compare again.
      await page.waitForFunction((first) => document.querySelector('[data-testid=answer]')?.getAttribute('data-label') !== first, a.overlay, { timeout: 120_000 });
      const b = await answers(page);
      expect(b.overlay).toBe(b.pane);
    });

    await test.step('the top-5 one tap away on the answer', async () => {
      await page.getByTestId('answer').click();
      await expect(page.getByTestId('answer-top5').locator('li')).toHaveCount(5);
      await page.getByTestId('answer').click();
      await expect(page.getByTestId('answer-top5')).toHaveCount(0);
    });

    await test.step('engineering figures under Details', async () => {
      const backend = page.getByTestId('backend');
      await expect(backend).toBeHidden();
      await page.getByRole('button', { name: 'Details', exact: true }).click();
      await expect(backend).toBeVisible();
      await expect(backend).toContainText('wasm');
      const latency = page.getByTestId('model-latency');
      await expect(latency).toBeHidden();
      await page.getByTestId('top5').locator('xpath=..').locator('summary', { hasText: 'Details' }).click();
      await expect(latency).toBeVisible();
      await expect(page.getByTestId('fps')).toBeVisible();
    });

    await test.step('offline: a badge, and classification goes on', async () => {
      await waitForServiceWorker(page);
      await expect(page.getByTestId('offline-badge')).toHaveCount(0);
      await context.setOffline(true);
      await expect(page.getByTestId('offline-badge')).toBeVisible();
      await expect(page.getByTestId('offline-badge')).toContainText('classif');
      const before = Number(await page.getByTestId('frames').textContent());
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid=frames]')?.textContent) > n + 2, before, { timeout: 120_000 });
      // A view not opened yet is imported now, from the service worker's precache.
      await page.getByRole('button', { name: 'Models' }).click();
      await expect(page.getByTestId('storage-used')).toBeVisible();
      await page.getByRole('button', { name: 'Live' }).click();
      await expect(page.getByTestId('answer')).toBeVisible();
      await context.setOffline(false);
      await expect(page.getByTestId('offline-badge')).toHaveCount(0);
    });

    await test.step('Install when the browser offers it', async () => {
      const install = page.getByRole('button', { name: 'Install' });
      await expect(install).toHaveCount(0);
      // Headless Chromium never offers installation itself; the event is the browser's own
      // interface (prompt, userChoice), dispatched as Chromium would.
      await page.evaluate(() => {
        const e = new Event('beforeinstallprompt', { cancelable: true }) as Event & { prompt(): Promise<void>; userChoice: Promise<{ outcome: string }> };
        e.prompt = async () => void ((window as unknown as { prompted: number }).prompted = 1);
        e.userChoice = Promise.resolve({ outcome: 'accepted' });
        window.dispatchEvent(e);
      });
      await expect(install).toBeVisible();
      expect((await box(install)).height).toBeGreaterThanOrEqual(TOUCH - 0.5);
      await install.click();
      await expect(install).toHaveCount(0);
      await expect(page.getByRole('status').filter({ hasText: /^Installed$/ })).toBeVisible();
      expect(await page.evaluate(() => (window as unknown as { prompted?: number }).prompted)).toBe(1);
    });

    await test.step("Compare: each model's top-1 over the shared video", async () => {
      await page.getByRole('button', { name: 'Compare' }).click();
      // The shipped line it opens with: four small models with long names.
      const ids = [...DEFAULT_COMPARISON];
      await chooseCompared(page, ids);
      await page.getByRole('button', { name: 'Run comparison' }).click();
      await expect(page.getByTestId('legend-item')).toHaveCount(ids.length, { timeout: 120_000 });
      await page.evaluate(() => window.scrollTo(0, 0));
      const legend = await box(page.getByTestId('answer-legend'));
      await expectOnScreen(page, page.getByTestId('answer-legend'), 'the legend');
      // Long model names are cut short, never the label and its probability.
      for (const item of await page.getByTestId('legend-item').all()) {
        for (const part of [item.locator('strong'), item.locator('.p')]) {
          const b = await box(part);
          expect(b.x + b.width, 'inside the legend').toBeLessThanOrEqual(legend.x + legend.width + 0.5);
        }
      }
      const rows = await page.evaluate(() =>
        [...document.querySelectorAll('[data-testid=legend-item]')].map((li) => ({
          id: li.getAttribute('data-model'),
          legend: li.getAttribute('data-label'),
          pane: document.querySelector(`[data-compare-model="${li.getAttribute('data-model')}"] [data-testid=top1]`)?.getAttribute('data-label'),
        })),
      );
      expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
      for (const r of rows) expect(r.legend, r.id!).toBe(r.pane);
    });

    expect(cspViolations(page)).toEqual([]);
    // The offline step's failed requests (the service worker's update check) are not the app's errors.
    expect(consoleErrors.filter((t) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(t))).toEqual([]);
  } finally {
    await browser.close();
  }
});
