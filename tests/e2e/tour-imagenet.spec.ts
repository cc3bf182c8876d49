// The Tour on stored ImageNet weights, real built app, wasm: the smallest TensorFlow Lite
// MobileNet is imported in the Models view as a user would (a picked file), picked in the
// Tour's MobileNet section, and then its facts are read from it (α 0.25, 128×128), its maps
// follow the camera (two ImageNet photos in turn), its explanation runs, the Tour worker's
// tensor count stays flat, and the section's α and ρ table shows it with a latency measured
// here. One browser launch.
import { test, expect, type Page } from '@playwright/test';
import { join } from 'node:path';
import { launch, openApp, backendName, tmpFile } from '../../tools/app-harness';
import { placeCentered, writeY4M } from '../../tools/y4m';
import { TOUR_SECTIONS, sectionModel } from '../../models/tour-sections';
import { centreSquare, decodePhoto, IMAGENET_PHOTOS, IMAGENET_PHOTOS_DIR, TFLITE_DIR } from '../../tools/photos';

const W = 320;
const H = 240;
const FPS = 10;
const ID = 'tflite-mobilenet-v1-0.25-128-quant';
const FILE = 'mobilenet_v1_0.25_128_quant.tflite';

function photoFrame(i: number): Uint8Array {
  const sq = centreSquare(decodePhoto(join(IMAGENET_PHOTOS_DIR, IMAGENET_PHOTOS[i]!.file)));
  return placeCentered(sq.data, sq.width, sq.height, H, W, H);
}

const tourFrames = async (page: Page) => Number(await page.getByTestId('tour-frames').getAttribute('data-frames'));
const tourTensors = async (page: Page) => Number(await page.getByTestId('tour-frames').getAttribute('data-tensors'));
async function waitForTourFrames(page: Page, n: number): Promise<void> {
  await page.waitForFunction((min) => Number(document.querySelector('[data-testid=tour-frames]')?.getAttribute('data-frames') ?? 0) >= min, n, { timeout: 120_000, polling: 200 });
}

test("the Tour runs an imported TFLite MobileNet: its facts, live maps, flat tensors, and its latency in the α/ρ table", async () => {
  // Two photos, a second each, in turn.
  const [a, b] = [photoFrame(0), photoFrame(1)];
  const video = tmpFile('tour-imagenet.y4m', writeY4M([...Array<Uint8Array>(FPS).fill(a), ...Array<Uint8Array>(FPS).fill(b)], W, H, FPS));
  const { browser, page } = await launch({ video, webgpu: false });
  try {
    await openApp(page, 'backend=wasm');
    expect(await backendName(page)).toBe('wasm');

    // Before any import the section says no real MobileNet is here, and offers no other weights.
    await page.getByRole('button', { name: 'Tour', exact: true }).click();
    const section = page.getByTestId('tour-section-mobilenet');
    await expect(section.getByTestId('no-real-mobilenets')).toBeVisible({ timeout: 120_000 });
    await expect(section.getByTestId('weights-pick-mobilenet')).toHaveCount(0);

    await page.getByRole('button', { name: 'Models' }).click();
    const form = page.getByTestId('tflite-import');
    await form.getByTestId('tflite-file').setInputFiles(join(TFLITE_DIR, FILE));
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    await expect(form.getByTestId('tflite-message')).toHaveText(/^Stored /, { timeout: 120_000 });

    // Picked in the Tour: the section says which weights run, and its facts come from that model.
    await page.getByRole('button', { name: 'Tour', exact: true }).click();
    await section.getByTestId('weights-pick-mobilenet').selectOption(ID);
    await expect(section).toHaveAttribute('data-model', ID);
    await expect(section.getByTestId('weights-mobilenet')).toContainText(`ImageNet weights imported from the TensorFlow Lite file ${FILE} (α 0.25, 128×128 input)`);
    const facts = section.getByTestId('mobilenet-model').first();
    await expect(facts).toHaveAttribute('data-alpha', '0.25', { timeout: 120_000 });
    await expect(facts).toHaveAttribute('data-input', '128');
    // 32α = 8 channels into the first separable block, at 64×64 after the stride-2 stem.
    await expect(section.getByTestId('separable-blocks').first().locator('tbody tr').first()).toContainText('64×64');
    await expect(section.getByTestId('separable-blocks').first().locator('tbody tr').first()).toContainText('8 → 16');
    await expect(section.getByTestId('filters')).toHaveAttribute('data-model', ID);

    // Its maps follow the camera.
    await page.getByRole('button', { name: 'Start camera' }).click();
    await page.getByTestId('show-live-mobilenet').click();
    const maps = section.getByTestId('feature-maps');
    await expect(maps).toHaveAttribute('data-channels', '8', { timeout: 120_000 });
    const sums = new Set<string>();
    for (let i = 0; i < 60 && sums.size < 2; i++) {
      sums.add((await maps.getAttribute('data-sum'))!);
      await page.waitForTimeout(250);
    }
    expect(sums.size).toBeGreaterThanOrEqual(2);
    await expect(section.getByTestId('tour-top1')).toContainText('an ImageNet class');
    // Guided backprop and Grad-CAM on it (on cpu: wasm has no depthwise-conv gradient).
    await expect(section.getByTestId('explanation')).toHaveAttribute('data-method', 'gradients', { timeout: 120_000 });
    await expect(section.getByTestId('grad-cam')).toHaveAttribute('data-backend', 'cpu');

    // No tensor growth while it runs (maps and explanations).
    const start = await tourFrames(page);
    await waitForTourFrames(page, start + 3);
    const before = await tourTensors(page);
    await waitForTourFrames(page, start + 30);
    const after = await tourTensors(page);
    console.log(`Tour worker on ${ID}: numTensors ${before} after ${start + 3} frames, ${after} after ${await tourFrames(page)}`);
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(before);

    // The α and ρ table: the imported file, its published top-1, and a latency measured here.
    const row = section.getByTestId('tour-real-mobilenets').locator(`[data-real="${ID}"]`);
    await expect(row.getByTestId('alpha')).toHaveText('0.25');
    await expect(row.getByTestId('rho')).toHaveText((128 / 224).toFixed(3));
    await expect(row.getByTestId('top1-published')).toContainText('%');
    await expect(section.getByTestId('accuracy-note')).toContainText('Accuracy is not measured here');
    await section.getByTestId('tour-measure-latency').click();
    await expect(row.getByTestId('latency')).not.toHaveAttribute('data-p50', '', { timeout: 120_000 });
    expect(Number(await row.getByTestId('latency').getAttribute('data-p50'))).toBeGreaterThan(0);
    await expect(row.getByTestId('latency')).toContainText('wasm');

    // Back to the CIFAR-10 model: the stored one is freed in the worker.
    await section.getByTestId('weights-pick-mobilenet').selectOption('');
    await expect(section).toHaveAttribute('data-model', sectionModel(TOUR_SECTIONS.find((s) => s.id === 'mobilenet')!).card.id);
    await expect(facts).toHaveAttribute('data-input', '32', { timeout: 120_000 });
  } finally {
    await browser.close();
  }
});
