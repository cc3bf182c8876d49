// npm run bench: latency of the default model in the real app, per backend, in headless
// Chromium with the fake camera. Prints model-only and end-to-end p50/p95 and their
// ratio (the pipeline overhead), and writes bench-results.json.
//   npm run bench [-- --frames 40] [-- --backends webgpu,wasm]
import { spawn, execSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { BASE_URL, PORT, launch, openApp, waitForFrames, backendName, tmpFile, loadCifarTest } from '../tests/e2e/harness';
import { placeCentered, writeY4M } from '../tests/e2e/y4m';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const frames = Number(opt('frames', '30'));
const backends = opt('backends', 'webgpu,webgl,wasm,cpu').split(',');

if (!existsSync(resolve(ROOT, 'dist/index.html'))) execSync('npx vite build', { cwd: ROOT, stdio: 'inherit' });
const server = spawn('npx', ['vite', 'preview', '--port', String(PORT), '--strictPort'], { cwd: ROOT, stdio: 'ignore', detached: true });
const stop = () => {
  try {
    process.kill(-server.pid!);
  } catch {
    /* already gone */
  }
};
process.on('exit', stop);
for (let i = 0; i < 100; i++) {
  if (await fetch(BASE_URL).then((r) => r.ok, () => false)) break;
  await new Promise((r) => setTimeout(r, 200));
}

// A fixed input: one CIFAR-10 test image, centred in a 320x240 camera frame.
const { images } = loadCifarTest(1);
const frame = placeCentered(images[0]!, 32, 32, 240, 320, 240);
const video = tmpFile('bench.y4m', writeY4M([frame, frame], 320, 240, 30));

interface Row {
  backend: string;
  frames: number;
  firstMs: number;
  modelP50: number;
  modelP95: number;
  e2eP50: number;
  e2eP95: number;
  fps: number;
  overhead: number;
}
const rows: Row[] = [];
for (const b of backends) {
  const { browser, page } = await launch({ video });
  try {
    await openApp(page, `backend=${b}`);
    const got = await backendName(page);
    if (got !== b) {
      console.log(`${b}: not available here (the app chose ${got})`);
      continue;
    }
    await page.getByRole('button', { name: 'Start camera' }).click();
    await waitForFrames(page, frames, 600_000);
    const num = async (id: string, attr: string) => Number(await page.getByTestId(id).getAttribute(attr));
    const row: Row = {
      backend: b,
      frames,
      firstMs: await num('first-inference', 'data-value'),
      modelP50: await num('model-latency', 'data-p50'),
      modelP95: await num('model-latency', 'data-p95'),
      e2eP50: await num('e2e-latency', 'data-p50'),
      e2eP95: await num('e2e-latency', 'data-p95'),
      fps: await num('fps', 'data-value'),
      overhead: 0,
    };
    row.overhead = row.e2eP50 / row.modelP50;
    rows.push(row);
    console.log(`${b}: done`);
  } finally {
    await browser.close();
  }
}
stop();

const machine = `${cpus().length}x ${cpus()[0]?.model ?? 'cpu'}, Chromium headless (WebGPU/WebGL via SwiftShader where no GPU)`;
console.log(`\nairbench-cifar10, 32x32 input, ${frames} frames after warm-up; ${machine}`);
console.log('backend | first (compile) ms | model p50 | model p95 | e2e p50 | e2e p95 | fps | e2e/model');
for (const r of rows) {
  console.log(
    [r.backend, r.firstMs, r.modelP50, r.modelP95, r.e2eP50, r.e2eP95].map((v) => (typeof v === 'number' ? v.toFixed(1) : v)).join(' | ') +
      ` | ${r.fps.toFixed(1)} | ${r.overhead.toFixed(2)}x`,
  );
}
writeFileSync(resolve(ROOT, 'bench-results.json'), JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 1));
console.log('wrote bench-results.json');
process.exit(0);
