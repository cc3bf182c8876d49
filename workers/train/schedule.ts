// Learning-rate schedules, per optimizer step. Pure, unit-tested against PyTorch's formulas.

import type { ScheduleName } from '../contracts/train-protocol';

export interface Schedule {
  name: ScheduleName;
  /** Peak learning rate. */
  lr: number;
  totalSteps: number;
  /** Fraction of steps spent warming up (one-cycle: rising; cosine: linear warm-up). */
  warmup?: number;
}

const cosAnneal = (start: number, end: number, t: number) => end + ((start - end) * (1 + Math.cos(Math.PI * t))) / 2;

/**
 * The learning rate at `step` (0-based). One-cycle follows torch.optim.lr_scheduler.OneCycleLR
 * with cosine annealing: from lr/25 up to lr over pct_start (default 0.3), then down to
 * lr/25/1e4. Cosine: linear warm-up (default none), then cosine decay to 0.
 */
export function learningRate(s: Schedule, step: number): number {
  const total = Math.max(1, s.totalSteps);
  switch (s.name) {
    case 'constant':
      return s.lr;
    case 'one-cycle': {
      const initial = s.lr / 25;
      const min = initial / 1e4;
      const up = (s.warmup ?? 0.3) * total - 1;
      const down = total - 1;
      if (step <= up) return cosAnneal(initial, s.lr, up > 0 ? step / up : 1);
      return cosAnneal(s.lr, min, Math.min(1, (step - up) / Math.max(1e-9, down - up)));
    }
    case 'cosine': {
      const warm = Math.floor((s.warmup ?? 0) * total);
      if (step < warm) return (s.lr * (step + 1)) / warm;
      return cosAnneal(s.lr, 0, Math.min(1, (step - warm) / Math.max(1, total - warm)));
    }
  }
}
