// Pure logic, unit-tested: rolling latency percentiles and rates.

/** Keeps the last `capacity` samples; percentiles use nearest-rank on a sorted copy. */
export class Rolling {
  private readonly buf: number[] = [];
  constructor(readonly capacity = 100) {}

  push(v: number): void {
    this.buf.push(v);
    if (this.buf.length > this.capacity) this.buf.shift();
  }

  get size(): number {
    return this.buf.length;
  }

  percentile(p: number): number {
    if (!this.buf.length) return NaN;
    const s = [...this.buf].sort((a, b) => a - b);
    const rank = Math.ceil((p / 100) * s.length);
    return s[Math.min(s.length - 1, Math.max(0, rank - 1))]!;
  }

  /** Events per second, when the samples are timestamps in ms. */
  rate(): number {
    if (this.buf.length < 2) return 0;
    const span = this.buf[this.buf.length - 1]! - this.buf[0]!;
    return span > 0 ? ((this.buf.length - 1) * 1000) / span : 0;
  }

  clear(): void {
    this.buf.length = 0;
  }
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return 'n/a';
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

/** A share as a percentage; '–' for a missing or non-finite one (never "NaN%"). */
export function formatPercent(v: number | null | undefined, digits = 1): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(digits)}%`;
}

export function formatMs(n: number): string {
  return Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n)} ms` : '–';
}

/** 49,400,000 → "49.4 M" (MACs, parameters). */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/**
 * 775192 → "775,192". Hand-written rather than toLocaleString('en'): the first Intl call
 * loads ICU's locale data on the main thread, about 160 ms under a 4x CPU throttle, as the
 * first answer is shown (npm run audit -- --profile).
 */
export function formatInt(n: number): string {
  if (!Number.isSafeInteger(n)) return String(n);
  const s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** 3725 → "1 h 02 min", 185 → "3 min 05 s", 12.4 → "12 s". */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '–';
  const s = Math.round(sec);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
