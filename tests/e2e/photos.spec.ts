// Real ImageNet photos through the real camera path: the four TensorFlow Lite MobileNets of
// ../shared/models/tflite/ are imported in the Models view as a user would (a picked file),
// and Chromium's fake camera plays a Y4M built from the photos of ../shared/images/imagenet/.
// One browser per backend. On wasm the video holds each photo for a few seconds in turn, with
// a coloured marker in its corner (outside the model's centre crop) that says which photo it
// is; a result counts for a photo only when the marker was the same before its frame was
// captured and after it was shown (one frame in flight per model: the second result after
// the first marker reading is of a frame captured after it). WebGPU runs on SwiftShader here,
// seconds per 224x224 frame, so it sees one photo (the cat) only.
import { test, expect, type Locator, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseCompared, cspViolations, launch, openApp, backendName, tmpFile } from '../../tools/app-harness';
import { placeCentered, writeY4M } from '../../tools/y4m';
import { serveFiles, type FileServer } from '../../tools/fixture-server';
import { centreSquare, decodePhoto, IMAGENET_PHOTOS, IMAGENET_PHOTOS_DIR, TFLITE_DIR, TFLITE_FILES } from '../../tools/photos';
import { IMAGENET_LABELS } from '../../models/imagenet-labels';

const W = 320;
const H = 240;
const FPS = 5;
/** Frames per photo: 3 s each, so a few results of even the slowest model fall inside. */
const HOLD = 15;
const MARKERS: readonly [number, number, number][] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
const V2 = 'tflite-mobilenet-v2-1.0-224-quant';
const V1 = 'tflite-mobilenet-v1-0.75-192-quant';
const ALL = [V2, V1, 'tflite-mobilenet-v1-0.5-160-quant', 'tflite-mobilenet-v1-0.25-128-quant'];

/** One camera frame of photo `i`: its centre square fills the frame's centre square; the marker sits top left. */
function frameOf(i: number): Uint8Array {
  const sq = centreSquare(decodePhoto(join(IMAGENET_PHOTOS_DIR, IMAGENET_PHOTOS[i]!.file)));
  const frame = placeCentered(sq.data, sq.width, sq.height, H, W, H);
  for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) frame.set(MARKERS[i]!, (y * W + x) * 3);
  return frame;
}

/** The four README class names of photo i, as our labels spell them. */
const classesOf = (i: number) => IMAGENET_PHOTOS[i]!.classes.map((c) => IMAGENET_LABELS[c]!);

/** Imports the four files by picking each; with `server`, the last one by URL from it instead, pinned by its sha256. */
async function importAll(page: Page, server?: FileServer): Promise<void> {
  await page.getByRole('button', { name: 'Models' }).click();
  const form = page.getByTestId('tflite-import');
  for (const f of TFLITE_FILES) {
    if (server && f === TFLITE_FILES[3]) {
      await form.getByRole('button', { name: 'Clear file' }).click();
      await form.getByTestId('tflite-url').fill(`${server.base}/${f}`);
      await form.getByTestId('tflite-sha').fill(createHash('sha256').update(readFileSync(join(TFLITE_DIR, f))).digest('hex'));
    } else {
      await form.getByTestId('tflite-sha').fill('');
      await form.getByTestId('tflite-file').setInputFiles(join(TFLITE_DIR, f));
    }
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    await expect(form.getByTestId('tflite-message')).toHaveText(/^Stored /, { timeout: 120_000 });
  }
}

/** Which photo the camera shows now, from the marker in the page's own video element. */
async function marker(page: Page): Promise<number> {
  return page.evaluate((markers) => {
    const v = document.querySelector('video')!;
    const c = new OffscreenCanvas(v.videoWidth, v.videoHeight);
    const g = c.getContext('2d')!;
    g.drawImage(v, 0, 0);
    const [r, gr, b] = g.getImageData(12, 12, 1, 1).data;
    const d = markers.map(([mr, mg, mb]) => (r! - mr) ** 2 + (gr! - mg) ** 2 + (b! - mb) ** 2);
    return d.indexOf(Math.min(...d));
  }, MARKERS as [number, number, number][]);
}

const framesOf = async (pane: Locator) => Number(await pane.getByTestId('frames').first().textContent());

