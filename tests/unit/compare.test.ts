import { describe, expect, it } from 'vitest';
import { appendCapped, chartTop, compareCsv, compareJson, compareRow, csvCell, polyline, NO_FIGURES, type PaneLike } from '../../src/lib/compare';
import { findCard, DEFAULT_MODEL_ID } from '../../models/registry';

function pane(over: Partial<PaneLike> = {}): PaneLike {
  return {
    card: findCard(DEFAULT_MODEL_ID),
    model: { id: DEFAULT_MODEL_ID, params: 1_972_792, weightBytes: 1_998_000, weightsSha256: 'ab', firstInferenceMs: 195.25 },
    figures: { modelP50: 51.234, modelP95: 63, e2eP50: 69, e2eP95: 80, fps: 12.2, captureP50: 1.5, preprocessP50: 2.25, otherP50: 14 },
    memory: { numTensors: 40, numBytes: 3_100_000 },
    top: [
      { index: 3, label: 'cat', prob: 0.9 },
      { index: 5, label: 'dog', prob: 0.05 },
    ],
    frames: 10,
    dropped: 2,
    history: [
      { t: 1000, modelMs: 50, e2eMs: 70, frame: 1 },
      { t: 1100, modelMs: 52, e2eMs: 71, frame: 3 },
    ],
    frameImport: 'external-texture',
    ...over,
  };
}

describe('compare', () => {
  it('keeps the last N history samples', () => {
    let h: number[] = [];
    for (let i = 0; i < 7; i++) h = appendCapped(h, i, 5);
    expect(h).toEqual([2, 3, 4, 5, 6]);
    const before = h;
    h = appendCapped(h, 7, 5);
    expect(before).toEqual([2, 3, 4, 5, 6]); // not mutated
  });

  it('builds a summary row with nulls for figures not measured yet', () => {
    const r = compareRow(pane({ model: null, memory: null, figures: NO_FIGURES, frameImport: null }), 'wasm');
    expect(r).toMatchObject({ model: DEFAULT_MODEL_ID, backend: 'wasm', frameImport: null, params: null, macs: findCard(DEFAULT_MODEL_ID).macs, modelP50Ms: null, captureP50Ms: null, otherP50Ms: null, gpuBytes: null });
  });

  it('exports JSON with history relative to the start', () => {
    const j = compareJson([{ pane: pane(), backend: 'wasm' }], 900, { exportedAt: 'x', userAgent: 'y', scheduling: 'z' });
    expect(j.models[0]!.history.map((s) => s.t)).toEqual([100, 200]);
    expect(j.models[0]!.firstInferenceMs).toBe(195.25);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j); // no NaN or undefined lost on the way
  });

  it('exports CSV, one quoted-where-needed row per model', () => {
    const csv = compareCsv([compareRow(pane(), 'wasm'), compareRow(pane({ memory: { numTensors: 1, numBytes: 2, gpuBytes: 3 } }), 'webgl')]);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^model,name,backend,frameImport,params,macs,weightBytes,firstInferenceMs,modelP50Ms/);
    // gpuBytes (unknown on wasm) is empty; the last cell is the top-5.
    expect(lines[1]).toMatch(/,40,3100000,,cat 0\.9000; dog 0\.0500$/);
    expect(lines[2]).toMatch(/,1,2,3,cat 0\.9000; dog 0\.0500$/);
    expect(lines[1]).toContain(',51.234,');
    // Where the end-to-end time went: capture, preprocess, transfer and render.
    expect(lines[0]).toContain(',e2eP95Ms,captureP50Ms,preprocessP50Ms,otherP50Ms,fps,');
    expect(lines[1]).toContain(',80,1.5,2.25,14,12.2,');
    expect(lines[1]).toContain(',"airbench (64-256-256), CIFAR-10",wasm,external-texture,');
    expect(csvCell('a "b", c')).toBe('"a ""b"", c"');
    expect(csvCell(null)).toBe('');
  });

  it('draws a polyline scaled to the box, clipped at yMax', () => {
    expect(polyline([0, 50, 100], [0, 50, 200], 100, 10, 100)).toBe('0.0,10.0 50.0,5.0 100.0,0.0');
    expect(polyline([], [], 100, 10, 100)).toBe('');
    expect(chartTop(pane().history)).toBe(80);
    expect(chartTop([])).toBe(10);
  });
});
