// Pinned downloads from the hub (issue 13), against tools/hub-server.ts, a local server that
// behaves like it: a 302 from https://weights.hf.co/<repo>/resolve/main/model.safetensors to a
// second origin (https://cdn-lfs.hf.co) that serves the file with CORS and Range. The files
// are timm-named random weights: the small fixtures of ../shared/fixtures/timm for the bad
// cases, and files in the full models' timm layout (from their key lists there) where a
// download must convert and run. Their pins replace the cards' through the test-only
// ?faults&hub=…&pin=… (workers/contracts/hub.ts). One browser for the whole spec.
import { test, expect, type Page } from '@playwright/test';
import { BASE_URL, ORIGIN, launch, openApp, waitForFrames, waitForServiceWorker } from '../../tools/app-harness';
import { serveHub, sha256, timmFixture, timmRandomFile, type HubServer } from '../../tools/hub-server';
import { storedIds } from '../../tools/zoo-driver';
import { IMAGENET_LABELS } from '../../models/imagenet-labels';

const V3L = 'mobilenet-v3-large-imagenet';
const V3S = 'mobilenet-v3-small-imagenet';
const REPO = {
  [V3L]: 'timm/mobilenetv3_large_100.ra_in1k',
  [V3S]: 'timm/mobilenetv3_small_100.lamb_in1k',
  v2: 'timm/mobilenetv2_100.ra_in1k',
  r34: 'timm/resnet34.a1_in1k',
  r50: 'timm/resnet50.a1_in1k',
  convnext: 'timm/convnext_tiny.fb_in1k',
};

let hub: HubServer;
let query: string;
let v3l: Uint8Array;
let v3sBytes = 0;

test.beforeAll(async () => {
  v3l = timmRandomFile('mobilenetv3_large_100');
  const v3s = timmRandomFile('mobilenetv3_small_100', 3);
  v3sBytes = v3s.length;
  const mnv2 = timmFixture('mobilenetv2_035.safetensors');
  const convnext = timmFixture('test_convnext.safetensors');
  hub = await serveHub(
    {
      [REPO[V3L]]: v3l,
      [REPO[V3S]]: v3s,
      // Wrong hash: the right length, other bytes (its pin below is another file's sha256).
      [REPO.v2]: mnv2,
      // No CORS on the CDN's answer.
      [REPO.r34]: convnext,
      // Quota running out partway (a file long enough to be written in several chunks).
      [REPO.r50]: v3l,
      // Wrong size: the card's own pin (about 114 MB) against a small file.
      [REPO.convnext]: convnext,
      // ResNet-18 is not there: 404.
    },
    { noCors: [REPO.r34] },
  );
  const pins = [
    `${V3L}:${sha256(v3l)}:${v3l.length}`,
    `${V3S}:${sha256(v3s)}:${v3s.length}`,
    `mobilenet-v2-imagenet:${sha256(convnext)}:${mnv2.length}`,
    `resnet50-imagenet:${sha256(v3l)}:${v3l.length}`,
  ];
  query = `backend=wasm&faults&hub=${encodeURIComponent(hub.origin)}&${pins.map((p) => `pin=${p}`).join('&')}`;
});
test.afterAll(async () => {
  await hub.close();
});

const box = (page: Page, id: string) => page.getByTestId(`hub-${id}`);
const downloadButton = (page: Page, id: string) => box(page, id).getByRole('button', { name: / · (download|retry download|resume .*)$/ });

/** Clicks `id`'s download and returns the message it ends with. */
async function download(page: Page, id: string): Promise<string> {
  await downloadButton(page, id).click();
  const m = box(page, id).getByTestId('hub-message');
  await expect(m).toBeVisible({ timeout: 120_000 });
  return (await m.textContent()) ?? '';
}

const partials = (page: Page) => storedIds(page, ['partials', 'partChunks']);

/** Waits until `id`'s received part on the device holds at least `bytes`. */
async function waitForPart(page: Page, id: string, bytes: number): Promise<number> {
  let got = 0;
  await expect
    .poll(async () => {
      got = await page.evaluate(
        (key) =>
          new Promise<number>((ok) => {
            const r = indexedDB.open('convcam');
            r.onsuccess = () => {
              const q = r.result.transaction('partials').objectStore('partials').get(key);
              q.onsuccess = () => {
                r.result.close();
                ok((q.result as { received?: number } | undefined)?.received ?? 0);
              };
            };
          }),
        id,
      );
      return got;
    }, { timeout: 120_000 })
    .toBeGreaterThanOrEqual(bytes);
  return got;
}

