import { defineConfig } from '@playwright/test';

// Each spec launches Debian's Chromium itself (tests/e2e/harness.ts), because the fake
// camera's video and the WebGPU flags are per-browser launch options.
export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 600_000,
  expect: { timeout: 60_000 },
  workers: 1,
  fullyParallel: false,
  reporter: [['list']],
  webServer: {
    command: 'npx vite preview --port 4173 --strictPort',
    url: 'http://localhost:4173/',
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
