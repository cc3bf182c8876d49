// Compare view: two different architectures (the embedded airbench, and LeNet-5 (MNIST) with
// random weights imported from the local server) on the same fake-camera frames, on wasm
// (SwiftShader WebGPU would take seconds per frame). Figures, chart and both exports.
import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { chooseCompared, cifarVideo, cspViolations, launch, openApp, loadCifarTest } from '../../tools/app-harness';
import { importWeights } from '../../tools/zoo-driver';
import { serveWeights, type WeightFixtures } from '../../tools/fixture-server';
import { findCard, DEFAULT_COMPARISON, DEFAULT_MODEL_ID } from '../../models/registry';
import type { CompareExport } from '../../src/lib/compare';

const A = DEFAULT_MODEL_ID;
const B = 'lenet5-modern-mnist';
const MIN_FRAMES = 5;
let fx: WeightFixtures;

test.beforeAll(async () => {
  fx = await serveWeights(B);
});
test.afterAll(async () => {
  await fx.close();
});

async function downloaded(page: Page, button: string): Promise<{ name: string; text: string }> {
  const [d] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  return { name: d.suggestedFilename(), text: readFileSync((await d.path())!, 'utf8') };
}

test('a fresh install compares the shipped line at once, with no import', async () => {
  const { images } = loadCifarTest(2);
  const video = cifarVideo('compare-line.y4m', images, 10);
  const { browser, page } = await launch({ webgpu: false, video });
  try {
    await openApp(page, 'backend=wasm');
    await page.getByRole('button', { name: 'Compare' }).click();
    expect(DEFAULT_COMPARISON.length).toBeGreaterThanOrEqual(2);
    await page.getByRole('button', { name: 'Run comparison' }).click();
    await page.getByRole('button', { name: 'Start camera' }).click();
    await page.waitForFunction(
      ({ ids, min }) => ids.every((id) => Number(document.querySelector(`[data-compare-model="${id}"] [data-testid=frames]`)?.textContent ?? 0) >= min),
      { ids: [...DEFAULT_COMPARISON], min: 3 },
      { timeout: 120_000, polling: 250 },
    );
    // Each pane runs the shipped file its card pins.
    for (const id of DEFAULT_COMPARISON) {
      await expect(page.locator(`[data-compare-model="${id}"]`).getByTestId('weights-sha')).toHaveAttribute('data-value', findCard(id).weights.sha256);
    }
    expect(cspViolations(page)).toEqual([]);
  } finally {
    await browser.close();
  }
});

