// MobileNet v1: Howard et al., "MobileNets: Efficient Convolutional Neural Networks for
// Mobile Vision Applications", 2017 (arXiv:1704.04861), Table 1: a 3x3 stride-2 conv and 13
// depthwise-separable blocks (3x3 depthwise + BN + ReLU, 1x1 pointwise + BN + ReLU), global
// average pooling and a linear classifier, with the width multiplier alpha applied to every
// layer (TF-slim's rounding: max(floor(c * alpha), 8)). With TF-slim's 1001-class head,
// alpha 1.0 at 224 is 569M MACs and 4.2M parameters; alpha 0.25 is 41M and 0.47M.
// Names are ConvCam's own, torchvision-style: features.0.{0,1}, features.i.dw.{0,1},
// features.i.pw.{0,1}, classifier.
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, type Ctx } from '../nn';
import { Sequential, convBnAct, dropout, type ZooModel } from '../layers';

/** Table 1: [output channels, stride] of each depthwise-separable block. */
export const MOBILENET_V1_BLOCKS: readonly [number, number][] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1],
  [1024, 2], [1024, 1],
];

function scale(c: number, alpha: number): number {
  return Math.max(Math.floor(c * alpha), 8);
}

export class DepthwiseSeparable extends Module {
  readonly dw: Sequential;
  readonly pw: Sequential;
  constructor(cin: number, cout: number, stride: number) {
    super();
    this.dw = this.add('dw', convBnAct(cin, cin, 3, { stride, groups: cin }));
    this.pw = this.add('pw', convBnAct(cin, cout, 1));
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.pw.forward(this.dw.forward(x, ctx), ctx);
  }
}

export interface MobileNetV1Config {
  alpha?: number;
  /** 1001 for the TF-slim checkpoints (class 0 is "background"). */
  numClasses?: number;
  dropout?: number;
}

export class MobileNetV1 extends Module implements ZooModel {
  readonly headName = 'classifier';
  private readonly stack: Sequential;
  private classifier: Linear;
  private readonly width: number;
  constructor(readonly cfg: MobileNetV1Config) {
    super();
    const a = cfg.alpha ?? 1;
    let cin = scale(32, a);
    const layers: Module[] = [convBnAct(3, cin, 3, { stride: 2 })];
    for (const [c, s] of MOBILENET_V1_BLOCKS) {
      layers.push(new DepthwiseSeparable(cin, scale(c, a), s));
      cin = scale(c, a);
    }
    this.stack = this.add('features', new Sequential(layers));
    this.width = cin;
    this.classifier = this.add('classifier', new Linear(cin, cfg.numClasses ?? 1001));
  }

  features(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return dropout(this.cfg.dropout ?? 0.001)(tf.mean(this.stack.forward(x, ctx), [1, 2]), ctx);
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.classifier.forward(this.features(x, ctx));
  }

  replaceHead(numClasses: number): Linear {
    this.classifier.dispose();
    this.classifier = this.add('classifier', new Linear(this.width, numClasses));
    return this.classifier;
  }
}

export interface SeparableCost {
  layer: number;
  /** Kernel size D_K, input channels M, output channels N, output map size D_F. */
  dk: number;
  m: number;
  n: number;
  df: number;
  stride: number;
  /** D_K·D_K·M·D_F·D_F + M·N·D_F·D_F (depthwise + pointwise), equation 5 of the paper. */
  separable: number;
  /** D_K·D_K·M·N·D_F·D_F, a standard convolution with the same shapes (equation 2). */
  standard: number;
}

/**
 * Per depthwise-separable block, its cost against a standard conv, for width alpha and input
 * resolution (section 3.2; D_F is the output size, as stride-2 blocks are counted on it).
 * The ratio separable/standard is 1/N + 1/D_K^2.
 */
export function mobileNetV1Costs(alpha = 1, resolution = 224): SeparableCost[] {
  let df = Math.ceil(resolution / 2);
  let m = scale(32, alpha);
  return MOBILENET_V1_BLOCKS.map(([c, stride], i) => {
    df = Math.ceil(df / stride);
    const n = scale(c, alpha);
    const dk = 3;
    const row = { layer: i + 1, dk, m, n, df, stride, separable: dk * dk * m * df * df + m * n * df * df, standard: dk * dk * m * n * df * df };
    m = n;
    return row;
  });
}

export function build(config: Record<string, unknown>): MobileNetV1 {
  return new MobileNetV1(config as MobileNetV1Config);
}
