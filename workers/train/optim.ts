// SGD with momentum and AdamW over named tf.Variables, with PyTorch's update rules.
//
// Hand-written, not tf.train.*: tfjs-core has no AdamW, its optimizers fix the learning
// rate at construction (our schedules change it every step), and checkpoints need the
// state by parameter name. The rules follow torch.optim.SGD (coupled weight decay,
// dampening 0, first buffer = gradient) and torch.optim.AdamW (decoupled decay).
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerConfig } from '../contracts/train-protocol';


export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

export class Optimizer {
  private readonly state = new Map<string, tf.Tensor>();
  step = 0;

  constructor(readonly cfg: OptimizerConfig) {}

  /** Applies one update with learning rate `lr`; disposes nothing of `grads`. */
  apply(vars: NamedVariable[], grads: Record<string, tf.Tensor>, lr: number): void {
    this.step++;
    const wd = this.cfg.weightDecay ?? 0;
    for (const { name, variable } of vars) {
      const g0 = grads[variable.name];
      if (!g0) continue;
      tf.tidy(() => {
        if (this.cfg.name === 'sgd') {
          const mu = this.cfg.momentum ?? 0;
          let g = wd ? tf.add(g0, tf.mul(variable, wd)) : g0;
          if (mu) {
            const old = this.state.get(`${name}.momentum_buffer`);
            const buf = old ? tf.add(tf.mul(old, mu), g) : tf.clone(g);
            this.keep(`${name}.momentum_buffer`, buf);
            g = this.cfg.nesterov ? tf.add(g, tf.mul(buf, mu)) : buf;
          }
          variable.assign(tf.sub(variable, tf.mul(g, lr)));
        } else {
          const [b1, b2] = this.cfg.betas ?? [0.9, 0.999];
          const eps = this.cfg.eps ?? 1e-8;
          const m0 = this.state.get(`${name}.exp_avg`) ?? tf.zerosLike(g0);
          const v0 = this.state.get(`${name}.exp_avg_sq`) ?? tf.zerosLike(g0);
          const m = tf.add(tf.mul(m0, b1), tf.mul(g0, 1 - b1));
          const v = tf.add(tf.mul(v0, b2), tf.mul(tf.square(g0), 1 - b2));
          this.keep(`${name}.exp_avg`, m);
          this.keep(`${name}.exp_avg_sq`, v);
          const bc1 = 1 - b1 ** this.step;
          const bc2 = 1 - b2 ** this.step;
          const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(bc2)), eps);
          const decayed = wd ? tf.mul(variable, 1 - lr * wd) : variable;
          variable.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1)));
        }
      });
    }
  }

  /** Keeps `t` out of the enclosing tidy and frees the value it replaces. */
  private keep(key: string, t: tf.Tensor): void {
    this.state.get(key)?.dispose();
    this.state.set(key, tf.keep(t));
  }

  /** Named state tensors for a checkpoint (not copies: read them before the next step). */
  stateTensors(): [string, tf.Tensor][] {
    return [...this.state];
  }

  load(step: number, tensors: Iterable<[string, tf.Tensor]>): void {
    this.dispose();
    this.step = step;
    for (const [k, t] of tensors) this.state.set(k, t);
  }

  dispose(): void {
    this.state.forEach((t) => t.dispose());
    this.state.clear();
  }
}
