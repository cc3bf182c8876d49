// npm run table on a small slice (500 test images, wasm only, 3 timed runs), so the command
// that fills README's "Performance on CIFAR-10" table cannot rot. Its figures come from the
// full command, never from this test; this checks that every shipped CIFAR-10 model gets a
// row with measured accuracy, latency, memory and its training log.
import { test, expect } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../tools/app-harness';
import { SHIPPED_CIFAR10 } from '../../models/registry';
import type { LineTable } from '../../models/line-table';

test('npm run table measures every shipped CIFAR-10 model (500 images, wasm)', async () => {
  const out = join(ROOT, 'test-results', 'line-table.json');
  const run = spawnSync('npx', ['tsx', 'scripts/table.ts', '--limit', '500', '--backends', 'wasm', '--runs', '3', '--no-readme', '--out', out], { cwd: ROOT, encoding: 'utf8', env: process.env });
  expect(run.status, run.stderr + run.stdout.slice(-2000)).toBe(0);
  const table = JSON.parse(readFileSync(out, 'utf8')) as LineTable;
  expect(table.rows.map((r) => r.id)).toEqual(SHIPPED_CIFAR10.map((c) => c.id));
  for (const r of table.rows) {
    expect(r.images).toBe(500);
    // Better than chance by far: a model that loaded wrong weights lands near 10%.
    expect(r.top1, r.id).toBeGreaterThan(0.4);
    expect(r.top1Tta, r.id).toBeGreaterThan(0.4);
    expect(r.latencyP50Ms.wasm, r.id).toBeGreaterThan(0);
    expect(r.held?.tensors, r.id).toBeGreaterThan(0);
    expect(r.training?.epochs, r.id).toBeGreaterThan(0);
  }
});