test('two models side by side on the same camera frames, with chart and exports', async () => {
  // A few CIFAR-10 images, each held for a second, so the frames change.
  const { images } = loadCifarTest(4);
  const video = cifarVideo('compare.y4m', images, 10);
  const { browser, page } = await launch({ webgpu: false, video });
  try {
    await openApp(page, 'backend=wasm');

    // A second architecture: import LeNet-5's (MNIST, random) weights, as a user would.
    await page.getByRole('button', { name: 'Models' }).click();
    expect(await importWeights(page, B, `${fx.base}/good.safetensors`, fx.sha256)).toMatch(/Stored lenet5-modern-mnist/);

    await page.getByRole('button', { name: 'Compare' }).click();
    // It opens with the shipped models of the line ticked: a fresh install has a comparison.
    for (const id of DEFAULT_COMPARISON) await expect(page.getByTestId(`compare-${id}`)).toBeChecked();
    const run = page.getByRole('button', { name: 'Run comparison' });
    await expect(run).toBeEnabled();
    await chooseCompared(page, [A]);
    await expect(run).toBeDisabled(); // one model is not a comparison
    await chooseCompared(page, [A, B]);
    await run.click();

    const pane = (id: string) => page.locator(`[data-compare-model="${id}"]`);
    for (const id of [A, B]) await expect(pane(id).getByTestId('params')).toBeVisible({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Start camera' }).click();
    await page.waitForFunction(
      ({ ids, min }) => ids.every((id) => Number(document.querySelector(`[data-compare-model="${id}"] [data-testid=frames]`)?.textContent ?? 0) >= min),
      { ids: [A, B], min: MIN_FRAMES },
      { timeout: 120_000, polling: 250 },
    );

    for (const id of [A, B]) {
      const p = pane(id);
      const card = findCard(id);
      await expect(p.getByTestId('pane-backend')).toHaveText('wasm');
      await expect(p.getByTestId('top5').locator('li')).toHaveCount(5);
      expect(card.labels).toContain(await p.getByTestId('top1').getAttribute('data-label'));
      for (const t of ['model-latency', 'e2e-latency']) expect(Number(await p.getByTestId(t).getAttribute('data-p50'))).toBeGreaterThan(0);
      expect(Number(await p.getByTestId('fps').getAttribute('data-value'))).toBeGreaterThan(0);
      expect(Number(await p.getByTestId('first-inference').getAttribute('data-value'))).toBeGreaterThan(0);
      expect(Number(await p.getByTestId('params').getAttribute('data-value'))).toBe(card.params);
      expect(Number(await p.getByTestId('macs').getAttribute('data-value'))).toBe(card.macs);
      expect(Number(await p.getByTestId('weight-bytes').getAttribute('data-value'))).toBeGreaterThan(0);
      expect(Number(await p.getByTestId('num-tensors').textContent())).toBeGreaterThan(0);
      expect(Number(await p.getByTestId('latency-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(MIN_FRAMES);
      expect((await p.locator('polyline.model').getAttribute('points'))?.split(' ').length).toBeGreaterThanOrEqual(MIN_FRAMES);
    }
    // One worker per model: each pane's tensor bytes are its own model's (float32 weights
    // alone: airbench 7.9 MB, LeNet-5 0.25 MB), not the sum of both.
    const bytes = async (id: string) => Number(await pane(id).getByTestId('num-bytes').getAttribute('data-value'));
    const both = (findCard(A).params + findCard(B).params) * 4;
    for (const id of [A, B]) {
      expect(await bytes(id)).toBeGreaterThanOrEqual(findCard(id).params * 4);
      expect(await bytes(id)).toBeLessThan(both);
    }

    const json = await downloaded(page, 'Export JSON');
    expect(json.name).toMatch(/^convcam-compare-.*\.json$/);
    const data = JSON.parse(json.text) as CompareExport;
    expect(data.models.map((m) => m.model)).toEqual([A, B]);
    for (const m of data.models) {
      expect(m.backend).toBe('wasm');
      expect(m.frameImport).toBe('bitmap');
      expect(m.history.length).toBeGreaterThanOrEqual(MIN_FRAMES);
      expect(m.modelP50Ms).toBeGreaterThan(0);
      // The percentiles are those of the last 100 samples (nearest rank), as exported beside them.
      const last = m.history.slice(-100);
      for (const [key, got] of [['modelMs', [m.modelP50Ms, m.modelP95Ms]], ['e2eMs', [m.e2eP50Ms, m.e2eP95Ms]]] as const) {
        const sorted = last.map((s) => s[key]).sort((a, b) => a - b);
        const rank = (q: number) => sorted[Math.ceil((q / 100) * sorted.length) - 1];
        expect(got).toEqual([rank(50), rank(95)]);
      }
      // The breakdown of the end-to-end time: each part measured, none larger than the whole.
      for (const part of [m.captureP50Ms, m.preprocessP50Ms, m.otherP50Ms]) {
        expect(part).toBeGreaterThanOrEqual(0);
        expect(part!).toBeLessThanOrEqual(m.e2eP50Ms!);
      }
      expect(m.firstInferenceMs).toBeGreaterThan(0);
      expect(m.top5).toHaveLength(5);
    }
    // Same camera, same frames: the models classified some frames with the same number.
    const seen = data.models.map((m) => new Set(m.history.map((s) => s.frame)));
    const shared = [...seen[0]!].filter((f) => seen[1]!.has(f));
    console.log(`frames: ${seen.map((s) => s.size).join(' and ')}, ${shared.length} classified by both`);
    expect(shared.length).toBeGreaterThan(0);

    const csv = await downloaded(page, 'Export CSV');
    expect(csv.name).toMatch(/\.csv$/);
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^model,name,backend,frameImport,params,macs,/);
    expect(lines[1]).toMatch(new RegExp(`^${A},`));
    expect(lines[2]).toMatch(new RegExp(`^${B},`));

    // New weights for a compared model (issue 18, item 1): its own worker reloads them.
    await expect(pane(B).getByTestId('weights-sha')).toHaveAttribute('data-value', fx.sha256);
    await page.getByRole('button', { name: 'Models' }).click();
    expect(await importWeights(page, B, `${fx.base}/other.safetensors`, fx.otherSha256)).toMatch(/Stored lenet5-modern-mnist/);
    await page.getByRole('button', { name: 'Compare' }).click();
    await expect(pane(B).getByTestId('pane-notice')).toHaveText(/new weights of lenet5-modern-mnist were imported; the model was reloaded/);
    await expect(pane(B).getByTestId('weights-sha')).toHaveAttribute('data-value', fx.otherSha256);
    await expect(pane(B).getByTestId('frames')).not.toHaveText('0', { timeout: 60_000 });
    await expect(pane(A).getByTestId('pane-notice')).toHaveCount(0);

    // Stop keeps the last figures and the exports (issue 18, item 6).
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    for (const id of [A, B]) await expect(pane(id).getByTestId('params')).toBeVisible();
    const stopped = JSON.parse((await downloaded(page, 'Export JSON')).text) as CompareExport;
    expect(stopped.models.map((m) => m.model)).toEqual([A, B]);
    expect(stopped.models.every((m) => m.history.length > 0)).toBe(true);

    // A deleted model leaves the comparison and the selection, and the view says so (item 3).
    await page.getByRole('button', { name: 'Models' }).click();
    await page.locator(`tr[data-model="${B}"]`).getByRole('button', { name: 'Delete' }).click();
    await expect(page.locator(`tr[data-model="${B}"]`).getByTestId('cached')).toHaveText('no');
    await page.getByRole('button', { name: 'Compare' }).click();
    await expect(page.getByTestId(`compare-${B}`)).toHaveCount(0);
    await expect(page.getByTestId('compare-notice')).toHaveText(`${findCard(B).name} was deleted in Models, so it left the comparison.`);
    await expect(pane(B)).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Run comparison' })).toBeDisabled(); // one model is left
    expect(cspViolations(page)).toEqual([]);
  } finally {
    await browser.close();
  }
});
