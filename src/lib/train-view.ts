// Pure logic of the Train view, unit-tested: form validation, the event reducer that turns
// the worker's stream into curves, chart scaling, the confusion matrix's colours, formats.
import type { EpochPoint, Evaluation, RunRecord, TrainConfig, TrainEvent } from '../../workers/contracts/train-protocol';
import type { MemoryInfo } from '../../workers/contracts/inference-protocol';
export { formatDuration } from './stats';

export type OptimizerName = TrainConfig['optimizer']['name'];
export type ScheduleName = TrainConfig['schedule']['name'];

/** The settings form as the inputs bind it: number inputs give null when empty or not a number. */
export interface TrainForm {
  modelId: string;
  pretrained: boolean;
  inputSize: number | null;
  optimizer: OptimizerName;
  lr: number | null;
  weightDecay: number | null;
  schedule: ScheduleName;
  batchSize: number | null;
  epochs: number | null;
  labelSmoothing: number | null;
  randomCrop: boolean;
  flip: boolean;
  frozenStages: number | null;
  trainLimit: number | null;
  testLimit: number | null;
  seed: number | null;
}

export const DEFAULT_TRAIN_MODEL = 'lenet5-modern-cifar10';
export const FALLBACK_TRAIN_MODEL = 'resnet20-cifar10';

export function defaultTrainModel(ids: readonly string[]): string {
  return ids.includes(DEFAULT_TRAIN_MODEL) ? DEFAULT_TRAIN_MODEL : ids.includes(FALLBACK_TRAIN_MODEL) ? FALLBACK_TRAIN_MODEL : (ids[0] ?? DEFAULT_TRAIN_MODEL);
}

/** Defaults per optimizer, swapped in when the optimizer changes and the user kept the old ones. */
export const OPTIMIZER_DEFAULTS: Record<OptimizerName, { lr: number; weightDecay: number }> = {
  sgd: { lr: 0.05, weightDecay: 5e-4 },
  adamw: { lr: 1e-3, weightDecay: 0.05 },
};

export function defaultForm(modelId: string): TrainForm {
  return {
    modelId,
    pretrained: false,
    inputSize: 32,
    optimizer: 'sgd',
    ...OPTIMIZER_DEFAULTS.sgd,
    schedule: 'one-cycle',
    batchSize: 64,
    epochs: 5,
    labelSmoothing: 0.1,
    randomCrop: true,
    flip: true,
    frozenStages: 0,
    trainLimit: 0,
    testLimit: 0,
    seed: 0,
  };
}

/** The form with another optimizer; lr and weight decay follow when they were the old defaults. */
export function withOptimizer(f: TrainForm, name: OptimizerName): TrainForm {
  const old = OPTIMIZER_DEFAULTS[f.optimizer];
  const next = OPTIMIZER_DEFAULTS[name];
  return {
    ...f,
    optimizer: name,
    lr: f.lr === old.lr ? next.lr : f.lr,
    weightDecay: f.weightDecay === old.weightDecay ? next.weightDecay : f.weightDecay,
  };
}

