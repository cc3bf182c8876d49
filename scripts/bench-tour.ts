// npm run bench, part 5: the Tour's refresh rate on wasm. The built app with the fake camera
// (one CIFAR-10 test image at 30 fps); for each live section in the seed's order, its model on
// its first layer: visualised frames per second over a fixed window, with feature maps only and
// with maps plus the section's explanation (deconvnet, or guided backprop and Grad-CAM). The
// rate cannot exceed the camera's 30 fps. Frames are counted by the page (data-frames).
import type { Page } from '@playwright/test';
import { launch, openApp, tmpFile, loadCifarTest } from '../tools/app-harness';
import { placeCentered, writeY4M } from '../tools/y4m';
import { TOUR_SECTIONS, sectionModel } from '../models/tour-sections';

export interface TourRow {
  section: string;
  model: string;
  trained: boolean;
  layer: string;
  mapsPerSecond: number;
  explainedPerSecond: number;
  /** What each frame explained with: the deconvnet, or the gradients and the backend they ran on. */
  method: string;
}

async function rate(page: Page, seconds: number): Promise<number> {
  const count = () => page.getByTestId('tour-frames').getAttribute('data-frames').then(Number);
  // Warm-up: the first frames of a model compile and allocate.
  const start = (await count()) + 3;
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=tour-frames]')?.getAttribute('data-frames')) >= n, start, { timeout: 300_000, polling: 50 });
  const t0 = await page.evaluate(() => performance.now());
  await page.waitForTimeout(seconds * 1000);
  const [n1, t1] = [await count(), await page.evaluate(() => performance.now())];
  return ((n1 - start) * 1000) / (t1 - t0);
}

export async function benchTour(seconds: number, log: (s: string) => void): Promise<TourRow[]> {
  const { images } = loadCifarTest(1);
  const frame = placeCentered(images[0]!, 32, 32, 240, 320, 240);
  const video = tmpFile('bench-tour.y4m', writeY4M([frame, frame], 320, 240, 30));
  const { browser, page } = await launch({ video, webgpu: false });
  const rows: TourRow[] = [];
  try {
    await openApp(page, 'backend=wasm');
    await page.getByRole('button', { name: 'Tour', exact: true }).click();
    await page.getByRole('button', { name: 'Start camera' }).click();
    for (const s of TOUR_SECTIONS.filter((x) => x.live)) {
      const { card, trained } = sectionModel(s);
      await page.getByTestId(`show-live-${s.id}`).click();
      const section = page.getByTestId(`tour-section-${s.id}`);
      const explain = page.getByTestId(`explain-${s.id}`);
      await explain.setChecked(false);
      await section.getByTestId('feature-maps').waitFor({ timeout: 300_000 });
      const mapsPerSecond = await rate(page, seconds);
      await explain.setChecked(true);
      await section.locator('[data-testid=explanation]:not([data-method=none])').waitFor({ timeout: 300_000 });
      const explainedPerSecond = await rate(page, seconds);
      const kind = String(await section.getByTestId('explanation').getAttribute('data-method'));
      const method = kind === 'deconvnet' ? kind : `guided backprop + Grad-CAM (${await section.getByTestId('grad-cam').getAttribute('data-backend')})`;
      const layer = String(await section.getByTestId('feature-maps').getAttribute('data-layer'));
      rows.push({ section: s.title, model: card.id, trained, layer, mapsPerSecond, explainedPerSecond, method });
      log(`tour ${card.id} ${layer}: ${mapsPerSecond.toFixed(1)} maps/s, ${explainedPerSecond.toFixed(1)} with ${method}`);
    }
  } finally {
    await browser.close();
  }
  return rows;
}
