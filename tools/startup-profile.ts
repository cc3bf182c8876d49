// What the main thread runs while the app starts: a V8 CPU profile of the page's first
// seconds under Lighthouse's 4x CPU throttle, self time summed per function and script.
// `npm run audit -- --profile` prints it after the Lighthouse run.
import type { Page } from '@playwright/test';

export interface ProfileRow {
  fn: string;
  url: string;
  selfMs: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; hitCount?: number }[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

export async function profileStartup(page: Page, url: string, seconds = 4): Promise<{ rows: ProfileRow[]; totalMs: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.goto(url);
  await page.waitForTimeout(seconds * 1000);
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, ProfileRow>();
  let totalMs = 0;
  (profile.samples ?? []).forEach((id, i) => {
    const n = byId.get(id);
    const ms = (profile.timeDeltas?.[i] ?? 0) / 1000;
    if (!n || ['(idle)', '(program)', '(garbage collector)', '(root)'].includes(n.callFrame.functionName)) return;
    totalMs += ms;
    const fn = n.callFrame.functionName || '(anonymous)';
    const at = `${n.callFrame.url.replace(/^.*\//, '')}:${n.callFrame.lineNumber + 1}:${n.callFrame.columnNumber + 1}`;
    const key = `${fn} ${at}`;
    const row = self.get(key) ?? { fn, url: at, selfMs: 0 };
    row.selfMs += ms;
    self.set(key, row);
  });
  return { rows: [...self.values()].sort((a, b) => b.selfMs - a.selfMs), totalMs };
}