export type FormErrors = Partial<Record<keyof TrainForm, string>>;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks the form; `config` is null while anything is wrong. `stageCount` bounds the frozen
 * stages (null: not known yet); `pretrainedMissing` names a model whose weights are not here;
 * `datasetTrain` (the dataset's training images, null: none yet) bounds the batch.
 */
export function validateForm(f: TrainForm, stageCount: number | null, pretrainedMissing: string | null = null, datasetTrain: number | null = null): { config: TrainConfig | null; errors: FormErrors } {
  const errors: FormErrors = {};
  const int = (k: keyof TrainForm, label: string, min: number, max: number) => {
    const v = f[k];
    if (!isNum(v)) errors[k] = `${label} must be a number.`;
    else if (!Number.isInteger(v) || v < min || v > max) errors[k] = `${label} must be a whole number from ${min} to ${max}.`;
  };
  const real = (k: keyof TrainForm, label: string, ok: (v: number) => boolean, rule: string) => {
    const v = f[k];
    if (!isNum(v)) errors[k] = `${label} must be a number.`;
    else if (!ok(v)) errors[k] = `${label} must be ${rule}.`;
  };
  int('inputSize', 'Input size', 16, 512);
  // No upper bound: a huge rate is how one sees the divergence guard at work.
  real('lr', 'Learning rate', (v) => v > 0, 'above 0');
  real('weightDecay', 'Weight decay', (v) => v >= 0 && v <= 1, 'from 0 to 1');
  int('batchSize', 'Batch size', 1, 4096);
  int('epochs', 'Epochs', 1, 1000);
  real('labelSmoothing', 'Label smoothing', (v) => v >= 0 && v < 1, 'from 0 up to (not including) 1');
  int('frozenStages', 'Frozen stages', 0, stageCount ?? 1000);
  int('trainLimit', 'Train images', 0, 50_000);
  int('testLimit', 'Test images', 0, 10_000);
  int('seed', 'Seed', 0, 2 ** 31 - 1);
  // A batch larger than the images never fills: no per-step curve, and an ETA counted in batches that are not there.
  if (!errors.batchSize && !errors.trainLimit && datasetTrain !== null) {
    const limited = f.trainLimit! > 0 && f.trainLimit! < datasetTrain;
    const used = limited ? f.trainLimit! : datasetTrain;
    if (f.batchSize! > used) errors.batchSize = `Batch size must be at most ${used}, the number of training images (${limited ? `Train images is ${used}` : `the dataset holds ${used}`}).`;
  }
  if (f.pretrained && pretrainedMissing) errors.pretrained = `The weights of ${pretrainedMissing} are not on this device: import them in the Models view, or untick "Start from pretrained weights".`;
  if (Object.keys(errors).length) return { config: null, errors };
  const wd = f.weightDecay!;
  return {
    errors,
    config: {
      baseModelId: f.modelId,
      pretrained: f.pretrained,
      inputSize: f.inputSize!,
      epochs: f.epochs!,
      batchSize: f.batchSize!,
      optimizer: f.optimizer === 'sgd' ? { name: 'sgd', momentum: 0.9, nesterov: false, weightDecay: wd } : { name: 'adamw', weightDecay: wd, betas: [0.9, 0.999], eps: 1e-8 },
      schedule: { name: f.schedule, lr: f.lr! },
      labelSmoothing: f.labelSmoothing!,
      augment: { cropPadding: f.randomCrop ? 4 : 0, flip: f.flip },
      frozenStages: f.frozenStages!,
      trainLimit: f.trainLimit!,
      testLimit: f.testLimit!,
      seed: f.seed!,
    },
  };
}

/** "frozen: conv1, layer1" for the first `n` stages. */
export function frozenText(stages: readonly string[], n: number | null): string {
  const k = isNum(n) ? Math.max(0, Math.min(stages.length, Math.floor(n))) : 0;
  return k ? `frozen: ${stages.slice(0, k).join(', ')}` : 'frozen: none';
}

export type RunViewStatus = 'idle' | 'running' | 'paused' | 'done' | 'diverged' | 'cancelled' | 'error';

/** One optimizer step on the loss chart; x in epochs (1.5 = half-way through epoch 2). */
export interface StepPoint {
  x: number;
  loss: number;
}

/** What the progress panel shows of one run, rebuilt from its events. */
export interface RunView {
  runId: string | null;
  status: RunViewStatus;
  totalEpochs: number;
  stepsPerEpoch: number;
  stages: string[];
  trainCount: number;
  testCount: number;
  params: number;
  trainable: number;
  steps: StepPoint[];
  /** Per completed epoch, in order; its length is the epochs completed. */
  epochs: EpochPoint[];
  last: { lr: number; imagesPerSec: number; etaSec: number; memory: MemoryInfo; step: number } | null;
  message: string | null;
  evaluation: Evaluation | null;
  resultModelId: string | null;
}

export function emptyRun(totalEpochs = 0, history: EpochPoint[] = [], runId: string | null = null): RunView {
  return {
    runId,
    status: 'idle',
    totalEpochs,
    stepsPerEpoch: 0,
    stages: [],
    trainCount: 0,
    testCount: 0,
    params: 0,
    trainable: 0,
    steps: [],
    epochs: history.slice(),
    last: null,
    message: null,
    evaluation: null,
    resultModelId: null,
  };
}

/**
 * Folds one event into the view (a new object, for $state.raw). Step positions count the
 * epochs completed here rather than trusting the event's epoch base, so a resumed run and a
 * divergence rollback both line up with the epoch points.
 */
export function reduceRun(v: RunView, e: TrainEvent): RunView {
  switch (e.type) {
    case 'start':
      return { ...v, runId: e.runId, status: 'running', stages: e.stages, trainCount: e.trainCount, testCount: e.testCount, stepsPerEpoch: e.stepsPerEpoch, params: e.params, trainable: e.trainable, message: null };
    case 'step': {
      const spe = e.stepsPerEpoch || v.stepsPerEpoch || 1;
      const point = { x: v.epochs.length + (e.step + 1) / spe, loss: e.loss };
      return { ...v, status: v.status === 'idle' ? 'running' : v.status, stepsPerEpoch: spe, steps: [...v.steps, point], last: { lr: e.lr, imagesPerSec: e.imagesPerSec, etaSec: e.etaSec, memory: e.memory, step: e.step } };
    }
    case 'epoch':
      return { ...v, epochs: [...v.epochs, e.point] };
    case 'paused':
      return { ...v, status: 'paused' };
    case 'resumed':
      return { ...v, status: 'running' };
    case 'end': {
      // The run's record is the outcome: its epochs (a divergence rolled back to the last
      // checkpoint keeps only those before it), evaluation, model and message.
      const r = e.run;
      const status = r.status === 'done' || r.status === 'diverged' ? r.status : 'cancelled';
      return {
        ...v,
        status,
        epochs: r.history.slice(),
        steps: v.steps.filter((s) => s.x <= r.history.length || status !== 'diverged'),
        evaluation: r.evaluation ?? null,
        resultModelId: r.resultModelId ?? null,
        message: r.message ?? null,
      };
    }
    default:
      return v;
  }
}

/** Unfinished runs can be resumed from their last checkpoint. */
export function resumable(r: RunRecord): boolean {
  return r.status === 'running' || r.status === 'paused';
}

/**
 * A run's state for the Runs list. `current`: it runs in this page; an unfinished run that does
 * not was left behind by a reload or a crash, and nothing runs it until it is resumed.
 */
export function runStateText(r: RunRecord, current: boolean): string {
  if (!resumable(r) || current) return `${r.status}, epoch ${r.epoch} / ${r.config.epochs}`;
  return r.epoch < r.config.epochs ? `interrupted: resume from epoch ${r.epoch + 1} of ${r.config.epochs}` : 'interrupted: resume for the final evaluation';
}

export function bestValAcc(history: readonly EpochPoint[]): number | null {
  return history.length ? Math.max(...history.map((p) => p.valAcc)) : null;
}

export interface XY {
  x: number;
  y: number;
}

/** Every k-th point (and the last), so a long run's step curve stays at most `max` points. */
export function decimate<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return points.slice();
  const k = Math.ceil(points.length / max);
  const out = points.filter((_, i) => i % k === 0);
  if ((points.length - 1) % k) out.push(points[points.length - 1]!);
  return out;
}

