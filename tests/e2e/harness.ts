// Launches Debian's Chromium with the flags this project needs (see DEVELOPERS.md).
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCifarRecords } from '../../workers/cifar10';
import { readFileSync } from 'node:fs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** E2E_PORT lets two checkouts run their suites side by side. */
export const PORT = Number(process.env.E2E_PORT ?? 4173);
export const ORIGIN = `http://localhost:${PORT}`;
export const BASE_URL = `${ORIGIN}/`;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CIFAR_DIR = process.env.CIFAR10_DIR ?? resolve(ROOT, '../shared/data/cifar-10-batches-bin');
export const LABELS = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu-sandbox',
];

/**
 * Vulkan and ANGLE on SwiftShader: with these, headless Chromium can import a camera
 * VideoFrame into WebGPU (under the default flags the import loses the device).
 */
export const GPU_IMPORT_ARGS = ['--use-vulkan=swiftshader', '--use-angle=swiftshader'];

export interface LaunchOptions {
  webgpu?: boolean;
  /** A Y4M file for the fake camera; omit for Chromium's built-in test pattern. */
  video?: string;
  /** false: no fake camera device at all. */
  camera?: boolean;
  /** false: camera permission prompts are denied instead of accepted. */
  allowCamera?: boolean;
  /** More Chromium flags. */
  args?: string[];
}

export async function launch(opts: LaunchOptions = {}): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  const { webgpu = true, camera = true, allowCamera = true, video } = opts;
  const args = [...BASE_ARGS];
  if (webgpu) args.push('--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader');
  if (camera) args.push('--use-fake-device-for-media-stream');
  if (video) args.push(`--use-file-for-fake-video-capture=${video}`);
  args.push(allowCamera ? '--use-fake-ui-for-media-stream' : '--deny-permission-prompts');
  args.push(...(opts.args ?? []));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args, headless: true });
  const context = await browser.newContext({ baseURL: BASE_URL });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[pageerror]', e.message));
  return { browser, context, page };
}

/** Opens the app and waits until the default model is loaded. */
export async function openApp(page: Page, query = ''): Promise<void> {
  await page.goto(query ? `/?${query}` : '/');
  await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: 120_000 });
}

/** Resolves once the service worker is active, i.e. its precache is complete. */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const r = await navigator.serviceWorker.ready;
    if (r.active?.state !== 'activated') await new Promise((ok) => r.active?.addEventListener('statechange', ok));
  });
}

export async function backendName(page: Page): Promise<string | null> {
  return page.getByTestId('backend').getAttribute('data-backend');
}

export async function framesShown(page: Page): Promise<number> {
  return Number(await page.getByTestId('frames').first().textContent());
}

export async function waitForFrames(page: Page, n: number, timeout = 300_000): Promise<void> {
  await page.waitForFunction(
    (min) => Number(document.querySelector('[data-testid=frames]')?.textContent ?? 0) >= min,
    n,
    { timeout, polling: 250 },
  );
}

export function loadCifarTest(count: number): { labels: number[]; images: Uint8Array[] } {
  const bytes = readFileSync(join(CIFAR_DIR, 'test_batch.bin')).subarray(0, count * 3073);
  const { labels, pixels } = parseCifarRecords(new Uint8Array(bytes));
  return { labels: [...labels], images: [...labels].map((_, i) => pixels.subarray(i * 3072, (i + 1) * 3072)) };
}

export function tmpFile(name: string, data: Uint8Array | string): string {
  const dir = join(ROOT, 'test-results', 'fixtures');
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}
