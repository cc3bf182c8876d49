// The real camera path on WebGPU: Chromium's fake camera plays a Y4M made from CIFAR-10
// test images (known labels), and the app must name most of them.
import { test, expect } from '@playwright/test';
import { cspViolations, launch, openApp, backendName, waitForFrames, loadCifarTest, tmpFile, LABELS } from '../../tools/app-harness';
import { placeCentered, writeY4M } from '../../tools/y4m';

const COUNT = 12;
const W = 320;
const H = 240;

test('classifies CIFAR-10 test images shown to the camera, on WebGPU', async () => {
  const { labels, images } = loadCifarTest(COUNT);
  const results: { want: string; got: string | null }[] = [];
  for (let i = 0; i < COUNT; i++) {
    // One still image per video (and per browser: the fake camera file is a launch flag).
    const frame = placeCentered(images[i]!, 32, 32, H, W, H);
    const video = tmpFile(`cifar-${i}.y4m`, writeY4M([frame, frame], W, H, 10));
    const { browser, page } = await launch({ video });
    try {
      await openApp(page);
      expect(await backendName(page)).toBe('webgpu');
      await page.getByRole('button', { name: 'Start camera' }).click();
      await waitForFrames(page, 2);
      // SwiftShader is a software adapter, so frames go as bitmaps (gpu-frame.spec.ts tests the other path).
      if (i === 0) await expect(page.getByTestId('frame-import')).toHaveAttribute('data-value', 'bitmap');
      expect(cspViolations(page)).toEqual([]);
      const got = await page.getByTestId('top1').getAttribute('data-label');
      results.push({ want: LABELS[labels[i]!]!, got });
    } finally {
      await browser.close();
    }
  }
  console.log(results.map((r, i) => `${i}: ${r.want} -> ${r.got}`).join('\n'));
  const correct = results.filter((r) => r.want === r.got).length;
  console.log(`camera top-1: ${correct}/${COUNT}`);
  // Chance is 1 in 10; the model scores about 9 in 10 on the test set.
  expect(correct).toBeGreaterThanOrEqual(Math.ceil(COUNT * 0.7));
});
