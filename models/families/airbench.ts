// airbench: the fast CIFAR-10 net of Keller Jordan, "94% on CIFAR-10 in 3.29 seconds on a
// single GPU" (arXiv:2404.00498). A frozen 2x2 whitening conv, three conv groups
// (conv, max-pool, BN, GELU, conv, BN, GELU), global max-pool and a scaled linear head.
// Names match training/train_airbench.py's PyTorch module, so its state dict loads as is.
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Linear, Module, gelu, type Ctx } from '../nn';

export interface AirbenchConfig {
  widths: [number, number, number];
  numClasses: number;
  scalingFactor: number;
}

class ConvGroup extends Module {
  conv1: Conv2d;
  norm1: BatchNorm2d;
  conv2: Conv2d;
  norm2: BatchNorm2d;
  constructor(cin: number, cout: number) {
    super();
    const bn = { eps: 1e-12, momentum: 0.4, affineWeight: false };
    this.conv1 = this.add('conv1', new Conv2d(cin, cout, 3, { padding: 1, bias: false }));
    this.norm1 = this.add('norm1', new BatchNorm2d(cout, bn));
    this.conv2 = this.add('conv2', new Conv2d(cout, cout, 3, { padding: 1, bias: false }));
    this.norm2 = this.add('norm2', new BatchNorm2d(cout, bn));
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    const pooled = tf.maxPool(this.conv1.forward(x) as tf.Tensor4D, 2, 2, 'valid');
    const y = gelu(this.norm1.forward(pooled, ctx));
    return gelu(this.norm2.forward(this.conv2.forward(y), ctx));
  }
}

/** Input: NHWC float32, normalised by the card's mean/std. Output: logits [N, classes]. */
export class Airbench extends Module {
  whiten: Conv2d;
  blocks: ConvGroup[];
  head: Linear;
  constructor(readonly cfg: AirbenchConfig) {
    super();
    const [w1, w2, w3] = cfg.widths;
    this.whiten = this.add('whiten', new Conv2d(3, 24, 2, { padding: 0, bias: true }));
    this.blocks = [
      this.add('block1', new ConvGroup(24, w1)),
      this.add('block2', new ConvGroup(w1, w2)),
      this.add('block3', new ConvGroup(w2, w3)),
    ];
    this.head = this.add('head', new Linear(w3, cfg.numClasses, false));
  }

  /** The backbone's pooled features [N, widths[2]]: the shared head API replaces `head`. */
  features(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    let y = gelu(this.whiten.forward(x));
    for (const b of this.blocks) y = b.forward(y, ctx);
    return tf.max(y, [1, 2]);
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return tf.mul(this.head.forward(this.features(x, ctx)), this.cfg.scalingFactor);
  }
}

export function build(config: Record<string, unknown>): Airbench {
  return new Airbench(config as unknown as AirbenchConfig);
}
