// Models view: import weights from a URL (a local server here), verify, store in
// IndexedDB, use them in the live view, and again after an offline reload. Broken files and
// a full quota give clear errors and store nothing.
import { test, expect, type Page } from '@playwright/test';
import { ORIGIN, ROOT, launch, openApp, waitForFrames, waitForServiceWorker } from '../../tools/app-harness';
import { CARDS } from '../../models/registry';
import type { LineTable } from '../../models/line-table';
import { readFileSync } from 'node:fs';
import { serveWeights, type WeightFixtures } from '../../tools/fixture-server';
import { importWeights, startImport, storedIds } from '../../tools/zoo-driver';

/** What npm run table measured (models/line-table.json), as the Models view shows it. */
const lineTable = JSON.parse(readFileSync(`${ROOT}/models/line-table.json`, 'utf8')) as LineTable;

const MODEL = 'lenet5-modern-mnist';
let fx: WeightFixtures;

test.beforeAll(async () => {
  fx = await serveWeights(MODEL);
});
test.afterAll(async () => {
  await fx.close();
});

function tryImport(page: Page, file: string, sha = ''): Promise<string> {
  return importWeights(page, MODEL, `${fx.base}/${file}`, sha);
}

test('import, verify, cache, use, and use again offline', async () => {
  const { browser, context, page } = await launch({ webgpu: false });
  try {
    await openApp(page, 'backend=wasm');
    await waitForServiceWorker(page);
    await page.getByRole('button', { name: 'Models' }).click();
    const row = page.locator(`tr[data-model="${MODEL}"]`);
    await expect(row.getByTestId('cached')).toHaveText('no');

    expect(await tryImport(page, 'corrupt.safetensors', fx.sha256)).toMatch(/sha256 [0-9a-f]{64}, expected/);
    expect(await tryImport(page, 'truncated.safetensors')).toMatch(/truncated/);
    expect(await tryImport(page, 'not-safetensors.safetensors')).toMatch(/Not a safetensors file/);
    expect(await tryImport(page, 'wrong-shape.safetensors')).toMatch(/has shape .* expected/);
    // Weights that are not numbers are refused, naming the tensor (issue 18, item 5).
    expect(await tryImport(page, 'nan.safetensors')).toMatch(/^Could not import lenet5-modern-mnist: Tensor [\w.]+ holds NaN \(value 0 of it\): the weights are damaged, so nothing was stored\.$/);
    expect(await tryImport(page, 'good.safetensors', 'abc')).toMatch(/64 hexadecimal/);
    expect(await storedIds(page)).toEqual([]);
    // A download cancelled halfway stops, and stores nothing.
    await page.getByTestId('import-url').fill(`${fx.base}/slow.safetensors`);
    await page.getByTestId('import-sha').fill(fx.sha256);
    await page.getByRole('form', { name: /Import weights for/ }).getByRole('button', { name: 'Import', exact: true }).click();
    await expect(page.getByTestId('import-progress')).toHaveAttribute('value', /^[1-9]\d?$/); // some, not all
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByTestId('zoo-message')).toHaveText(`The import of ${MODEL} was cancelled; nothing was stored.`);
    await expect(page.getByTestId('import-progress')).toHaveCount(0);
    expect(await storedIds(page)).toEqual([]);
    // The download itself stopped: the browser closed the connection before the file was sent.
    const slow = fx.served.filter((s) => s.path === '/slow.safetensors');
    expect(slow).toHaveLength(1);
    expect(slow[0]!.complete).toBe(false);

    // A picked file does not hide a typed URL (issue 18): the form says which source it uses,
    // and the file can be cleared.
    await page.locator('form[aria-label^="Import weights"] input[type=file]').setInputFiles({ name: 'junk.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('junk') });
    await expect(page.getByTestId('import-source')).toHaveText('Imports the file junk.safetensors (the URL is not used while a file is picked).');
    await page.getByRole('button', { name: 'Clear file' }).click();
    await expect(page.locator('form[aria-label^="Import weights"] input[type=file]')).toHaveValue('');
    await page.getByTestId('import-url').fill(`${fx.base}/good.safetensors`);
    await expect(page.getByTestId('import-source')).toHaveText(`Imports the URL ${fx.base}/good.safetensors.`);
    expect(await tryImport(page, 'good.safetensors', fx.sha256)).toMatch(/Stored lenet5-modern-mnist/);
    await expect(row.getByTestId('cached')).toHaveText(/^[\d.]+ (KiB|MiB)$/);
    expect(await storedIds(page)).toEqual([`models:${MODEL}`, `tensors:${MODEL}`]);

    await row.getByRole('button', { name: 'Layers' }).click();
    await expect(page.getByTestId('layer-table').locator('tbody tr')).toHaveCount(5);

    await page.getByRole('button', { name: 'Live' }).click();
    await page.getByTestId('model-picker').selectOption(MODEL);
    await expect(page.locator(`[data-model="${MODEL}"]`).getByText('Params')).toBeVisible({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Start camera' }).click();
    await waitForFrames(page, 2);

    // New weights for the model shown live (issue 18, item 1): the pane reloads them, says so,
    // and goes on classifying.
    await page.getByRole('button', { name: 'Models' }).click();
    expect(await tryImport(page, 'good.safetensors', fx.sha256)).toMatch(/Stored lenet5-modern-mnist/);
    await page.getByRole('button', { name: 'Live' }).click();
    const pane = page.locator(`[data-model="${MODEL}"]`);
    await expect(pane.getByTestId('pane-notice')).toHaveText(/new weights .* were imported; the model was reloaded with them/);
    await waitForFrames(page, 2);
    await expect(pane.locator('[role=alert]')).toHaveCount(0);

    await context.setOffline(true);
    await page.reload();
    await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: 120_000 });
    await page.getByTestId('model-picker').selectOption(MODEL);
    await expect(page.locator(`[data-model="${MODEL}"]`).getByText('Params')).toBeVisible({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Start camera' }).click();
    await waitForFrames(page, 2);

    await context.setOffline(false);
    await page.getByRole('button', { name: 'Models' }).click();
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect(row.getByTestId('cached')).toHaveText('no');
    expect(await storedIds(page)).toEqual([]);
    // It was the model shown live: the default model took its place, and the pane says why.
    await page.getByRole('button', { name: 'Live' }).click();
    await expect(page.getByTestId('pane-notice')).toHaveText(/^LeNet-5 \(modern.* was deleted in Models, so .* runs instead\.$/);
    await expect(page.getByTestId('model-picker')).toHaveValue('airbench-cifar10');
  } finally {
    await browser.close();
  }
});

test('a download that fails says why: a cross-origin refusal names the host and CORS; offline, cut short and stalled each say so', async () => {
  const { browser, context, page } = await launch({ webgpu: false });
  try {
    await openApp(page, 'backend=wasm&faults&stall=2');
    await page.getByRole('button', { name: 'Models' }).click();
    // Online, each of these is a cross-origin request the browser refuses (issue 18, item 8).
    for (const f of ['no-cors', 'redirect-no-cors', 'redirect-loop', 'missing-no-cors']) {
      const m = await tryImport(page, `${f}.safetensors`);
      expect(m).toContain(`${fx.base}/${f}.safetensors`);
      expect(m).toMatch(/weights\.hf\.co .*must allow cross-origin requests \(CORS\).*[Dd]ownload the file .* import it from disk/);
      expect(m).not.toMatch(/offline/);
    }
    const cut = (await tryImport(page, 'cut-short.safetensors')).match(/The download of (\S+) was cut short: ([\d,]+) of ([\d,]+) bytes arrived\./);
    expect(cut?.[1]).toBe(`${fx.base}/cut-short.safetensors`);
    const [got, want] = [Number(cut![2]!.replace(/,/g, '')), Number(cut![3]!.replace(/,/g, ''))];
    expect(want).toBe(fx.bytes);
    expect(got).toBeLessThan(want);
    // Headers and a little, then nothing; and no answer at all.
    for (const f of ['stall', 'silent']) {
      expect(await tryImport(page, `${f}.safetensors`)).toContain(`weights.hf.co sent nothing for 2 s, so the download of ${fx.base}/${f}.safetensors was stopped.`);
    }
    await context.setOffline(true);
    const offline = await tryImport(page, 'good.safetensors', fx.sha256);
    expect(offline).toMatch(/offline/);
    expect(offline).not.toMatch(/CORS/);
    await context.setOffline(false);
    expect(await storedIds(page)).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('two imports at once, on different models, each keep their own progress and message', async () => {
  const { browser, page } = await launch({ webgpu: false });
  try {
    // ?faults&stall=2: the test-only switch shortens the stall timeout from 30 s to 2 s.
    await openApp(page, 'backend=wasm&faults&stall=2');
    await page.getByRole('button', { name: 'Models' }).click();
    const slow = await startImport(page, MODEL, `${fx.base}/slow.safetensors`, fx.sha256);
    await expect(slow.getByTestId('import-progress')).toHaveAttribute('value', /^[1-9]\d?$/);
    // A second model's import, from a server that stops sending: it ends on its own message.
    const other = 'lenet5-mnist';
    const stalled = await startImport(page, other, `${fx.base}/stall.safetensors`);
    await expect(stalled.getByTestId('zoo-message')).toHaveText(/^Could not import lenet5-mnist: weights\.hf\.co sent nothing for 2 s/);
    // The first is still going, with its own progress and no message.
    await expect(slow.getByTestId('import-progress')).toHaveAttribute('value', /^[1-9]\d?$/);
    await expect(slow.getByTestId('zoo-message')).toHaveCount(0);
    await expect(slow.getByTestId('zoo-message')).toHaveText(/^Stored lenet5-modern-mnist/, { timeout: 120_000 });
    await expect(stalled.getByTestId('zoo-message')).toHaveText(/sent nothing for 2 s/);
    expect(await storedIds(page)).toEqual([`models:${MODEL}`, `tensors:${MODEL}`]);
  } finally {
    await browser.close();
  }
});

test('a full storage quota gives a clear error and stores nothing', async () => {
  const { browser, context, page } = await launch({ webgpu: false });
  try {
    await openApp(page, 'backend=wasm');
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: ORIGIN, quotaSize: 64 * 1024 });
    await page.getByRole('button', { name: 'Models' }).click();
    // It says where to free space: the Models view's list of everything stored.
    expect(await tryImport(page, 'good.safetensors', fx.sha256)).toMatch(/Not enough storage.*Models → Storage on this device/);
    expect(await storedIds(page)).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('layer tables, and MobileNet v1 separable costs against standard convolutions', async () => {
  const { browser, page } = await launch({ webgpu: false });
  try {
    await openApp(page, 'backend=wasm');
    await page.getByRole('button', { name: 'Models' }).click();
    await expect(page.locator('tbody > tr[data-model]')).toHaveCount(CARDS.length);
    // The CIFAR-10 table, as npm run table measured it.
    await page.getByTestId('line-table').locator('summary').click();
    for (const r of lineTable.rows) await expect(page.locator(`tr[data-line-model="${r.id}"]`).getByTestId('top1')).toHaveText(`${(100 * r.top1).toFixed(1)}%`);
    await page.locator('tr[data-model="mobilenet-v1-1.0-imagenet"]').getByRole('button', { name: 'Layers' }).click();
    const costs = page.getByTestId('separable-costs');
    await expect(costs.locator('tbody tr')).toHaveCount(14);
    // Block 2 (M=64, N=128, D_F=112, stride 2 counted on the output: 56).
    await expect(costs.locator('tbody tr').nth(1)).toContainText('0.119');
    await expect(page.getByTestId('layer-table').locator('tbody tr')).toHaveCount(28);
    // On a phone the table scrolls inside its box and the page stays as wide as the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const box = page.getByTestId('models-scroll');
    expect(await box.evaluate((e) => e.scrollWidth > e.clientWidth && e.getBoundingClientRect().right <= 390)).toBe(true);
    const importButton = page.locator(`tr[data-model="${MODEL}"]`).getByRole('button', { name: 'Import…' });
    await importButton.scrollIntoViewIfNeeded();
    const b = (await importButton.boundingBox())!;
    expect(b.x + b.width).toBeLessThanOrEqual(390);
  } finally {
    await browser.close();
  }
});
