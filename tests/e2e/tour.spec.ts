// The Tour on the real built app, wasm, with the fake camera playing CIFAR-10 test images
// (each held for a second): every section renders the facts computed from its model, the
// feature maps change when the frame changes, and the Tour worker's tensor count stays flat
// over 200 visualised frames. One browser launch.
import { test, expect, type Page } from '@playwright/test';
import { launch, openApp, backendName, loadCifarTest, tmpFile } from '../../tools/app-harness';
import { placeCentered, writeY4M } from '../../tools/y4m';
import { SHIPPED_CIFAR10 } from '../../models/registry';
import { TOUR_SECTIONS, sectionModel } from '../../models/tour-sections';
import { buildModel } from '../../models/builders';
import type { ModelCard } from '../../models/card';

const FPS = 30;

/** The first conv in `features` with `channels` outputs, named as the model that ships names it. */
async function firstConvOf(card: ModelCard, channels: number): Promise<string> {
  const model = await buildModel(card);
  for (const [name, spec] of model.namedSpecs()) {
    if (name.startsWith('features.') && name.endsWith('.weight') && spec.torchShape.length === 4 && spec.torchShape[0] === channels) return name.slice(0, -'.weight'.length);
  }
  throw new Error(`${card.id} has no conv of ${channels} channels in its features`);
}

async function frames(page: Page): Promise<number> {
  return Number(await page.getByTestId('tour-frames').getAttribute('data-frames'));
}

async function waitForTourFrames(page: Page, n: number, timeout = 300_000): Promise<void> {
  await page.waitForFunction((min) => Number(document.querySelector('[data-testid=tour-frames]')?.getAttribute('data-frames') ?? 0) >= min, n, { timeout, polling: 200 });
}

