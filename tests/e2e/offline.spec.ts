// Installable PWA: manifest and icons, a service worker that precaches the shell and the
// model, and classification after a reload with the network cut.
import { test, expect } from '@playwright/test';
import { BASE_URL, cspViolations, launch, openApp, waitForFrames, waitForServiceWorker } from '../../tools/app-harness';
import { CARDS } from '../../models/registry';
import { formatBytes } from '../../src/lib/stats';

test('installable: manifest, icons and a service worker', async () => {
  const { browser, page } = await launch({ webgpu: false });
  try {
    await page.goto('/');
    const href = await page.locator('link[rel=manifest]').getAttribute('href');
    expect(href).toBeTruthy();
    const manifest = await (await page.request.get(href!)).json();
    expect(manifest.display).toBe('standalone');
    const sizes = manifest.icons.map((i: { sizes: string }) => i.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) expect((await page.request.get(icon.src)).status()).toBe(200);
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(BASE_URL);
  } finally {
    await browser.close();
  }
});

test('after one online visit, a reload with the network cut still classifies', async () => {
  const { browser, context, page } = await launch();
  try {
    await openApp(page);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await waitForServiceWorker(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    await context.setOffline(true);
    const reloaded = await page.reload();
    // The page itself came from the service worker's precache.
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Start camera' }).click();
    await waitForFrames(page, 2);
    await expect(page.getByTestId('top1')).toBeVisible();
    // The network really is cut: a URL outside the precache cannot be fetched. (navigator.onLine
    // is not checked: Chromium reports it true again after a reload under emulated offline.)
    const probe = await page.evaluate(() =>
      fetch(`/not-precached-${Date.now()}.txt`, { cache: 'no-store' }).then(
        (r) => `status ${r.status}`,
        () => 'failed',
      ),
    );
    expect(probe).toBe('failed');
    // The service worker's copy of the page keeps COOP/COEP, so wasm still gets threads.
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    // Served from the cache, the page keeps its Content-Security-Policy and runs under it.
    expect(reloaded?.headers()['content-security-policy']).toMatch(/^default-src 'self'/);
    expect(cspViolations(page)).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('shipped models beyond the default: "Make all available offline" fetches them, and offline they run', async () => {
  const { browser, context, page } = await launch({ webgpu: false });
  try {
    await openApp(page, 'backend=wasm');
    await waitForServiceWorker(page);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    await page.getByRole('button', { name: 'Models' }).click();
    const shipped = CARDS.filter((c) => c.weights.embedded && !c.weights.precache);
    expect(shipped.length).toBeGreaterThan(0);
    const last = shipped.at(-1)!;
    await expect(page.locator(`tr[data-model="${last.id}"]`).getByTestId('cached')).toContainText('fetched when first used');
    const total = shipped.reduce((n, c) => n + c.weights.bytes, 0);
    await expect(page.getByTestId('make-offline')).toHaveText(`Make all available offline (${formatBytes(total)})`);
    await page.getByTestId('make-offline').click();
    await expect(page.getByTestId('all-offline')).toBeVisible({ timeout: 60_000 });
    await expect(page.locator(`tr[data-model="${last.id}"]`).getByTestId('cached')).toContainText('offline');

    await context.setOffline(true);
    await page.reload();
    await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: 120_000 });
    for (const card of shipped) {
      await page.getByTestId('model-picker').selectOption(card.id);
      await expect(page.locator(`[data-model="${card.id}"]`).getByTestId('weights-sha')).toHaveAttribute('data-value', card.weights.sha256, { timeout: 60_000 });
    }
    await page.getByRole('button', { name: 'Start camera' }).click();
    await waitForFrames(page, 2);
    expect(cspViolations(page)).toEqual([]);
  } finally {
    await browser.close();
  }
});
