// npm run bench, part 5: the Tour's refresh rate on wasm. The built app with the fake camera
// (one CIFAR-10 test image at 30 fps); for each live section in the seed's order, its model on
// its first layer: visualised frames per second over a fixed window, with feature maps only and
// with the section's explanations on (deconvnet every frame; guided backprop and Grad-CAM at
// most once a second), and how many frames came explained. The rate cannot exceed the
// camera's 30 fps. Frames are counted by the page (data-frames, data-explained).
import type { Page } from '@playwright/test';
import { launch, openApp, tmpFile, loadCifarTest } from '../tools/app-harness';
import { placeCentered, writeY4M } from '../tools/y4m';
import { TOUR_SECTIONS, sectionModel } from '../models/tour-sections';

export interface TourRow {
  section: string;
  model: string;
  trained: boolean;
  layer: string;
  /** Feature maps only. */
  mapsPerSecond: number;
  /** With explanations on: frames visualised, and those that came with an explanation (the gradients at most one a second). */
  mapsWithExplanations: number;
  explainedPerSecond: number;
  /** What each frame explained with: the deconvnet, or the gradients and the backend they ran on. */
  method: string;
}

/** Visualised and explained frames per second over `seconds`, after 3 warm-up frames. */
async function rate(page: Page, seconds: number): Promise<{ frames: number; explained: number }> {
  const counts = () =>
    page.getByTestId('tour-frames').evaluate((el) => [Number(el.getAttribute('data-frames')), Number(el.getAttribute('data-explained')), performance.now()] as const);
  // Warm-up: the first frames of a model compile and allocate.
  const start = (await counts())[0] + 3;
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=tour-frames]')?.getAttribute('data-frames')) >= n, start, { timeout: 300_000, polling: 50 });
  const [f0, e0, t0] = await counts();
  await page.waitForTimeout(seconds * 1000);
  const [f1, e1, t1] = await counts();
  return { frames: ((f1 - f0) * 1000) / (t1 - t0), explained: ((e1 - e0) * 1000) / (t1 - t0) };
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
      const mapsPerSecond = (await rate(page, seconds)).frames;
      await explain.setChecked(true);
      await section.locator('[data-testid=explanation]:not([data-method=none])').waitFor({ timeout: 300_000 });
      const withExplanations = await rate(page, seconds);
      const kind = String(await section.getByTestId('explanation').getAttribute('data-method'));
      const method = kind === 'deconvnet' ? kind : `guided backprop + Grad-CAM (${await section.getByTestId('grad-cam').getAttribute('data-backend')})`;
      const layer = String(await section.getByTestId('feature-maps').getAttribute('data-layer'));
      rows.push({ section: s.title, model: card.id, trained, layer, mapsPerSecond, mapsWithExplanations: withExplanations.frames, explainedPerSecond: withExplanations.explained, method });
      log(`tour ${card.id} ${layer}: ${mapsPerSecond.toFixed(1)} maps/s; with ${method}: ${withExplanations.frames.toFixed(1)} maps/s, ${withExplanations.explained.toFixed(1)} explained/s`);
    }
  } finally {
    await browser.close();
  }
  return rows;
}
