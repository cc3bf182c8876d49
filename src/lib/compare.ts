// Pure logic of the compare view, unit-tested: latency history, summary rows, JSON and CSV.
import type { ModelCard } from '../../models/card';
import type { FrameImport, LoadedModel, MemoryInfo, Prediction } from '../../workers/contracts/inference-protocol';

/** One classified frame: when it was shown (performance.now() ms) and what it cost. */
export interface LatencySample {
  t: number;
  modelMs: number;
  e2eMs: number;
  /** Camera frame number, shared by all models, so their results can be matched up. */
  frame: number;
}

/** Appends `s`, keeping the last `cap` samples (a new array, for $state.raw). */
export function appendCapped<T>(list: readonly T[], s: T, cap: number): T[] {
  const out = list.length >= cap ? list.slice(list.length - cap + 1) : list.slice();
  out.push(s);
  return out;
}

/** Where one frame's end-to-end time went, in ms. */
export interface FrameTiming {
  /** Crop and resize of the video frame on the UI thread (createImageBitmap). */
  captureMs: number;
  /** Upload and normalisation in the worker. */
  preprocessMs: number;
  /** Forward pass and readback in the worker. */
  modelMs: number;
  /** From the start of capture to the result on screen. */
  e2eMs: number;
}

/** p50/p95 of model and end-to-end time, and the p50 of each part of the end-to-end time. */
export interface Figures {
  modelP50: number;
  modelP95: number;
  e2eP50: number;
  e2eP95: number;
  fps: number;
  captureP50: number;
  preprocessP50: number;
  /** Transfer to and from the worker, messaging and rendering: what the parts above leave. */
  otherP50: number;
}

export const NO_FIGURES: Figures = { modelP50: NaN, modelP95: NaN, e2eP50: NaN, e2eP95: NaN, fps: 0, captureP50: NaN, preprocessP50: NaN, otherP50: NaN };

/** What a summary row reads from a pane (structurally, session.svelte's Pane). */
export interface PaneLike {
  card: ModelCard;
  model: LoadedModel | null;
  figures: Figures;
  memory: MemoryInfo | null;
  top: Prediction[];
  frames: number;
  dropped: number;
  history: readonly LatencySample[];
  frameImport: FrameImport | null;
}

export interface CompareRow {
  model: string;
  name: string;
  backend: string;
  /** How the last frame reached the model: 'external-texture' (VideoFrame) or 'bitmap'. */
  frameImport: FrameImport | null;
  params: number | null;
  macs: number;
  weightBytes: number | null;
  firstInferenceMs: number | null;
  modelP50Ms: number | null;
  modelP95Ms: number | null;
  e2eP50Ms: number | null;
  e2eP95Ms: number | null;
  captureP50Ms: number | null;
  preprocessP50Ms: number | null;
  otherP50Ms: number | null;
  fps: number;
  frames: number;
  dropped: number;
  numTensors: number | null;
  numBytes: number | null;
  gpuBytes: number | null;
  top5: Prediction[];
}

const num = (n: number | undefined | null): number | null => (n === undefined || n === null || !Number.isFinite(n) ? null : n);

export function compareRow(p: PaneLike, backend: string): CompareRow {
  return {
    model: p.card.id,
    name: p.card.name,
    backend,
    frameImport: p.frameImport,
    params: num(p.model?.params),
    macs: p.card.macs,
    weightBytes: num(p.model?.weightBytes),
    firstInferenceMs: num(p.model?.firstInferenceMs),
    modelP50Ms: num(p.figures.modelP50),
    modelP95Ms: num(p.figures.modelP95),
    e2eP50Ms: num(p.figures.e2eP50),
    e2eP95Ms: num(p.figures.e2eP95),
    captureP50Ms: num(p.figures.captureP50),
    preprocessP50Ms: num(p.figures.preprocessP50),
    otherP50Ms: num(p.figures.otherP50),
    fps: p.figures.fps,
    frames: p.frames,
    dropped: p.dropped,
    numTensors: num(p.memory?.numTensors),
    numBytes: num(p.memory?.numBytes),
    gpuBytes: num(p.memory?.gpuBytes),
    top5: p.top,
  };
}

export interface CompareExport {
  app: 'ConvCam';
  exportedAt: string;
  userAgent: string;
  scheduling: string;
  models: (CompareRow & { history: LatencySample[] })[];
}

/** The whole comparison; history times are made relative to `t0` (ms). */
export function compareJson(panes: { pane: PaneLike; backend: string }[], t0: number, meta: { exportedAt: string; userAgent: string; scheduling: string }): CompareExport {
  return {
    app: 'ConvCam',
    ...meta,
    models: panes.map(({ pane, backend }) => ({
      ...compareRow(pane, backend),
      history: pane.history.map((s) => ({ ...s, t: Math.round((s.t - t0) * 10) / 10 })),
    })),
  };
}

const CSV_COLUMNS: (keyof CompareRow)[] = [
  'model', 'name', 'backend', 'frameImport', 'params', 'macs', 'weightBytes', 'firstInferenceMs',
  'modelP50Ms', 'modelP95Ms', 'e2eP50Ms', 'e2eP95Ms', 'captureP50Ms', 'preprocessP50Ms', 'otherP50Ms', 'fps', 'frames', 'dropped',
  'numTensors', 'numBytes', 'gpuBytes', 'top5',
];

/** RFC 4180 quoting; hand-written because it is a few lines and the app needs no parser. */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One row per model; top-5 as "label prob" pairs separated by "; ". */
export function compareCsv(rows: CompareRow[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push(
      CSV_COLUMNS.map((c) => {
        if (c === 'top5') return csvCell(r.top5.map((p) => `${p.label} ${p.prob.toFixed(4)}`).join('; '));
        const v = r[c];
        return csvCell(typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(3)) : v);
      }).join(','),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** The y axis' top for these samples: the largest end-to-end time, up to a 10 ms step. */
export function chartTop(samples: readonly LatencySample[]): number {
  let max = 0;
  for (const s of samples) max = Math.max(max, s.e2eMs);
  return Math.max(10, Math.ceil(max / 10) * 10);
}

/** Points of an SVG polyline for `values` over times `ts`, in a w×h box, y from 0 to `yMax`. */
export function polyline(ts: readonly number[], values: readonly number[], w: number, h: number, yMax: number): string {
  if (!ts.length) return '';
  const t0 = ts[0]!;
  const span = Math.max(1, ts[ts.length - 1]! - t0);
  return ts
    .map((t, i) => {
      const x = ((t - t0) / span) * w;
      const y = h - (Math.min(values[i]!, yMax) / yMax) * h;
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}
