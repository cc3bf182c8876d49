// Starts `vite preview` of the built app (building it first if dist/ is missing) for the
// scripts that drive the app in headless Chromium; returns a function that stops it.
import { execSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { BASE_URL, PORT, ROOT } from '../tools/app-harness';

export async function startPreview(): Promise<() => void> {
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
  for (let i = 0; i < 150; i++) {
    if (await fetch(BASE_URL).then((r) => r.ok, () => false)) return stop;
    await new Promise((r) => setTimeout(r, 200));
  }
  stop();
  throw new Error(`vite preview did not answer on ${BASE_URL}`);
}
