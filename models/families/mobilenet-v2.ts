// MobileNetV2: Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
// CVPR 2018 (arXiv:1801.04381), as torchvision builds it: inverted residual blocks (1x1
// expansion + ReLU6, 3x3 depthwise + ReLU6, linear 1x1 projection), residual where shapes
// match, a 1x1 conv to 1280 and a linear classifier; 3,504,872 parameters, 0.30 GMACs.
// Names equal torchvision's state dict (features.N.conv.M..., classifier.1). TF-slim's own
// network (its TensorFlow Lite files) is { padding: 'tf-same', foldedBn: true }: TensorFlow's
// SAME padding and BatchNorm folded into conv biases; its 1x1-conv classifier on the pooled
// 1x1 map is classifier.1 (a 1x1 conv there is a linear layer).
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Linear, Module, type Ctx } from '../nn';
import { Sequential, convBnAct, convPadding, dropout, makeDivisible, type ConvPadding, type ZooModel } from '../layers';

declare module '../card' {
  interface FamilyConfigs {
    'mobilenet-v2': MobileNetV2Config;
  }
}

export class InvertedResidual extends Module {
  private readonly conv: Sequential;
  /** Whether the block adds its input (stride 1 and the same channels): TFLite files have one ADD for each. */
  readonly residual: boolean;
  constructor(cin: number, cout: number, stride: number, expand: number, style: { padding?: ConvPadding; foldedBn?: boolean } = {}) {
    super();
    const hidden = Math.round(cin * expand);
    this.residual = stride === 1 && cin === cout;
    const layers: Module[] = [];
    if (expand !== 1) layers.push(convBnAct(cin, hidden, 1, { act: 'relu6', ...style }));
    layers.push(convBnAct(hidden, hidden, 3, { stride, groups: hidden, act: 'relu6', ...style }));
    // The linear bottleneck: a 1x1 projection, BatchNorm and no activation.
    if (style.foldedBn) layers.push(new Conv2d(hidden, cout, 1, { bias: true, padding: convPadding(1, style.padding) }));
    else layers.push(new Conv2d(hidden, cout, 1, { bias: false }), new BatchNorm2d(cout));
    this.conv = this.add('conv', new Sequential(layers));
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    const y = this.conv.forward(x, ctx);
    return this.residual ? tf.add(x, y) : y;
  }
}

/** Table 2 of the paper: expansion t, channels c, repeats n, stride s. */
export const MOBILENET_V2_SETTING: readonly [number, number, number, number][] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

export interface MobileNetV2Config {
  widthMult?: number;
  numClasses?: number;
  dropout?: number;
  /** Strides of the first conv, then of each Table 2 row: [2, 1, 2, 2, 2, 1, 2, 1] (CIFAR-10: the 24-channel row at 1, one downsampling fewer). */
  strides?: readonly number[];
  /** 'torch' (default): symmetric (k - 1) / 2; 'tf-same': TensorFlow's SAME, as TF-slim trained it. */
  padding?: ConvPadding;
  /** BatchNorm already folded into each conv's bias (TensorFlow Lite files): convs with a bias, no BatchNorm. */
  foldedBn?: boolean;
}

export class MobileNetV2 extends Module implements ZooModel {
  readonly headName = 'classifier.1';
  private readonly stack: Sequential;
  private readonly classifier: Sequential;
  private readonly width: number;
  constructor(readonly cfg: MobileNetV2Config) {
    super();
    const wm = cfg.widthMult ?? 1;
    let cin = makeDivisible(32 * wm, 8);
    const last = makeDivisible(1280 * Math.max(1, wm), 8);
    const strides = cfg.strides ?? [2, ...MOBILENET_V2_SETTING.map(([, , , s]) => s)];
    if (strides.length !== 8) throw new Error(`MobileNetV2 strides: 8 (the stem and 7 rows), not ${strides.length}.`);
    const style = { padding: cfg.padding ?? 'torch', foldedBn: cfg.foldedBn ?? false } as const;
    const layers: Module[] = [convBnAct(3, cin, 3, { stride: strides[0], act: 'relu6', ...style })];
    for (const [row, [t, c, n]] of MOBILENET_V2_SETTING.entries()) {
      const s = strides[row + 1]!;
      const cout = makeDivisible(c * wm, 8);
      for (let i = 0; i < n; i++) {
        layers.push(new InvertedResidual(cin, cout, i === 0 ? s : 1, t, style));
        cin = cout;
      }
    }
    layers.push(convBnAct(cin, last, 1, { act: 'relu6', ...style }));
    this.stack = this.add('features', new Sequential(layers));
    this.width = last;
    this.classifier = this.add('classifier', new Sequential([dropout(cfg.dropout ?? 0.2), new Linear(last, cfg.numClasses ?? 1000)]));
  }

  features(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.classifier.run(tf.mean(this.stack.forward(x, ctx), [1, 2]), ctx, 0, 1);
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.classifier.at(1).forward(this.features(x, ctx), ctx);
  }

  replaceHead(numClasses: number): Linear {
    const l = new Linear(this.width, numClasses);
    this.classifier.set(1, l);
    return l;
  }
}

export function build(config: MobileNetV2Config): MobileNetV2 {
  return new MobileNetV2(config);
}
