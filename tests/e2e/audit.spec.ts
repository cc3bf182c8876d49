// One Lighthouse mobile run on the built app (wasm): what does not depend on the machine's
// speed. Accessibility scores 1, nothing jumps while the app loads (CLS < 0.05), and the
// console has no errors. Performance and TBT are measured by `npm run audit`, not asserted.
import { test, expect } from '@playwright/test';
import { BASE_URL } from '../../tools/app-harness';
import { formatSummary, runLighthouse, speedFreeFailures } from '../../tools/lighthouse';

test('Lighthouse, mobile: accessibility 1, CLS below 0.05, no console errors', async () => {
  const { summary } = await runLighthouse(`${BASE_URL}?backend=wasm`);
  console.log(formatSummary(summary));
  expect(speedFreeFailures(summary)).toEqual([]);
});