/** For each photo in `wanted`, the top-5 labels of a result whose frame surely showed it. */
async function topFiveByPhoto(page: Page, pane: Locator, wanted: number[]): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  const deadline = Date.now() + 240_000;
  while (wanted.some((i) => !found.has(i)) && Date.now() < deadline) {
    const t0 = Date.now();
    const m1 = await marker(page);
    const f1 = await framesOf(pane);
    await expect.poll(() => framesOf(pane), { timeout: 60_000, intervals: [100] }).toBeGreaterThanOrEqual(f1 + 2);
    const labels = await pane.getByTestId('top5').locator('li').evaluateAll((li) => li.map((e) => e.getAttribute('data-label') ?? ''));
    const m2 = await marker(page);
    // The same marker at both ends, less than one photo's hold apart: the same photo throughout.
    if (m1 === m2 && Date.now() - t0 < (HOLD / FPS) * 1000 && !found.has(m1)) found.set(m1, labels);
  }
  return found;
}

function expectClassesFound(model: string, found: Map<number, string[]>, photos: number[]): void {
  for (const i of photos) {
    const top5 = found.get(i);
    console.log(`${model} on ${IMAGENET_PHOTOS[i]!.file}: ${top5?.join(', ') ?? 'no result'}`);
    expect(top5, `${model} classified ${IMAGENET_PHOTOS[i]!.file}`).toBeDefined();
    expect(top5!.some((l) => classesOf(i).includes(l)), `${model}'s top-5 on ${IMAGENET_PHOTOS[i]!.file} holds ${IMAGENET_PHOTOS[i]!.name}`).toBe(true);
  }
}

