// MobileNet v1: Howard et al., "MobileNets: Efficient Convolutional Neural Networks for
// Mobile Vision Applications", 2017 (arXiv:1704.04861), Table 1: a 3x3 stride-2 conv and 13
// depthwise-separable blocks (3x3 depthwise + BN + ReLU, 1x1 pointwise + BN + ReLU), global
// average pooling and a linear classifier, with the width multiplier alpha applied to every
// layer (TF-slim's rounding: max(floor(c * alpha), 8)). With TF-slim's 1001-class head,
// alpha 1.0 at 224 is 569M MACs and 4.2M parameters; alpha 0.25 is 41M and 0.47M.
// Names are ConvCam's own, torchvision-style: features.0.{0,1}, features.i.dw.{0,1},
// features.i.pw.{0,1}, classifier. TF-slim's own network (its TensorFlow Lite files) is
// { activation: 'relu6', padding: 'tf-same', foldedBn: true }: ReLU6, TensorFlow's SAME padding,
// BatchNorm folded into conv biases (features.i.dw.0.bias ...); its 1x1-conv classifier on the
// pooled 1x1 map is `classifier` (a 1x1 conv there is a linear layer).
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, type Ctx } from '../nn';
import { Sequential, convBnAct, dropout, type ConvPadding, type ZooModel } from '../layers';
import { MOBILENET_V1_BLOCKS, scaleChannels } from '../mobilenet-v1-costs';

declare module '../card' {
  interface FamilyConfigs {
    'mobilenet-v1': MobileNetV1Config;
  }
}

/** The options every conv of the network shares. */
type ConvStyle = { act: 'relu' | 'relu6'; padding: ConvPadding; foldedBn: boolean };

export class DepthwiseSeparable extends Module {
  readonly dw: Sequential;
  readonly pw: Sequential;
  constructor(cin: number, cout: number, stride: number, style: ConvStyle = { act: 'relu', padding: 'torch', foldedBn: false }) {
    super();
    this.dw = this.add('dw', convBnAct(cin, cin, 3, { stride, groups: cin, ...style }));
    this.pw = this.add('pw', convBnAct(cin, cout, 1, style));
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
  /** Stride of the first conv; Table 1: 2 (CIFAR-10: 1, one downsampling fewer). */
  stemStride?: number;
  /** 'relu' (default) or TF-slim's 'relu6'. */
  activation?: 'relu' | 'relu6';
  /** 'torch' (default): symmetric (k - 1) / 2; 'tf-same': TensorFlow's SAME, as TF-slim trained it. */
  padding?: ConvPadding;
  /** BatchNorm already folded into each conv's bias (TensorFlow Lite files): convs with a bias, no BatchNorm. */
  foldedBn?: boolean;
}

export class MobileNetV1 extends Module implements ZooModel {
  readonly headName = 'classifier';
  private readonly stack: Sequential;
  private classifier: Linear;
  private readonly width: number;
  constructor(readonly cfg: MobileNetV1Config) {
    super();
    const a = cfg.alpha ?? 1;
    let cin = scaleChannels(32, a);
    const style: ConvStyle = { act: cfg.activation ?? 'relu', padding: cfg.padding ?? 'torch', foldedBn: cfg.foldedBn ?? false };
    const layers: Module[] = [convBnAct(3, cin, 3, { stride: cfg.stemStride ?? 2, ...style })];
    for (const [c, s] of MOBILENET_V1_BLOCKS) {
      layers.push(new DepthwiseSeparable(cin, scaleChannels(c, a), s, style));
      cin = scaleChannels(c, a);
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

export function build(config: MobileNetV1Config): MobileNetV1 {
  return new MobileNetV1(config);
}
