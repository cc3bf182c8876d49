// GoogLeNet (Inception v1): Szegedy et al., "Going Deeper with Convolutions", CVPR 2015
// (arXiv:1409.4842), as torchvision builds it (6,624,904 parameters without the auxiliary
// heads): every conv is a BasicConv2d (conv without bias, BatchNorm eps 1e-3, ReLU), the
// "5x5" branch uses a 3x3 conv (a known torchvision quirk kept for weight compatibility), and
// the max-pools round up (ceil_mode). Names equal torchvision's state dict; the auxiliary
// classifiers (aux1, aux2) are training-only in torchvision and are not built here.
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Module, type ConvBn, type Ctx } from '../nn';
import { Sequential, dropout, maxPool2d, maxPoolOp, LinearHeadModel } from '../layers';

declare module '../card' {
  interface FamilyConfigs {
    googlenet: GoogLeNetConfig;
  }
}

export class BasicConv2d extends Module {
  private readonly cb: ConvBn;
  constructor(cin: number, cout: number, k: number, opts: { stride?: number; padding?: number } = {}) {
    super();
    const conv = this.add('conv', new Conv2d(cin, cout, k, { stride: opts.stride ?? 1, padding: opts.padding ?? 0, bias: false }));
    this.cb = this.foldable(conv, this.add('bn', new BatchNorm2d(cout, { eps: 0.001 })), 'relu');
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.cb.forward(x, ctx);
  }
}

export class Inception extends Module {
  readonly out: number;
  private readonly branches: Module[];
  constructor(cin: number, c1: number, c3r: number, c3: number, c5r: number, c5: number, pool: number) {
    super();
    this.out = c1 + c3 + c5 + pool;
    this.branches = [
      this.add('branch1', new BasicConv2d(cin, c1, 1)),
      this.add('branch2', new Sequential([new BasicConv2d(cin, c3r, 1), new BasicConv2d(c3r, c3, 3, { padding: 1 })])),
      this.add('branch3', new Sequential([new BasicConv2d(cin, c5r, 1), new BasicConv2d(c5r, c5, 3, { padding: 1 })])),
      this.add('branch4', new Sequential([maxPoolOp(3, 1, 1, true), new BasicConv2d(cin, pool, 1)])),
    ];
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return tf.concat(this.branches.map((b) => b.forward(x, ctx)), 3);
  }
}

export interface GoogLeNetConfig {
  numClasses?: number;
  /**
   * torchvision's transform_input: re-normalises ImageNet-normalised input to the (x-0.5)/0.5
   * scaling the original Google weights expect. torchvision turns it on for its pretrained weights.
   */
  transformInput?: boolean;
  /** Divides every width (tests use reduced models); 1 for the real network. */
  widthDiv?: number;
  dropout?: number;
  /** conv1 [kernel, stride, padding]; torchvision: [7, 2, 3] (CIFAR-10: [3, 1, 1]). */
  conv1?: [number, number, number];
}

/** [name, in, ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, pool_proj] from torchvision (Table 1 of the paper). */
const INCEPTIONS: [string, number, number, number, number, number, number, number][] = [
  ['inception3a', 192, 64, 96, 128, 16, 32, 32],
  ['inception3b', 256, 128, 128, 192, 32, 96, 64],
  ['inception4a', 480, 192, 96, 208, 16, 48, 64],
  ['inception4b', 512, 160, 112, 224, 24, 64, 64],
  ['inception4c', 512, 128, 128, 256, 24, 64, 64],
  ['inception4d', 512, 112, 144, 288, 32, 64, 64],
  ['inception4e', 528, 256, 160, 320, 32, 128, 128],
  ['inception5a', 832, 256, 160, 320, 32, 128, 128],
  ['inception5b', 832, 384, 192, 384, 48, 128, 128],
];

export class GoogLeNet extends LinearHeadModel {
  private readonly stem: Module[];
  private readonly blocks = new Map<string, Inception>();
  constructor(readonly cfg: GoogLeNetConfig) {
    super('fc');
    const d = cfg.widthDiv ?? 1;
    const w = (c: number) => {
      if (c % d) throw new Error(`widthDiv ${d} does not divide ${c}.`);
      return c / d;
    };
    const [k, stride, padding] = cfg.conv1 ?? [7, 2, 3];
    this.stem = [
      this.add('conv1', new BasicConv2d(3, w(64), k, { stride, padding })),
      this.add('conv2', new BasicConv2d(w(64), w(64), 1)),
      this.add('conv3', new BasicConv2d(w(64), w(192), 3, { padding: 1 })),
    ];
    for (const [name, ...c] of INCEPTIONS) {
      const [cin, c1, c3r, c3, c5r, c5, pool] = c.map(w) as [number, number, number, number, number, number, number];
      this.blocks.set(name, this.add(name, new Inception(cin, c1, c3r, c3, c5r, c5, pool)));
    }
    this.setHead(w(1024), cfg.numClasses ?? 1000);
  }

  features(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    if (this.cfg.transformInput) {
      x = tf.add(tf.mul(x, [0.229 / 0.5, 0.224 / 0.5, 0.225 / 0.5]), [(0.485 - 0.5) / 0.5, (0.456 - 0.5) / 0.5, (0.406 - 0.5) / 0.5]);
    }
    const [c1, c2, c3] = this.stem as [Module, Module, Module];
    const b = (n: string, y: tf.Tensor) => this.blocks.get(n)!.forward(y, ctx);
    let y = maxPool2d(c1.forward(x, ctx), 3, 2, 0, true);
    y = maxPool2d(c3.forward(c2.forward(y, ctx), ctx), 3, 2, 0, true);
    y = maxPool2d(b('inception3b', b('inception3a', y)), 3, 2, 0, true);
    for (const n of ['inception4a', 'inception4b', 'inception4c', 'inception4d', 'inception4e']) y = b(n, y);
    y = maxPool2d(y, 2, 2, 0, true);
    y = b('inception5b', b('inception5a', y));
    return dropout(this.cfg.dropout ?? 0.2)(tf.mean(y, [1, 2]), ctx);
  }
}

export function build(config: GoogLeNetConfig): GoogLeNet {
  return new GoogLeNet(config);
}