const isolated = (page: Page) => page.evaluate(() => crossOriginIsolated);

test('pinned downloads: bad cases, resume, and MobileNetV3-Large with one click, live, then offline', async () => {
  const { browser, context, page } = await launch({ webgpu: false });
  try {
    await openApp(page, query);
    await waitForServiceWorker(page);
    expect(await isolated(page)).toBe(true);
    await page.getByRole('button', { name: 'Models' }).click();

    await test.step('bad cases: a clear message each, nothing stored, and a retry', async () => {
      expect(await download(page, 'resnet18-imagenet')).toMatch(/^Could not import resnet18-imagenet: Could not download https:\/\/weights\.hf\.co\/timm\/resnet18\.a1_in1k\/resolve\/main\/model\.safetensors: HTTP 404 \(not found/);
      expect(hub.redirects).toContainEqual({ repo: 'timm/resnet18.a1_in1k', status: 404 });
      expect(await download(page, 'resnet34-imagenet')).toMatch(/the browser refused the answer from .*cross-origin requests \(CORS\)/);
      expect(await download(page, 'convnext-tiny-imagenet')).toMatch(/is [\d,]+ bytes, but the pinned file is about 114,000,000: it changed upstream or is not the pinned file, so it was not downloaded/);
      expect(await download(page, 'mobilenet-v2-imagenet')).toMatch(/has sha256 [0-9a-f]{64}, expected [0-9a-f]{64}: it changed upstream or is not the pinned file, so it was refused and nothing was stored/);
      await context.setOffline(true);
      expect(await download(page, 'mobilenet-v2-imagenet')).toMatch(/this device is offline\. Connect to the network and try again/);
      await context.setOffline(false);
      await expect(downloadButton(page, 'mobilenet-v2-imagenet')).toHaveText(/ · retry download$/);
      expect(await storedIds(page)).toEqual([]);
      expect(await partials(page)).toEqual([]);
    });

    await test.step('weights that do not fit say so before they start', async () => {
      // A device that gives this app 200 MB. Chromium's quota override (used below) does not
      // reach navigator.storage.estimate(), so the page's estimate is replaced, then restored.
      await page.evaluate(() => Object.defineProperty(navigator.storage, 'estimate', { configurable: true, value: async () => ({ usage: 8e6, quota: 200e6 }) }));
      await page.getByRole('button', { name: 'Live' }).click();
      await page.getByRole('button', { name: 'Models' }).click();
      await expect(box(page, 'vgg16-imagenet').getByTestId('hub-wont-fit')).toBeVisible();
      await expect(box(page, V3L).getByTestId('hub-wont-fit')).toHaveCount(0);
      const before = hub.redirects.length;
      expect(await download(page, 'vgg16-imagenet')).toMatch(/^VGG-16, ImageNet's weights \(553 MB\) do not fit on this device: downloading and converting them needs about 1\.03 GiB free, and the browser lets this app have 183\.1 MiB more/);
      expect(hub.redirects.length).toBe(before); // never asked for
      // Make available offline: the picked total against the estimate, before starting.
      await page.getByTestId(`offline-${V3L}`).check();
      await expect(page.getByTestId('offline-total')).toContainText('1 picked: 22 MB to download');
      await expect(page.getByTestId('offline-start')).toBeEnabled();
      await page.getByTestId('offline-vgg16-imagenet').check();
      await expect(page.getByTestId('offline-total')).toContainText('That does not fit: pick fewer.');
      await expect(page.getByTestId('offline-start')).toBeDisabled();
      await page.getByTestId('offline-vgg16-imagenet').uncheck();
      await page.getByTestId(`offline-${V3L}`).uncheck();
      await page.evaluate(() => delete (navigator.storage as { estimate?: unknown }).estimate);
    });

    await test.step('a reload midway resumes with Range from the part on the device', async () => {
      hub.drip(REPO[V3S], 50);
      await downloadButton(page, V3S).click();
      const kept = await waitForPart(page, V3S, 1 << 20);
      await page.reload();
      await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: 120_000 });
      await page.getByRole('button', { name: 'Models' }).click();
      await expect(downloadButton(page, V3S)).toHaveText(/ · resume \(\d+\.\d MB here\)$/);
      // Models → Storage on this device lists the kept part (it can be deleted there).
      await expect(page.locator(`[data-testid=stored-item][data-kind=download][data-id=${V3S}]`)).toContainText('(resumes)');
      hub.drip(REPO[V3S], 0);
      // Kept as int8 (the Models view's option): about a quarter of the file's bytes on the device.
      await page.getByTestId('store-int8').check();
      expect(await download(page, V3S)).toMatch(/^Stored mobilenet-v3-small-imagenet \(sha256 [0-9a-f]{12}…, as int8\): it runs offline from now on\.$/);
      const storedBytes = await page.locator(`[data-testid=stored-item][data-kind=weights][data-id=${V3S}]`).getByTestId('stored-bytes').getAttribute('data-bytes');
      expect(Number(storedBytes)).toBeLessThan(v3sBytes / 3);
      await page.getByTestId('store-int8').uncheck();
      const served = hub.served.filter((s) => s.repo === REPO[V3S]);
      expect(served[0]).toMatchObject({ status: 200, from: 0, complete: false });
      const last = served[served.length - 1]!;
      // Everything kept before the reload was asked for no more: the last answer starts there at the least.
      expect(last).toMatchObject({ status: 206, complete: true });
      expect(last.from).toBeGreaterThanOrEqual(kept);
      expect(served.every((s) => s.status === 206 || s === served[0])).toBe(true);
      // `Range: bytes=N-` is a CORS-safelisted header: no preflight, as with the real hub.
      expect(hub.preflights).toEqual([]);
      expect(await partials(page)).toEqual([]);
    });

    await test.step('a new user: MobileNetV3-Large with one click in the Live view, a dropped connection resumed, then live', async () => {
      await page.getByRole('button', { name: 'Live' }).click();
      const cutAt = Math.floor(v3l.length * 0.4);
      hub.cutNext(REPO[V3L], cutAt);
      const button = page.getByTestId('hub-downloads').getByRole('button', { name: 'MobileNetV3-Large · 22 MB · download' });
      await button.click();
      await expect(page.getByTestId('hub-downloads').getByTestId(`hub-${V3L}`).getByTestId('hub-message')).toHaveText(/^Stored mobilenet-v3-large-imagenet/, { timeout: 120_000 });
      const served = hub.served.filter((s) => s.repo === REPO[V3L]);
      expect(served).toHaveLength(2);
      expect(served[0]).toMatchObject({ status: 200, from: 0, sent: cutAt, complete: false });
      expect(served[1]).toMatchObject({ status: 206, complete: true });
      expect(served[1]!.from).toBeGreaterThan(0);
      expect(served[1]!.from).toBeLessThanOrEqual(cutAt);
      // The picker that offered it runs it.
      await expect(page.getByTestId('model-picker')).toHaveValue(V3L);
      await expect(page.getByTestId('weights-sha')).toHaveAttribute('data-value', sha256(v3l), { timeout: 300_000 });
      await page.getByRole('button', { name: 'Start camera' }).click();
      await waitForFrames(page, 2);
      expect(IMAGENET_LABELS).toContain(await page.getByTestId('top1').getAttribute('data-label'));
      expect(await isolated(page)).toBe(true);
    });

    await test.step('the next start is offline', async () => {
      const requests = hub.redirects.length + hub.served.length;
      await context.setOffline(true);
      await page.reload();
      await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: 120_000 });
      await page.getByTestId('model-picker').selectOption(V3L);
      await expect(page.getByTestId('weights-sha')).toHaveAttribute('data-value', sha256(v3l), { timeout: 300_000 });
      await page.getByRole('button', { name: 'Start camera' }).click();
      await waitForFrames(page, 2);
      expect(hub.redirects.length + hub.served.length).toBe(requests);
      expect(await isolated(page)).toBe(true);
    });
    await test.step('the quota running out partway stores nothing, and says where to free space', async () => {
      // A fresh profile whose quota is set before it stores anything (Chromium's override does
      // not take for an origin whose storage is already open, nor reach navigator.storage.estimate()):
      // the estimate lets the download start, and the first write of received bytes, at 1 MiB of 22 MB, fails.
      const other = await browser.newContext({ baseURL: BASE_URL });
      try {
        const p2 = await other.newPage();
        await (await other.newCDPSession(p2)).send('Storage.overrideQuotaForOrigin', { origin: ORIGIN, quotaSize: 64 * 1024 });
        await openApp(p2, query);
        await p2.getByRole('button', { name: 'Models' }).click();
        expect(await download(p2, 'resnet50-imagenet')).toMatch(/^Could not import resnet50-imagenet: Not enough storage for the download of resnet50-imagenet .*Models → Storage on this device.*nothing was saved/);
        expect(await storedIds(p2)).toEqual([]);
        expect(await partials(p2)).toEqual([]);
        await expect(downloadButton(p2, 'resnet50-imagenet')).toHaveText(/ · retry download$/);
      } finally {
        await other.close();
      }
    });
  } finally {
    await browser.close();
  }
});