/** A round axis top at or above `max`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceTop(max: number): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max - 1e-12) return m * p;
  return 10 * p;
}

/** Points of an SVG polyline in a w×h box for x in [0, xMax], y in [0, yMax] (clamped). */
export function scalePoints(points: readonly XY[], xMax: number, yMax: number, w: number, h: number): string {
  const sx = w / Math.max(xMax, 1e-9);
  const sy = h / Math.max(yMax, 1e-9);
  return points
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
    .map((p) => `${(Math.min(p.x, xMax) * sx).toFixed(1)},${(h - Math.max(0, Math.min(p.y, yMax)) * sy).toFixed(1)}`)
    .join(' ');
}

/** The loss axis' top: epoch losses and most step losses fit; early spikes are clipped. */
export function lossTop(steps: readonly StepPoint[], epochs: readonly EpochPoint[]): number {
  const sorted = steps.map((s) => s.loss).filter(Number.isFinite).sort((a, b) => a - b);
  const p95 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]! : 0;
  const ep = epochs.flatMap((p) => [p.trainLoss, p.valLoss]).filter(Number.isFinite);
  return niceTop(Math.max(p95, ...ep, 0));
}

/**
 * Heat-map colour for a share in [0, 1]: dark blue to bright yellow (a viridis-like ramp,
 * three stops linearly interpolated), so the diagonal stands out on the dark theme.
 */
export function heatColor(t: number): string {
  const stops: [number, number, number][] = [
    [20, 24, 48],
    [33, 145, 140],
    [253, 231, 37],
  ];
  const u = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const [a, b] = [stops[i]!, stops[i + 1]!];
  const c = a.map((v, j) => Math.round(v + (b[j]! - v) * f));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** Each row divided by its sum (the share of a true class predicted as each class). */
export function rowShares(confusion: readonly (readonly number[])[]): number[][] {
  return confusion.map((row) => {
    const sum = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (sum ? v / sum : 0));
  });
}


/** Learning rates span decades: 0.05 → "0.05", 0.000123 → "1.23e-4". */
export function formatLr(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(3)));
}

/** "Reading 12.3 of 162.6 MiB (8%)", or without a total when the server gave none. */
export function importProgressText(stage: 'reading' | 'storing', bytes: number, total: number): string {
  const mib = (n: number) => (n / 1024 ** 2).toFixed(1);
  const verb = stage === 'reading' ? 'Reading' : 'Storing';
  return total > 0 ? `${verb} ${mib(bytes)} of ${mib(total)} MiB (${Math.round((100 * bytes) / total)}%)` : `${verb} ${mib(bytes)} MiB`;
}
