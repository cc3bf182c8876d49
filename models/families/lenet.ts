// LeNet-5: LeCun, Bottou, Bengio, Haffner, "Gradient-based learning applied to document
// recognition", Proc. IEEE 1998. Two variants:
//  - 'lecun1998', as in the paper: 32x32 input, C1 6@28x28, S2 trainable subsampling
//    (sum of each 2x2 window times a per-map coefficient, plus a per-map bias, then the
//    squashing function f(a) = 1.7159 tanh(2a/3)), C3 16@10x10 wired by the paper's Table I,
//    S4 like S2, C5 120 as a 5x5 conv, F6 84 squashed. The paper's output layer is 10 Euclidean
//    RBF units with fixed bitmap codes; we use a plain linear output instead (logits), which
//    is what a softmax classifier and fine-tuning need.
//  - 'modern', the common textbook variant: ReLU, 2x2 max-pooling, a fully connected C3
//    and C5/F6/output as Linear layers (conv1, conv2, fc1, fc2, fc3).
// Names are ConvCam's own (no torchvision model exists).
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Linear, Module, type Ctx } from '../nn';
import { flattenNCHW, lecunTanh, tracing, type ZooModel } from '../layers';

declare module '../card' {
  interface FamilyConfigs {
    lenet: LeNetConfig;
  }
}

export interface LeNetConfig {
  variant: 'lecun1998' | 'modern';
  numClasses?: number;
  /** Input channels (1 in the paper). */
  inChannels?: number;
}

/** Table I of LeCun et al. 1998: the S2 maps that feed each C3 map. */
export const C3_TABLE: readonly (readonly number[])[] = [
  [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1],
  [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2],
  [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
  [0, 1, 2, 3, 4, 5],
];

/**
 * The paper's per-layer trainable parameters and connections (section II.B), for the
 * 'lecun1998' variant's layers c1, s2, c3, s4, c5, f6.
 */
export const LENET5_PAPER = {
  c1: { params: 156, connections: 122_304 },
  s2: { params: 12, connections: 5_880 },
  c3: { params: 1_516, connections: 151_600 },
  s4: { params: 32, connections: 2_000 },
  c5: { params: 48_120, connections: 48_120 },
  f6: { params: 10_164, connections: 10_164 },
} as const;

/** S2/S4: y = f(w_c * sum of the 2x2 window + b_c), without the squashing (applied after). */
export class Subsample extends Module {
  constructor(readonly c: number) {
    super();
    this.param('weight', { shape: [c], torchShape: [c], layout: 'plain', init: 'ones' });
    this.param('bias', { shape: [c], torchShape: [c], layout: 'plain', init: 'zeros' });
  }

  forward(x: tf.Tensor): tf.Tensor {
    const y = tf.tidy(() => {
      const sum = tf.mul(tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid'), 4);
      return tf.add(tf.mul(sum, this.p('weight')), this.p('bias'));
    });
    // One multiply by the coefficient per output (the window sum is additions).
    tracing.hook?.(this, y.shape, y.size / y.shape[0]!);
    return y;
  }
}

/**
 * A 5x5 convolution where output map o sees only the input maps table[o]. The weights are
 * stored packed, one 5x5 kernel per connection in table order ("weight": [connections, k, k]),
 * and scattered into a dense HWIO kernel with a constant 0/1 matrix on every forward.
 */
export class PartialConv2d extends Module {
  private readonly connections: number;
  constructor(readonly cin: number, readonly table: readonly (readonly number[])[], readonly k: number) {
    super();
    this.connections = table.reduce((a, t) => a + t.length, 0);
    this.param('weight', { shape: [this.connections, k, k], torchShape: [this.connections, k, k], layout: 'plain', init: 'normal' });
    this.param('bias', { shape: [table.length], torchShape: [table.length], layout: 'plain', init: 'zeros' });
  }

  /** The dense [k, k, cin, cout] kernel, zero where the table has no connection. */
  denseKernel(): tf.Tensor4D {
    return tf.tidy(() => {
      const cout = this.table.length;
      const sel = new Float32Array(this.connections * this.cin * cout);
      let j = 0;
      this.table.forEach((ins, o) => {
        for (const i of ins) sel[j++ * this.cin * cout + i * cout + o] = 1;
      });
      const packed = tf.transpose(tf.reshape(this.p('weight'), [this.connections, this.k * this.k])); // [k*k, conn]
      const dense = tf.matMul(packed, tf.tensor2d(sel, [this.connections, this.cin * cout]));
      return tf.reshape(dense, [this.k, this.k, this.cin, cout]);
    });
  }

  forward(x: tf.Tensor): tf.Tensor {
    const y = tf.tidy(() => tf.add(tf.conv2d(x as tf.Tensor4D, this.denseKernel(), 1, 'valid'), this.p('bias')));
    tracing.hook?.(this, y.shape, y.shape[1]! * y.shape[2]! * this.connections * this.k * this.k);
    return y;
  }
}

export class LeNet5 extends Module implements ZooModel {
  readonly headName: string;
  constructor(readonly cfg: LeNetConfig) {
    super();
    const cin = cfg.inChannels ?? 1;
    const n = cfg.numClasses ?? 10;
    if (cfg.variant === 'lecun1998') {
      this.add('c1', new Conv2d(cin, 6, 5));
      this.add('s2', new Subsample(6));
      this.add('c3', new PartialConv2d(6, C3_TABLE, 5));
      this.add('s4', new Subsample(16));
      this.add('c5', new Conv2d(16, 120, 5));
      this.add('f6', new Linear(120, 84));
      this.add('output', new Linear(84, n));
      this.headName = 'output';
    } else {
      this.add('conv1', new Conv2d(cin, 6, 5));
      this.add('conv2', new Conv2d(6, 16, 5));
      this.add('fc1', new Linear(16 * 5 * 5, 120));
      this.add('fc2', new Linear(120, 84));
      this.add('fc3', new Linear(84, n));
      this.headName = 'fc3';
    }
  }

  private m<M extends Module>(name: string): M {
    for (const [n, m] of this.namedModules()) if (n === name) return m as M;
    throw new Error(`No module ${name}.`);
  }

  features(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    if (this.cfg.variant === 'lecun1998') {
      let y = lecunTanh(this.m<Conv2d>('c1').forward(x), ctx); // the paper squashes every layer
      y = lecunTanh(this.m<Subsample>('s2').forward(y), ctx);
      y = lecunTanh(this.m<PartialConv2d>('c3').forward(y), ctx);
      y = lecunTanh(this.m<Subsample>('s4').forward(y), ctx);
      y = lecunTanh(this.m<Conv2d>('c5').forward(y), ctx);
      return lecunTanh(this.m<Linear>('f6').forward(flattenNCHW(y, ctx)), ctx);
    }
    let y = tf.maxPool(tf.relu(this.m<Conv2d>('conv1').forward(x)) as tf.Tensor4D, 2, 2, 'valid');
    y = tf.maxPool(tf.relu(this.m<Conv2d>('conv2').forward(y)) as tf.Tensor4D, 2, 2, 'valid');
    const f = tf.relu(this.m<Linear>('fc1').forward(flattenNCHW(y, ctx)));
    return tf.relu(this.m<Linear>('fc2').forward(f));
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.m<Linear>(this.headName).forward(this.features(x, ctx));
  }

  replaceHead(numClasses: number): Linear {
    this.m(this.headName).dispose();
    return this.add(this.headName, new Linear(84, numClasses));
  }
}

export function build(config: LeNetConfig): LeNet5 {
  return new LeNet5(config);
}
