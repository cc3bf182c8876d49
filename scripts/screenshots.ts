// npm run screenshots: the Live and Compare views at phone and desktop sizes, after "Start
// camera", with the fake camera showing CIFAR-10 test images, on wasm. PNGs in screenshots/
// (git-ignored), for looking at the layout, not for tests.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { launch, loadCifarTest, openApp, ROOT, tmpFile, waitForFrames } from '../tools/app-harness';
import { placeCentered, writeY4M } from '../tools/y4m';
import { startPreview } from './preview';

const SIZES = [
  { name: 'phone-390x844', width: 390, height: 844 },
  { name: 'phone-844x390', width: 844, height: 390 },
  { name: 'phone-360x640', width: 360, height: 640 },
  { name: 'phone-640x360', width: 640, height: 360 },
  { name: 'desktop-1280x800', width: 1280, height: 800 },
];
const dir = resolve(ROOT, 'screenshots');
mkdirSync(dir, { recursive: true });
const { images } = loadCifarTest(4);
const frames = images.flatMap((img) => Array(10).fill(placeCentered(img, 32, 32, 240, 320, 240)) as Uint8Array[]);
const video = tmpFile('screenshots.y4m', writeY4M(frames, 320, 240, 10));
const stop = await startPreview();
const { browser, page } = await launch({ webgpu: false, video });
try {
  await page.setViewportSize(SIZES[0]!);
  await openApp(page, 'backend=wasm');
  await page.screenshot({ path: resolve(dir, 'live-before-start-390x844.png') });
  await page.getByRole('button', { name: 'Start camera' }).click();
  await waitForFrames(page, 3);
  for (const s of SIZES) {
    await page.setViewportSize(s);
    await page.waitForTimeout(500);
    await page.screenshot({ path: resolve(dir, `live-${s.name}.png`) });
  }
  await page.setViewportSize(SIZES[0]!);
  await page.getByTestId('answer').click();
  await page.screenshot({ path: resolve(dir, 'live-top5-390x844.png') });
  await page.getByRole('button', { name: 'Details', exact: true }).click();
  await page.screenshot({ path: resolve(dir, 'live-details-390x844.png'), fullPage: true });
  await page.getByRole('button', { name: 'Compare' }).click();
  await page.getByRole('button', { name: 'Run comparison' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=legend-item]').length >= 2, undefined, { timeout: 120_000 });
  for (const s of [SIZES[0]!, SIZES[4]!]) {
    await page.setViewportSize(s);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(500);
    await page.screenshot({ path: resolve(dir, `compare-${s.name}.png`) });
  }
  console.log(`screenshots in ${dir}`);
} finally {
  await browser.close();
  stop();
}