test('the real MobileNets name the photos shown to the camera on wasm, in Live and side by side in Compare', async () => {
  const server = await serveFiles({ [`/${TFLITE_FILES[3]}`]: new Uint8Array(readFileSync(join(TFLITE_DIR, TFLITE_FILES[3]))) });
  const frames = IMAGENET_PHOTOS.flatMap((_, i) => Array<Uint8Array>(HOLD).fill(frameOf(i)));
  const video = tmpFile('imagenet-photos.y4m', writeY4M(frames, W, H, FPS));
  const { browser, page } = await launch({ webgpu: false, video });
  try {
    await openApp(page, 'backend=wasm');
    expect(await backendName(page)).toBe('wasm');
    // A file that is not TFLite, and one cut short: a clear message each, and nothing stored.
    await page.getByRole('button', { name: 'Models' }).click();
    const form = page.getByTestId('tflite-import');
    const bad = [
      { name: 'weights.safetensors', buffer: Buffer.from('{"not":"tflite"}'), message: /not a TensorFlow Lite model/ },
      { name: 'cut.tflite', buffer: readFileSync(join(TFLITE_DIR, TFLITE_FILES[3])).subarray(0, 100_000), message: /damaged or truncated/ },
    ];
    for (const b of bad) {
      await form.getByTestId('tflite-file').setInputFiles({ name: b.name, mimeType: 'application/octet-stream', buffer: b.buffer });
      await form.getByRole('button', { name: 'Import', exact: true }).click();
      await expect(form.getByRole('alert')).toHaveText(b.message);
    }
    // By URL with a wrong sha256: refused, nothing stored.
    await form.getByTestId('tflite-url').fill(`${server.base}/${TFLITE_FILES[3]}`);
    await form.getByTestId('tflite-sha').fill('0'.repeat(64));
    await form.getByRole('button', { name: 'Clear file' }).click();
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    await expect(form.getByRole('alert')).toHaveText(/has sha256 cb273c23.*expected 0{64}: it is corrupted or not the pinned file/);
    await expect(page.getByTestId('real-mobilenets')).toHaveCount(0);
    await importAll(page, server);

    // The four side by side, with the seed's alpha and rho, and latency measured here.
    const table = page.getByTestId('real-mobilenets');
    await expect(table.locator('tr[data-real]')).toHaveCount(4);
    expect(await table.locator('tr[data-real]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-real')))).toEqual(ALL);
    expect(await table.getByTestId('alpha').allTextContents()).toEqual(['1', '0.75', '0.5', '0.25']);
    expect(await table.getByTestId('rho').allTextContents()).toEqual(['1.000', '0.857', '0.714', '0.571']);
    expect(await table.getByTestId('top1-published').allTextContents()).toEqual(['≈ 70.8%', '≈ 66%', '≈ 57%', '≈ 39.5%']);
    const params = (await table.getByTestId('real-params').evaluateAll((c) => c.map((e) => Number(e.getAttribute('data-value')))));
    expect(params[0]).toBe(3_489_097);
    expect([...params].sort((a, b) => b - a)).toEqual(params);
    // The separable-cost table beside them follows the v1 picked: alpha 0.25 at 128 is far cheaper.
    const total = () => table.getByTestId('separable-costs').locator('tr').last().textContent();
    const first = await total();
    await table.getByTestId('costs-for').selectOption('tflite-mobilenet-v1-0.25-128-quant');
    await expect.poll(total).not.toBe(first);
    await table.getByRole('button', { name: 'Measure latency here' }).click();
    const p50s = () => table.getByTestId('latency').evaluateAll((c) => c.map((e) => Number(e.getAttribute('data-p50'))));
    await expect.poll(async () => (await p50s()).every((v) => v > 0), { timeout: 240_000 }).toBe(true);
    const p50 = await p50s();
    console.log(`latency p50 on wasm (ms): ${ALL.map((id, i) => `${id} ${p50[i]!.toFixed(1)}`).join(', ')}`);
    for (const v of p50) expect(v).toBeGreaterThan(0);
    await expect(table.getByTestId('latency').first()).toContainText('wasm');

    await page.getByRole('button', { name: 'Live' }).click();
    await page.getByRole('button', { name: 'Start camera' }).click();
    for (const id of [V2, V1]) {
      await page.getByTestId('model-picker').selectOption(id);
      // Picking a model gives it a fresh pane, its frame count from 0.
      const live = page.locator(`section[data-model="${id}"]`);
      await expect(live.getByTestId('params')).toBeVisible({ timeout: 120_000 });
      const all = IMAGENET_PHOTOS.map((_, i) => i);
      expectClassesFound(id, await topFiveByPhoto(page, live, all), all);
      // No tensor left behind per frame: the count is the same three frames later.
      const tensors = async () => Number(await live.getByTestId('num-tensors').textContent());
      const [n0, f0] = [await tensors(), await framesOf(live)];
      await expect.poll(() => framesOf(live), { timeout: 60_000 }).toBeGreaterThanOrEqual(f0 + 3);
      expect(await tensors()).toBe(n0);
    }

    await page.getByRole('button', { name: 'Compare' }).click();
    await chooseCompared(page, ALL);
    await page.getByRole('button', { name: 'Run comparison' }).click();
    const pane = (id: string) => page.locator(`[data-compare-model="${id}"]`);
    for (const id of ALL) await expect(pane(id).getByTestId('params')).toBeVisible({ timeout: 120_000 });
    // The cat and the bird are in every model's float top-5 (tests/unit/tflite.test.ts measures
    // the rest: alpha 0.5 and 0.25 miss the uniform, 0.25 the hot dog too).
    for (const id of ALL) expectClassesFound(`Compare ${id}`, await topFiveByPhoto(page, pane(id), [0, 3]), [0, 3]);

    // Deleted in the Models view: gone from the table and from the comparison.
    await page.getByRole('button', { name: 'Models' }).click();
    await table.locator(`tr[data-real="${ALL[3]}"]`).getByRole('button', { name: 'Delete' }).click();
    await expect(table.locator('tr[data-real]')).toHaveCount(3);
    await page.getByRole('button', { name: 'Compare' }).click();
    await expect(pane(ALL[3]!)).toHaveCount(0);
    expect(cspViolations(page)).toEqual([]);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('MobileNetV2 and MobileNet v1 0.75 name the cat shown to the camera on WebGPU', async () => {
  const cat = frameOf(0);
  const video = tmpFile('imagenet-cat.y4m', writeY4M([cat, cat], W, H, FPS));
  const { browser, page } = await launch({ video });
  try {
    await openApp(page);
    expect(await backendName(page)).toBe('webgpu');
    await importAll(page);
    await page.getByRole('button', { name: 'Live' }).click();
    await page.getByRole('button', { name: 'Start camera' }).click();
    for (const id of [V2, V1]) {
      await page.getByTestId('model-picker').selectOption(id);
      const live = page.locator(`section[data-model="${id}"]`);
      // The first frame compiles the shaders; the second is classified by the compiled model.
      await expect.poll(() => framesOf(live), { timeout: 400_000, intervals: [500] }).toBeGreaterThanOrEqual(2);
      const top5 = await live.getByTestId('top5').locator('li').evaluateAll((li) => li.map((e) => e.getAttribute('data-label') ?? ''));
      console.log(`${id} on webgpu, cat.bmp: ${top5.join(', ')}`);
      expect(top5.some((l) => classesOf(0).includes(l))).toBe(true);
    }
    expect(cspViolations(page)).toEqual([]);
  } finally {
    await browser.close();
  }
});
