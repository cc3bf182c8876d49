// npm run table -- --only: a later run's rows merged into the table, each marked as its own run.
import { describe, expect, it } from 'vitest';
import { lineTableMarkdown, mergeRows, separateRunNote, type LineRow, type LineTable } from '../../models/line-table';

const row = (id: string, top1: number): LineRow => ({
  id, name: id.toUpperCase(), family: 'f', year: 2015, adapted: '', params: 1, macs: 1, bytes: 1, top1, top1Tta: top1,
  tta: 'mirror', images: 10_000, training: null, latencyP50Ms: { wasm: 1 }, held: null,
});
const old: LineTable = { date: '2026-12-02', machine: 'machine A', gpu: '', command: 'npm run table', skipped: [], rows: [row('a', 0.5), row('c', 0.7)] };
const run = { date: '2026-12-07', machine: 'machine B', command: 'npm run table -- --only b' };

describe('mergeRows', () => {
  it('puts the fresh rows in the shipped order, marked as their own run, and keeps the rest as measured', () => {
    const t = mergeRows(old, [row('b', 0.6)], ['a', 'b', 'c'], run);
    expect(t.rows.map((r) => [r.id, r.top1, r.separateRun?.machine ?? null])).toEqual([['a', 0.5, null], ['b', 0.6, 'machine B'], ['c', 0.7, null]]);
    expect([t.date, t.machine, t.command]).toEqual([old.date, old.machine, old.command]);
    const md = lineTableMarkdown(t);
    expect(md).toContain('| B † |');
    expect(md).toContain('† B was measured in a later run, 2026-12-07 on machine B, by `npm run table -- --only b`');
    expect(separateRunNote(t.rows[0]!)).toBeNull();
  });

  it('replaces a row measured again, and refuses a shipped model that has no row and was not measured', () => {
    expect(mergeRows(old, [row('a', 0.55)], ['a', 'c'], run).rows.map((r) => r.top1)).toEqual([0.55, 0.7]);
    expect(() => mergeRows(old, [], ['a', 'b', 'c'], run)).toThrow('b has no row in the table yet');
  });
});
