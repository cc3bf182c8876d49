// Launches Debian's Chromium with the flags this project needs: no network chatter, WebGPU
// through SwiftShader, a fake camera, and the download fixtures' host (weights-server.ts).
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from '@playwright/test';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCifarRecords } from '../workers/train/cifar10';
import { placeCentered, writeY4M } from './y4m';
import type { Fault } from '../workers/contracts/inference-protocol';
import type { FaultConsole } from '../src/lib/faults';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** E2E_PORT lets two checkouts run their suites side by side. */
export const PORT = Number(process.env.E2E_PORT ?? 4173);
export const ORIGIN = `http://localhost:${PORT}`;
export const BASE_URL = `${ORIGIN}/`;
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CIFAR_DIR = process.env.CIFAR10_DIR ?? resolve(ROOT, '../shared/data/cifar-10-batches-bin');
export { CIFAR10_LABELS as LABELS } from '../models/card';
/** The download fixtures' server (weights-server.ts), as the browser names it: a host the policy allows. */
export const FIXTURE_HOST = 'weights.hf.co';
export const FIXTURE_PORT = PORT + 7;
/** The hub-like server's second origin, where its redirects point (its file CDN, as cdn-lfs.hf.co is the hub's). */
export const CDN_HOST = 'cdn-lfs.hf.co';
export const CDN_PORT = PORT + 8;

/** Chromium trusts the fixtures' certificate alone (by its key's hash), not every bad certificate. */
function fixtureSpki(): string {
  const cert = new X509Certificate(readFileSync(join(ROOT, 'tests/fixtures/tls/test-host.crt')));
  return createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
}

const BASE_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu-sandbox',
  // The fixture hosts resolve to the local servers; nothing else is remapped.
  `--host-resolver-rules=MAP ${FIXTURE_HOST} 127.0.0.1:${FIXTURE_PORT},MAP ${CDN_HOST} 127.0.0.1:${CDN_PORT}`,
  `--ignore-certificate-errors-spki-list=${fixtureSpki()}`,
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
  // The document's violations, in the words the workers use (workers/engine/csp-report.ts).
  await context.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Content-Security-Policy: ${e.effectiveDirective} blocked ${e.blockedURI}`)),
  );
  const page = await context.newPage();
  const violations: string[] = [];
  VIOLATIONS.set(page, violations);
  const collect = (m: ConsoleMessage) => {
    if (/Content.Security.Policy/i.test(m.text())) violations.push(m.text());
  };
  page.on('console', collect);
  page.on('worker', (w) => w.on('console', collect));
  page.on('pageerror', (e) => console.error('[pageerror]', e.message));
  return { browser, context, page };
}

const VIOLATIONS = new WeakMap<Page, string[]>();

/** Content-Security-Policy violations reported so far on `page`, by the document or a worker. */
export function cspViolations(page: Page): string[] {
  return [...new Set(VIOLATIONS.get(page) ?? [])];
}

/** Opens the app and waits until the default model is loaded. */
export async function openApp(page: Page, query = ''): Promise<void> {
  await page.goto(query ? `/?${query}` : '/');
  await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: 120_000 });
}

/**
 * Picks `id` in the Live view's picker (its pane replaces the default model's at once; frames
 * reach it once it has loaded). WebGPU tests whose subject is not the model pick a small one:
 * SwiftShader takes 3.7 s a frame of the default model's six views, 0.2 s of VGG-11's one.
 */
export async function pickModel(page: Page, id: string): Promise<void> {
  await page.getByTestId('model-picker').selectOption(id);
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

/**
 * A fake-camera video (test-results/fixtures/`name`) of CIFAR-10 images, each centred in a
 * 320x240 frame and held for `hold` frames at 10 frames a second.
 */
export function cifarVideo(name: string, images: readonly Uint8Array[], hold = 2): string {
  const frames = images.flatMap((img) => Array<Uint8Array>(hold).fill(placeCentered(img, 32, 32, 240, 320, 240)));
  return tmpFile(name, writeY4M(frames, 320, 240, 10));
}

/** Causes `fault` in the worker named `name` ('live', 'compare:<id>', 'train'); the page needs ?faults. */
export async function injectFault(page: Page, name: string, fault: Fault): Promise<void> {
  await page.evaluate(([n, f]) => (globalThis as unknown as { convcamFaults: FaultConsole }).convcamFaults.inject(n, f), [name, fault] as const);
}

/** Ticks exactly `ids` in the Compare view (it opens with a default set from the line). */
export async function chooseCompared(page: Page, ids: string[]): Promise<void> {
  // The Compare view's code loads when it first opens: wait for its boxes before reading them.
  await page.locator('input[data-testid^="compare-"]').first().waitFor();
  for (const box of await page.locator('input[data-testid^="compare-"]').all()) {
    const id = (await box.getAttribute('data-testid'))!.slice('compare-'.length);
    if (!ids.includes(id) && (await box.isChecked())) await box.uncheck();
  }
  for (const id of ids) await page.getByTestId(`compare-${id}`).check();
}
