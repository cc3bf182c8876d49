// ResNet: He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016
// (arXiv:1512.03385), as torchvision builds it: basic blocks for ResNet-18/34, bottlenecks
// with the stride on the 3x3 conv ("ResNet v1.5") for ResNet-50/101/152, projection
// shortcuts (1x1 conv + BN) where the shape changes. Names equal torchvision's state dict
// (conv1, bn1, layerL.B.conv1, ..., layerL.0.downsample.0/1, fc). ResNet-18 has 11,689,512
// parameters and ResNet-50 25,557,032.
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Module, type ConvBn, type Ctx } from '../nn';
import { Sequential, maxPool2d, LinearHeadModel } from '../layers';

declare module '../card' {
  interface FamilyConfigs {
    resnet: ResNetFamilyConfig;
  }
}

function conv(cin: number, cout: number, k: number, stride = 1): Conv2d {
  return new Conv2d(cin, cout, k, { stride, padding: (k - 1) / 2, bias: false });
}

export class BasicBlock extends Module {
  static readonly expansion = 1;
  private readonly cb1: ConvBn;
  private readonly cb2: ConvBn;
  private readonly down: Sequential | null = null;
  constructor(cin: number, planes: number, stride: number) {
    super();
    this.cb1 = this.foldable(this.add('conv1', conv(cin, planes, 3, stride)), this.add('bn1', new BatchNorm2d(planes)), 'relu');
    this.cb2 = this.foldable(this.add('conv2', conv(planes, planes, 3)), this.add('bn2', new BatchNorm2d(planes)));
    if (stride !== 1 || cin !== planes) this.down = this.add('downsample', new Sequential([conv(cin, planes, 1, stride), new BatchNorm2d(planes)]));
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    const y = this.cb2.forward(this.cb1.forward(x, ctx), ctx);
    return tf.relu(tf.add(y, this.down ? this.down.forward(x, ctx) : x));
  }
}

export class Bottleneck extends Module {
  static readonly expansion = 4;
  private readonly convs: ConvBn[];
  private readonly down: Sequential | null = null;
  constructor(cin: number, planes: number, stride: number) {
    super();
    const out = planes * Bottleneck.expansion;
    this.convs = [
      this.foldable(this.add('conv1', conv(cin, planes, 1)), this.add('bn1', new BatchNorm2d(planes)), 'relu'),
      this.foldable(this.add('conv2', conv(planes, planes, 3, stride)), this.add('bn2', new BatchNorm2d(planes)), 'relu'),
      this.foldable(this.add('conv3', conv(planes, out, 1)), this.add('bn3', new BatchNorm2d(out))),
    ];
    if (stride !== 1 || cin !== out) this.down = this.add('downsample', new Sequential([conv(cin, out, 1, stride), new BatchNorm2d(out)]));
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    const y = this.convs.reduce((y, cb) => cb.forward(y, ctx), x);
    return tf.relu(tf.add(y, this.down ? this.down.forward(x, ctx) : x));
  }
}

export interface ResNetConfig {
  block: 'basic' | 'bottleneck';
  /** Blocks per stage: [2,2,2,2] ResNet-18, [3,4,6,3] ResNet-34/50, [3,4,23,3] -101, [3,8,36,3] -152. */
  layers: [number, number, number, number];
  /** Stage widths ("planes"); torchvision: [64, 128, 256, 512]. */
  widths?: [number, number, number, number];
  /** Stem width; torchvision: 64. */
  stem?: number;
  numClasses?: number;
}

export const RESNET_DEPTHS: Record<18 | 34 | 50 | 101 | 152, Pick<ResNetConfig, 'block' | 'layers'>> = {
  18: { block: 'basic', layers: [2, 2, 2, 2] },
  34: { block: 'basic', layers: [3, 4, 6, 3] },
  50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
  101: { block: 'bottleneck', layers: [3, 4, 23, 3] },
  152: { block: 'bottleneck', layers: [3, 8, 36, 3] },
};

export class ResNet extends LinearHeadModel {
  private readonly stem: ConvBn;
  private readonly stages: Sequential[] = [];
  constructor(readonly cfg: ResNetConfig) {
    super('fc');
    const widths = cfg.widths ?? [64, 128, 256, 512];
    const Block = cfg.block === 'basic' ? BasicBlock : Bottleneck;
    let cin = cfg.stem ?? 64;
    this.stem = this.foldable(
      this.add('conv1', new Conv2d(3, cin, 7, { stride: 2, padding: 3, bias: false })),
      this.add('bn1', new BatchNorm2d(cin)),
      'relu',
    );
    cfg.layers.forEach((n, s) => {
      const blocks: Module[] = [];
      for (let i = 0; i < n; i++) {
        blocks.push(new Block(cin, widths[s]!, i === 0 && s > 0 ? 2 : 1));
        cin = widths[s]! * Block.expansion;
      }
      this.stages.push(this.add(`layer${s + 1}`, new Sequential(blocks)));
    });
    this.setHead(cin, cfg.numClasses ?? 1000);
  }

  features(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    let y = maxPool2d(this.stem.forward(x, ctx), 3, 2, 1);
    for (const s of this.stages) y = s.forward(y, ctx);
    return tf.mean(y, [1, 2]);
  }
}

/** A named depth (torchvision's resnetN), or the layout spelled out; the fields given override the depth's. */
export type ResNetFamilyConfig = (Partial<ResNetConfig> & { depth: keyof typeof RESNET_DEPTHS }) | ResNetConfig;

export function build(config: ResNetFamilyConfig): ResNet {
  return new ResNet('depth' in config ? { ...RESNET_DEPTHS[config.depth], ...config } : config);
}
