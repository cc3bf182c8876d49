// The real camera path: Chromium's fake camera plays a Y4M made from CIFAR-10 test images
// (known labels), and the app must name most of them. On wasm, because the backend does not
// matter here and SwiftShader takes seconds a frame: the camera on WebGPU is tested by
// gpu-frame.spec.ts (external textures), recovery.spec.ts and leaks.spec.ts (bitmaps).
import { test, expect } from '@playwright/test';
import { cifarVideo, cspViolations, launch, openApp, backendName, waitForFrames, loadCifarTest, LABELS } from '../../tools/app-harness';

const COUNT = 12;

test('classifies CIFAR-10 test images shown to the camera', async () => {
  const { labels, images } = loadCifarTest(COUNT);
  const results: { want: string; got: string | null }[] = [];
  for (let i = 0; i < COUNT; i++) {
    // One still image per video (and per browser: the fake camera file is a launch flag).
    const video = cifarVideo(`cifar-${i}.y4m`, [images[i]!]);
    const { browser, page } = await launch({ video, webgpu: false });
    try {
      await openApp(page, 'backend=wasm');
      expect(await backendName(page)).toBe('wasm');
      await page.getByRole('button', { name: 'Start camera' }).click();
      await waitForFrames(page, 2);
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
