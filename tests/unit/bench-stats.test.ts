import { describe, expect, it } from 'vitest';
import { fmtRatio, markdownTable, maxAbsDiff, percentile, ratio, softmax, summarize, topKernels } from '../../scripts/bench-stats';

describe('bench statistics', () => {
  it('percentile is nearest-rank on unsorted input', () => {
    const v = [5, 1, 4, 2, 3];
    expect(percentile(v, 50)).toBe(3);
    expect(percentile(v, 95)).toBe(5);
    expect(percentile(v, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarize gives runs, mean, p50, p95, min', () => {
    expect(summarize([10, 20, 30, 40])).toEqual({ runs: 4, meanMs: 25, p50Ms: 20, p95Ms: 40, minMs: 10 });
    expect(summarize([]).runs).toBe(0);
  });

  it('topKernels sums by name, sorts by time and gives shares', () => {
    const rows = topKernels(
      [
        { name: 'Conv2D', ms: 3 },
        { name: 'Relu', ms: 1 },
        { name: 'Conv2D', ms: 4 },
        { name: 'Add', ms: NaN },
        { name: 'fusedConv2d__op', ms: 9 },
      ],
      2,
    );
    expect(rows).toEqual([
      { name: 'Conv2D', calls: 2, ms: 7, share: 7 / 8 },
      { name: 'Relu', calls: 1, ms: 1, share: 1 / 8 },
    ]);
  });

  it('ratio is null when a side is missing', () => {
    expect(ratio(6, 3)).toBe(2);
    expect(ratio(6, 0)).toBeNull();
    expect(ratio(null, 3)).toBeNull();
    expect(ratio(NaN, 3)).toBeNull();
    expect(fmtRatio(1.234)).toBe('1.23x');
    expect(fmtRatio(null)).toBe('–');
  });

  it('softmax and maxAbsDiff', () => {
    const s = softmax([0, 0]);
    expect(s).toEqual([0.5, 0.5]);
    expect(softmax([1000, 0])[0]).toBeCloseTo(1);
    expect(maxAbsDiff([1, 2], [1, 2.5])).toBe(0.5);
    expect(maxAbsDiff([1], [1, 2])).toBe(Infinity);
  });

  it('markdownTable formats numbers and missing cells', () => {
    expect(markdownTable(['a', 'b', 'c'], [['x', 1.25, null]], 1)).toBe('| a | b | c |\n| --- | --- | --- |\n| x | 1.3 | – |');
  });
});
