// One Lighthouse run (pinned 12.2.3, its default mobile emulation: a mid-range phone, 4x CPU
// throttle, simulated slow 4G) in Debian's Chromium, summarised. Used by `npm run audit` and
// tests/e2e/audit.spec.ts.
import { cpus, loadavg } from 'node:os';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import type { Result } from 'lighthouse';
import { CHROMIUM } from './app-harness';

/** Issue 17's targets for the mobile run. */
export const TARGETS = { cls: 0.05, tbtMs: 150, performance: 0.9, accessibility: 1 };

export interface AuditSummary {
  url: string;
  lighthouse: string;
  machine: { cores: number; cpu: string; loadavg1: number; benchmarkIndex: number };
  scores: { performance: number | null; accessibility: number | null; bestPractices: number | null };
  clsValue: number;
  tbtMs: number;
  fcpMs: number;
  lcpMs: number;
  ttiMs: number;
  /** Main-thread script evaluation, per script (Lighthouse's bootup-time). */
  scripts: { url: string; scriptingMs: number }[];
  longTasks: { url: string; startMs: number; durationMs: number }[];
  consoleErrors: string[];
  /** Accessibility audits that failed. */
  accessibilityFailures: string[];
}

const FLAGS = ['--headless=new', '--no-sandbox', '--disable-gpu-sandbox', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function runLighthouse(url: string): Promise<{ summary: AuditSummary; lhr: Result }> {
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: FLAGS });
  try {
    const loadavg1 = loadavg()[0]!;
    const result = await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: ['performance', 'accessibility', 'best-practices'] });
    if (!result) throw new Error('Lighthouse returned no result');
    const lhr = result.lhr;
    if (lhr.runtimeError) throw new Error(`Lighthouse: ${lhr.runtimeError.code}: ${lhr.runtimeError.message}`);
    const num = (id: string) => lhr.audits[id]?.numericValue ?? NaN;
    type Item = Record<string, unknown>;
    const items = (id: string) => (lhr.audits[id]?.details as { items?: Item[] } | undefined)?.items ?? [];
    const a11y = new Set(lhr.categories.accessibility?.auditRefs.map((r) => r.id));
    const summary: AuditSummary = {
      url,
      lighthouse: lhr.lighthouseVersion,
      machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? '', loadavg1, benchmarkIndex: lhr.environment.benchmarkIndex },
      scores: {
        performance: lhr.categories.performance?.score ?? null,
        accessibility: lhr.categories.accessibility?.score ?? null,
        bestPractices: lhr.categories['best-practices']?.score ?? null,
      },
      clsValue: num('cumulative-layout-shift'),
      tbtMs: num('total-blocking-time'),
      fcpMs: num('first-contentful-paint'),
      lcpMs: num('largest-contentful-paint'),
      ttiMs: num('interactive'),
      scripts: items('bootup-time').map((t) => ({ url: String(t.url), scriptingMs: Number(t.scripting) })),
      longTasks: items('long-tasks').map((t) => ({ url: String(t.url), startMs: Number(t.startTime), durationMs: Number(t.duration) })),
      consoleErrors: items('errors-in-console').map((e) => `${String(e.source)}: ${String(e.description)}`),
      accessibilityFailures: Object.values(lhr.audits).filter((a) => a.score === 0 && a11y.has(a.id)).map((a) => `${a.id}: ${a.title}`),
    };
    return { summary, lhr };
  } finally {
    chrome.kill();
  }
}

/** What may be asserted on any machine: no speed figure. */
export function speedFreeFailures(s: AuditSummary): string[] {
  const out: string[] = [];
  if (s.scores.accessibility !== TARGETS.accessibility) out.push(`accessibility ${s.scores.accessibility} (want ${TARGETS.accessibility}): ${s.accessibilityFailures.join('; ')}`);
  if (!(s.clsValue < TARGETS.cls)) out.push(`CLS ${s.clsValue.toFixed(3)} (want < ${TARGETS.cls})`);
  if (s.consoleErrors.length) out.push(`console errors: ${s.consoleErrors.join('; ')}`);
  return out;
}

export function formatSummary(s: AuditSummary): string {
  const f = (n: number) => n.toFixed(0);
  const lines = [
    `Lighthouse ${s.lighthouse}, mobile, on ${s.url}`,
    `  machine: ${s.machine.cores} cores (${s.machine.cpu}), load average ${s.machine.loadavg1.toFixed(2)}, Lighthouse benchmark index ${f(s.machine.benchmarkIndex)}`,
    `  Performance ${s.scores.performance}  Accessibility ${s.scores.accessibility}  Best practices ${s.scores.bestPractices}`,
    `  CLS ${s.clsValue.toFixed(3)} (target < ${TARGETS.cls})  TBT ${f(s.tbtMs)} ms (target < ${TARGETS.tbtMs})  FCP ${f(s.fcpMs)} ms  LCP ${f(s.lcpMs)} ms  TTI ${f(s.ttiMs)} ms`,
    `  main-thread script (4x throttle):`,
    ...s.scripts.map((t) => `    ${f(t.scriptingMs)} ms  ${t.url}`),
    `  long tasks: ${s.longTasks.length}`,
    ...s.longTasks.map((t) => `    ${f(t.durationMs)} ms at ${f(t.startMs)} ms  ${t.url}`),
    ...s.consoleErrors.map((e) => `  console error: ${e}`),
    ...s.accessibilityFailures.map((a) => `  accessibility: ${a}`),
  ];
  return lines.join('\n');
}
