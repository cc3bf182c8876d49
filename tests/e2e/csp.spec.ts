// The Content-Security-Policy (security-headers.ts): sent by the server and carried as a
// <meta> by the app and the bench page; a fetch to another origin is refused; the app runs
// under it (the camera, compare, train and offline specs also check that no violation is
// reported); and without ?faults no fault can be injected.
import { test, expect } from '@playwright/test';
import { launch, openApp, cspViolations, ORIGIN, PORT } from '../../tools/app-harness';
import { importWeights } from '../../tools/zoo-driver';
import { contentSecurityPolicy } from '../../security-headers';

test('the policy is sent and carried by both pages; a fetch to another origin is refused; the app classifies under it', async () => {
  const { browser, page } = await launch({ webgpu: false });
  try {
    const policy = contentSecurityPolicy('build');
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval' blob:");
    expect(policy).not.toMatch(/'unsafe-eval'|'unsafe-inline'/);
    for (const path of ['/', '/bench.html']) {
      const res = await page.request.get(`${ORIGIN}${path}`);
      expect(res.headers()['content-security-policy']).toBe(policy);
      expect(await res.text()).toContain(`<meta http-equiv="Content-Security-Policy" content="${policy.replaceAll("'", '&#39;')}">`);
    }

    await openApp(page, 'backend=wasm&threads=2');
    // Threads start from blob: workers, which the policy allows, and the count asked is used.
    await expect(page.getByTestId('backend')).toContainText('SIMD, 2 threads: as asked by ?threads=2');
    // Another origin (this same server by its IP address): refused before any request.
    const other = `http://127.0.0.1:${PORT}/index.html`;
    const outcome = await page.evaluate((url) => fetch(url).then(() => 'fetched', (e: Error) => `refused: ${e.name}`), other);
    expect(outcome).toBe('refused: TypeError');
    await expect.poll(() => cspViolations(page)).toContain(`Content-Security-Policy: connect-src blocked ${other}`);
    // The worker refuses such a URL with a message rather than a bare "Failed to fetch".
    await page.getByRole('button', { name: 'Models' }).click();
    expect(await importWeights(page, 'lenet5-modern-mnist', other)).toMatch(/downloads only from itself, huggingface\.co and \*\.hf\.co .* not from 127\.0\.0\.1/);
    // Only the page's own fetch above was reported (in the browser's words and ours), nothing else.
    expect(cspViolations(page).filter((v) => !v.includes(other))).toEqual([]);
    // No ?faults: the fault console is absent.
    expect(await page.evaluate(() => 'convcamFaults' in globalThis)).toBe(false);
  } finally {
    await browser.close();
  }
});
