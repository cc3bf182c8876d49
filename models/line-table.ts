// The "Performance on CIFAR-10" table: its shape, as npm run table writes it (line-table.json),
// and its Markdown. Plain data, no TF.js: the Models view shows it.
export interface LineRow {
  id: string;
  name: string;
  family: string;
  year: number;
  adapted: string;
  params: number;
  macs: number;
  /** The shipped file's size. */
  bytes: number;
  top1: number;
  top1Tta: number;
  tta: string;
  /** Test images the accuracies count. */
  images: number;
  training: { seconds: number; imagesPerSecond: number; epochs: number; log: string } | null;
  /** Backend -> model-only latency p50 (bench page, one image). */
  latencyP50Ms: Record<string, number>;
  /** Tensors and bytes the loaded model holds (wasm). */
  held: { tensors: number; bytes: number } | null;
  /** Set on a row measured in a later run than the table's (npm run table -- --only): its own run. */
  separateRun?: { date: string; machine: string; command: string };
}

export interface LineTable {
  date: string;
  machine: string;
  gpu: string;
  command: string;
  skipped: string[];
  rows: LineRow[];
}

/**
 * The table with `fresh` rows (a later run's, `run`) in place of or added to `old`'s, in
 * `order` (the shipped models'); each of them says it came from its own run, since latencies
 * and training times compare only within one run on one machine.
 */
export function mergeRows(old: LineTable, fresh: readonly LineRow[], order: readonly string[], run: NonNullable<LineRow['separateRun']>): LineTable {
  const rows = order.map((id) => {
    const f = fresh.find((r) => r.id === id);
    if (f) return { ...f, separateRun: run };
    const o = old.rows.find((r) => r.id === id);
    if (!o) throw new Error(`${id} has no row in the table yet: measure it with the others (--only ${[...fresh.map((r) => r.id), id].join(',')}) or run the whole table.`);
    return o;
  });
  return { ...old, rows };
}

/** What a row measured in its own run says of it (null for the table's own rows); `code` sets the command. */
export function separateRunNote(r: LineRow, code: (command: string) => string = (c) => c): string | null {
  const run = r.separateRun;
  if (!run) return null;
  return `${r.name} was measured in a later run, ${run.date} on ${run.machine}, by ${code(run.command)}: its latencies and training time compare with the other rows' only roughly (another run, and machines differ by up to 2×).`;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const mega = (n: number) => `${(n / 1e6).toFixed(2)} M`;
const mib = (n: number) => `${(n / 1024 ** 2).toFixed(2)} MiB`;

export function lineTableMarkdown(t: LineTable): string {
  const backends = [...new Set(t.rows.flatMap((r) => Object.keys(r.latencyP50Ms)))];
  const head = ['model', 'year', 'params', 'MACs', 'stored', 'top-1', 'top-1 TTA', 'PyTorch training', ...backends.map((b) => `p50 ${b}`), 'held (wasm)'];
  const lines = [
    `Measured ${t.date} on ${t.machine}${t.gpu ? `; ${t.gpu}` : ''}, by \`${t.command}\`. Top-1 on the first ${t.rows[0]?.images ?? 0} images of the shared CIFAR-10 test set, with TF.js on the shipped file.`,
    '',
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...t.rows.map((r) =>
      `| ${[
        r.separateRun ? `${r.name} †` : r.name,
        r.year,
        mega(r.params),
        mega(r.macs),
        mib(r.bytes),
        pct(r.top1),
        `${pct(r.top1Tta)} (${r.tta})`,
        r.training ? `${(r.training.seconds / 60).toFixed(0)} min, ${r.training.imagesPerSecond.toFixed(0)} img/s, ${r.training.epochs} epochs` : 'n/a',
        ...backends.map((b) => (r.latencyP50Ms[b] !== undefined ? `${r.latencyP50Ms[b]!.toFixed(1)} ms` : 'n/a')),
        r.held ? `${r.held.tensors} tensors, ${mib(r.held.bytes)}` : 'n/a',
      ].join(' | ')} |`,
    ),
    '',
    ...t.rows.filter((r) => r.adapted).map((r) => `- ${r.name}: ${r.adapted}`),
  ];
  for (const r of t.rows) {
    const note = separateRunNote(r, (c) => `\`${c}\``);
    if (note) lines.push('', `† ${note}`);
  }
  if (t.skipped.length) lines.push('', `Not measured: ${t.skipped.join('; ')}.`);
  return lines.join('\n');
}
