// Pure helpers of npm run bench: summaries, kernel tables, ratios, the printed table.
// No TF.js, no Node APIs: the bench page and the Node script both use them.

export interface Summary {
  runs: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  minMs: number;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(times: readonly number[]): Summary {
  const n = times.length;
  return {
    runs: n,
    meanMs: n ? times.reduce((a, b) => a + b, 0) / n : NaN,
    p50Ms: percentile(times, 50),
    p95Ms: percentile(times, 95),
    minMs: n ? Math.min(...times) : NaN,
  };
}

export interface KernelRow {
  name: string;
  calls: number;
  ms: number;
  /** Share of the summed kernel time, 0..1. */
  share: number;
}

/**
 * Sums tf.profile's per-kernel times by kernel name; the top n by time. NaN times count 0.
 * Op scopes ("fusedConv2d__op") wrap a kernel that is listed too, so they are left out.
 */
export function topKernels(kernels: readonly { name: string; ms: number }[], n: number): KernelRow[] {
  const by = new Map<string, { calls: number; ms: number }>();
  for (const k of kernels) {
    if (k.name.endsWith('__op')) continue;
    const e = by.get(k.name) ?? { calls: 0, ms: 0 };
    e.calls++;
    e.ms += Number.isFinite(k.ms) ? k.ms : 0;
    by.set(k.name, e);
  }
  const total = [...by.values()].reduce((a, e) => a + e.ms, 0);
  return [...by]
    .map(([name, e]) => ({ name, calls: e.calls, ms: e.ms, share: total > 0 ? e.ms / total : 0 }))
    .sort((a, b) => b.ms - a.ms || a.name.localeCompare(b.name))
    .slice(0, n);
}

/** a / b, or null when either is missing or b is 0. */
export function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

export function softmax(v: readonly number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** Largest absolute difference of two equally long vectors (Infinity if lengths differ). */
export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
}

export type Cell = string | number | null | undefined;

/** A Markdown table; numbers get `digits` decimals, missing cells read "–". */
export function markdownTable(header: readonly string[], rows: readonly (readonly Cell[])[], digits = 1): string {
  const fmt = (c: Cell) => (c == null || (typeof c === 'number' && !Number.isFinite(c)) ? '–' : typeof c === 'number' ? c.toFixed(digits) : c);
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line([...header]), line(header.map(() => '---')), ...rows.map((r) => line(r.map(fmt)))].join('\n');
}

/** "1.23x" or "–". */
export function fmtRatio(r: number | null): string {
  return r == null ? '–' : `${r.toFixed(2)}x`;
}

/** A fixed uint8 RGB image (a seeded pseudo-random pattern), the same for our model and the TFLite interpreter. */
export function benchImage(size: number): Int32Array {
  const q = new Int32Array(size * size * 3);
  let s = 12345;
  for (let i = 0; i < q.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    q[i] = s >>> 24;
  }
  return q;
}
