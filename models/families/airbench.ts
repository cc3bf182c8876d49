// airbench: the fast CIFAR-10 net of Keller Jordan, "94% on CIFAR-10 in 3.29 seconds on a
// single GPU" (arXiv:2404.00498). A frozen 2x2 whitening conv, three conv groups
// (conv, max-pool, BN, GELU, conv, BN, GELU), global max-pool and a scaled linear head.
// Names match training/train_airbench.py's PyTorch module, so its state dict loads as is.
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Linear, Module, gelu, type Ctx } from '../nn';
import type { ZooModel } from '../layers';

declare module '../card' {
  interface FamilyConfigs {
    airbench: AirbenchConfig;
  }
}

export interface AirbenchConfig {
  widths: [number, number, number];
  numClasses: number;
  scalingFactor: number;
  /**
   * Test-time augmentation at inference (airbench's tta_level): 'mirror' averages the logits
   * of the image and its mirror image; 'mirror-translate' also those of the image shifted
   * by one pixel up-left and down-right (reflect padding), six views in one batch.
   */
  tta?: 'none' | 'mirror' | 'mirror-translate';
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
export class Airbench extends Module implements ZooModel {
  readonly headName = 'head';
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

  /** The shared head API: a fresh head for `numClasses`, not materialised. */
  replaceHead(numClasses: number): Linear {
    this.head.dispose();
    this.head = this.add('head', new Linear(this.cfg.widths[2], numClasses, false));
    return this.head;
  }

  /** Logits of one view. */
  logits(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return tf.mul(this.head.forward(this.features(x, ctx)), this.cfg.scalingFactor);
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    const tta = ctx.training || ctx.singleView ? 'none' : (this.cfg.tta ?? 'none');
    if (tta === 'none') return this.logits(x, ctx);
    return tf.tidy(() => {
      const x4 = x as tf.Tensor4D;
      const [n, h, w] = x4.shape;
      let views: tf.Tensor4D[] = [x4];
      let weights = [1];
      if (tta === 'mirror-translate') {
        const padded = tf.mirrorPad(x4, [[0, 0], [1, 1], [1, 1], [0, 0]], 'reflect');
        views = [x4, tf.slice(padded, [0, 0, 0, 0], [n, h, w, -1]), tf.slice(padded, [0, 2, 2, 0], [n, h, w, -1])];
        weights = [0.5, 0.25, 0.25];
      }
      const batch = tf.concat([...views, ...views.map((v) => tf.reverse(v, 2))], 0);
      const all = tf.reshape(this.logits(batch, ctx), [2 * views.length, n, -1]);
      // Mirror pairs share their view's weight equally.
      const wts = tf.reshape(tf.tensor1d([...weights, ...weights].map((v) => v / 2)), [2 * views.length, 1, 1]);
      return tf.sum(tf.mul(all, wts), 0);
    });
  }
}

export function build(config: AirbenchConfig): Airbench {
  return new Airbench(config);
}
