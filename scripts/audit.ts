// npm run audit: builds the app and runs Lighthouse (tools/lighthouse.ts: pinned 12.2.3,
// default mobile emulation) on it, served by `vite preview`, in Debian's Chromium. Prints the
// scores, CLS, TBT, the main thread's script time and long tasks; writes the report and the
// summary as JSON (git-ignored).
//   npm run audit -- [--query backend=wasm] [--out audit-results/lighthouse.json] [--assert] [--profile]
// --profile: also a CPU profile of the start-up under the same 4x throttle (tools/startup-profile.ts),
// the functions with the most self time.
// --assert fails (exit 1) on what does not depend on the machine's speed: accessibility < 1,
// CLS >= 0.05, errors in the console. Speed figures are printed, never asserted.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BASE_URL, launch, ROOT } from '../tools/app-harness';
import { profileStartup } from '../tools/startup-profile';
import { formatSummary, runLighthouse, speedFreeFailures } from '../tools/lighthouse';
import { startPreview } from './preview';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const query = opt('query', 'backend=wasm');
const out = resolve(ROOT, opt('out', 'audit-results/lighthouse.json'));

const stopPreview = await startPreview();
let failed: string[] = [];
try {
  const { summary, lhr } = await runLighthouse(`${BASE_URL}${query ? `?${query}` : ''}`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(lhr));
  writeFileSync(out.replace(/\.json$/, '') + '.summary.json', JSON.stringify(summary, null, 2));
  console.log(formatSummary(summary));
  console.log(`  report: ${out}`);
  if (args.includes('--assert')) failed = speedFreeFailures(summary);
  if (args.includes('--profile')) {
    const { browser, page } = await launch({ webgpu: false });
    try {
      const { rows, totalMs } = await profileStartup(page, summary.url);
      console.log(`start-up profile, 4x throttle, first 4 s: ${totalMs.toFixed(0)} ms of script`);
      for (const r of rows.slice(0, 15)) console.log(`    ${r.selfMs.toFixed(1)} ms  ${r.fn}  ${r.url}`);
    } finally {
      await browser.close();
    }
  }
} finally {
  stopPreview();
}
if (failed.length) {
  console.error(`audit failed: ${failed.join('; ')}`);
  process.exit(1);
}
