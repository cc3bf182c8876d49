import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 4173);

// Each spec launches Debian's Chromium itself (tools/app-harness.ts), because the fake
// camera's video and the WebGPU flags are per-browser launch options.
export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 600_000,
  expect: { timeout: 60_000 },
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  webServer: {
    command: `npx vite preview --port ${port} --strictPort`,
    url: `http://localhost:${port}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