test('the Tour: facts from each model, live maps that follow the frame, no tensor growth', async () => {
  const { images } = loadCifarTest(4);
  const video = tmpFile('tour.y4m', writeY4M(images.flatMap((img) => Array(FPS).fill(placeCentered(img, 32, 32, 240, 320, 240)) as Uint8Array[]), 320, 240, FPS));
  const { browser, page } = await launch({ video, webgpu: false });
  // A phone's viewport: the Tour is one column and nothing in it is wider than the screen.
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await openApp(page, 'backend=wasm');
    expect(await backendName(page)).toBe('wasm');
    await page.getByRole('button', { name: 'Tour', exact: true }).click();
    await expect(page.getByTestId('tour-backend')).toHaveAttribute('data-backend', 'wasm');

    // Every section, in the seed's order, on the model the registry says, trained or said to be random.
    const ids = await page.locator('[data-testid^=tour-section-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(ids).toEqual(TOUR_SECTIONS.map((s) => `tour-section-${s.id}`));
    for (const s of TOUR_SECTIONS) {
      const { card, trained } = sectionModel(s, SHIPPED_CIFAR10);
      const section = page.getByTestId(`tour-section-${s.id}`);
      await expect(section).toHaveAttribute('data-model', card.id);
      await expect(section.getByTestId('random-weights')).toHaveCount(trained ? 0 : 1);
    }

    // The computed facts (tests/unit/tour-facts.test.ts checks their numbers in full).
    await expect(page.getByTestId('c3-params')).toContainText('1,516 parameters against 2,416');
    await expect(page.getByTestId('subsampling-s2')).toContainText('6 maps');
    await expect(page.getByTestId('pool-sizes').first()).toContainText('16×16');
    await expect(page.getByTestId('dropout').first()).toContainText('classifier.0');
    await expect(page.getByTestId('first-convs').first()).toContainText('5×5, stride 2');
    await expect(page.getByTestId('first-convs').first()).toContainText('3×3, stride 1');
    await expect(page.getByTestId('vgg-stages').first()).toContainText('3×3 + 3×3');
    await expect(page.getByTestId('googlenet-example').first()).toContainText('120,422,400');
    await expect(page.getByTestId('googlenet-example').first()).toContainText('12,443,648');
    await expect(page.getByTestId('inception-modules').first().locator('tbody tr')).toHaveCount(9);
    // The papers' own networks, from their definitions.
    await page.getByTestId('paper-facts-zfnet').locator('summary').click();
    await expect(page.getByTestId('paper-facts-zfnet').getByTestId('first-convs')).toContainText('11×11, stride 4');
    await expect(page.getByTestId('paper-facts-zfnet').getByTestId('first-convs')).toContainText('7×7, stride 2');
    await page.getByTestId('paper-facts-googlenet').locator('summary').click();
    await expect(page.getByTestId('paper-facts-googlenet').getByTestId('inception-modules').locator('tbody tr').first()).toContainText('28×28');
    await expect(page.getByTestId('shortcuts-resnet18-imagenet')).toContainText('3 projections');
    await expect(page.getByTestId('separable-blocks').first().locator('tbody tr').first()).toBeVisible();
    await expect(page.getByTestId('convnext-block').first()).toContainText('7×7 depthwise');
    await expect(page.getByTestId('norms')).toContainText('no: fixed constants');
    await expect(page.getByTestId('filters')).toHaveCount(TOUR_SECTIONS.length + 1); // ZFNet's section shows AlexNet's too
    await page.locator('[data-testid=mobilenet-multipliers] summary').click();
    const tour = page.getByTestId('tour');
    expect(await tour.evaluate((el) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
    // MobileNet's alpha recomputes the MACs.
    const multipliers = page.getByTestId('mobilenet-multipliers');
    const macs1 = await multipliers.getAttribute('data-macs');
    await page.getByTestId('alpha-slider').fill('0');
    await expect(multipliers).toHaveAttribute('data-alpha', '0.25');
    expect(await multipliers.getAttribute('data-macs')).not.toBe(macs1);

    // Live maps: LeNet-5 follows the camera first; the maps change with the frame.
    await page.getByRole('button', { name: 'Start camera' }).click();
    const maps = page.getByTestId('tour-section-lenet').getByTestId('feature-maps');
    await expect(maps).toHaveAttribute('data-channels', '6');
    const sums = new Set<string>();
    for (let i = 0; i < 40 && sums.size < 2; i++) {
      sums.add((await maps.getAttribute('data-sum'))!);
      await page.waitForTimeout(250);
    }
    expect(sums.size).toBeGreaterThanOrEqual(2);
    await maps.getByRole('button', { name: /^#1:/ }).click();
    await expect(maps.getByTestId('enlarged-channel')).toBeVisible();
    // The deconvnet projects the picked channel (the plain stacks).
    const lenet = page.getByTestId('tour-section-lenet');
    const second = Number((await maps.getAttribute('data-top'))!.split(',')[1]);
    await maps.getByRole('button', { name: /^#2:/ }).click();
    await expect(lenet.getByTestId('explanation')).toHaveAttribute('data-method', 'deconvnet');
    await expect(lenet.getByTestId('deconvnet')).toHaveAttribute('data-channel', String(second));

    // Shortcuts: guided backprop and Grad-CAM for the top-1 class (on wasm: ResNet has no depthwise convs).
    await page.getByTestId('show-live-resnet').click();
    const resnet = page.getByTestId('tour-section-resnet');
    await expect(resnet.getByTestId('explanation')).toHaveAttribute('data-method', 'gradients', { timeout: 120_000 });
    await expect(resnet.getByTestId('grad-cam')).toHaveAttribute('data-layer', 'layer3');
    await expect(resnet.getByTestId('grad-cam')).toHaveAttribute('data-backend', 'wasm');
    await expect(resnet.getByTestId('gradient-note')).toHaveCount(0);
    const r0 = await frames(page);
    await waitForTourFrames(page, r0 + 2);
    const rBefore = Number(await page.getByTestId('tour-frames').getAttribute('data-tensors'));
    await waitForTourFrames(page, r0 + 8);
    expect(Number(await page.getByTestId('tour-frames').getAttribute('data-tensors'))).toBe(rBefore);

    // Another section and another layer.
    await page.getByTestId('show-live-vgg').click();
    const vgg = page.getByTestId('tour-section-vgg');
    const conv32 = await firstConvOf(sectionModel(TOUR_SECTIONS.find((x) => x.id === 'vgg')!, SHIPPED_CIFAR10).card, 32);
    await page.getByTestId('layer-vgg').selectOption(conv32);
    await expect(vgg.getByTestId('feature-maps')).toHaveAttribute('data-layer', conv32);
    await expect(vgg.getByTestId('feature-maps')).toHaveAttribute('data-channels', '32');

    // No growth over 200 visualised frames (maps and deconvnet).
    await expect(vgg.getByTestId('explanation')).toHaveAttribute('data-method', 'deconvnet');
    const start = await frames(page);
    await waitForTourFrames(page, start + 10);
    const before = Number(await page.getByTestId('tour-frames').getAttribute('data-tensors'));
    await waitForTourFrames(page, start + 210);
    const after = Number(await page.getByTestId('tour-frames').getAttribute('data-tensors'));
    console.log(`Tour worker: numTensors ${before} after ${start + 10} frames, ${after} after ${await frames(page)}`);
    expect(before).toBeGreaterThan(0);
    expect(after).toBe(before);

    // A worker that dies (an uncaught error in it) is restarted once, its sections reloaded, and the maps go on.
    const worker = page.workers().find((w) => w.url().includes('tour.worker'));
    expect(worker).toBeDefined();
    await worker!.evaluate(() => {
      setTimeout(() => {
        throw new Error('injected by tour.spec.ts');
      });
    });
    await expect(page.getByTestId('tour').getByRole('alert').first()).toContainText('Restarting it');
    const again = await frames(page);
    await waitForTourFrames(page, again + 3);
    await expect(vgg.getByTestId('feature-maps')).toHaveAttribute('data-layer', conv32);
    await expect(page.getByTestId('tour').getByRole('alert')).toHaveCount(0);
  } finally {
    await browser.close();
  }
});
