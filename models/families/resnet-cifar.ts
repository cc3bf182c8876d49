// CIFAR ResNets (ResNet-20/32/44/56/110): He et al. 2016 (arXiv:1512.03385), section 4.2:
// a 3x3 conv with 16 filters, three stages of n basic blocks with 16, 32 and 64 filters on
// 32x32, 16x16 and 8x8 maps, global average pooling and a linear layer; depth 6n+2. Option A
// shortcuts: identity, or where the shape changes, every second pixel zero-padded with
// planes/4 extra channels on each side (no parameters). ResNet-20 has 0.27M parameters and
// ResNet-56 0.85M. Names follow the widely used PyTorch port github.com/akamaster/
// pytorch_resnet_cifar10 (conv1, bn1, layerL.B.conv1/bn1/conv2/bn2, linear).
import * as tf from '@tensorflow/tfjs-core';
import { BatchNorm2d, Conv2d, Module, type ConvBn, type Ctx } from '../nn';
import { Sequential, LinearHeadModel } from '../layers';

declare module '../card' {
  interface FamilyConfigs {
    'resnet-cifar': CifarResNetConfig;
  }
}

export class CifarBlock extends Module {
  private readonly cb1: ConvBn;
  private readonly cb2: ConvBn;
  private readonly padC: number;
  constructor(cin: number, readonly planes: number, readonly stride: number) {
    super();
    const conv1 = this.add('conv1', new Conv2d(cin, planes, 3, { stride, padding: 1, bias: false }));
    this.cb1 = this.foldable(conv1, this.add('bn1', new BatchNorm2d(planes)), 'relu');
    const conv2 = this.add('conv2', new Conv2d(planes, planes, 3, { padding: 1, bias: false }));
    this.cb2 = this.foldable(conv2, this.add('bn2', new BatchNorm2d(planes)));
    this.padC = stride !== 1 || cin !== planes ? planes / 4 : -1;
    if (this.padC >= 0 && cin + 2 * this.padC !== planes) throw new Error('Option A needs planes = 2 * in_planes.');
  }

  private eye?: tf.Tensor4D;

  /**
   * The shortcut as a 1x1 stride-2 conv whose filter is a shifted identity ([1, 1, cin,
   * planes], eye[0, 0, i, padC + i] = 1): subsampling and channel padding in one kernel,
   * exactly (x * 1 + 0). On wasm the strided slice it replaces took 18% of ResNet-20's time.
   */
  override fuseForInference(): void {
    super.fuseForInference();
    if (this.padC < 0 || this.eye) return;
    const cin = this.planes - 2 * this.padC;
    this.eye = tf.tidy(() => tf.keep(tf.reshape(tf.pad(tf.eye(cin), [[0, 0], [this.padC, this.padC]]), [1, 1, cin, this.planes])));
  }

  protected override resetInference(): void {
    this.eye?.dispose();
    this.eye = undefined;
  }

  /** x[:, :, ::2, ::2] zero-padded by planes/4 channels on each side, in NHWC. */
  private shortcut(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    if (this.padC < 0) return x;
    return tf.tidy(() => {
      if (this.eye && !ctx.training) return tf.conv2d(x as tf.Tensor4D, this.eye, 2, 'valid');
      // Inference, unfused: one strided slice (a 6-D slice is a slow path on wasm).
      if (!ctx.training && !ctx.differentiable) return tf.pad(tf.stridedSlice(x, [0, 0, 0, 0], x.shape, [1, 2, 2, 1]) as tf.Tensor4D, [[0, 0], [0, 0], [0, 0], [this.padC, this.padC]]);
      // Pad to even, split each axis into (half, 2) and keep phase 0; unlike stridedSlice
      // this has gradients in TF.js.
      const [n, h, w, c] = x.shape as [number, number, number, number];
      const even = tf.pad(x as tf.Tensor4D, [[0, 0], [0, h % 2], [0, w % 2], [0, 0]]);
      const hh = Math.ceil(h / 2);
      const hw = Math.ceil(w / 2);
      const sub = tf.reshape(tf.slice(tf.reshape(even, [n, hh, 2, hw, 2, c]), [0, 0, 0, 0, 0, 0], [n, hh, 1, hw, 1, c]), [n, hh, hw, c]);
      return tf.pad(sub as tf.Tensor4D, [[0, 0], [0, 0], [0, 0], [this.padC, this.padC]]);
    });
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    const y = this.cb2.forward(this.cb1.forward(x, ctx), ctx);
    return tf.relu(tf.add(y, this.shortcut(x, ctx)));
  }
}

export interface CifarResNetConfig {
  /** 6n + 2: 20, 32, 44, 56, 110. */
  depth: number;
  numClasses?: number;
  /** Stage widths; the paper: [16, 32, 64]. */
  widths?: [number, number, number];
}

export class CifarResNet extends LinearHeadModel {
  private readonly stem: ConvBn;
  private readonly stages: Sequential[] = [];
  constructor(readonly cfg: CifarResNetConfig) {
    super('linear');
    const n = (cfg.depth - 2) / 6;
    if (!Number.isInteger(n) || n < 1) throw new Error(`CIFAR ResNet depth must be 6n+2, got ${cfg.depth}.`);
    const widths = cfg.widths ?? [16, 32, 64];
    let cin = widths[0];
    this.stem = this.foldable(
      this.add('conv1', new Conv2d(3, cin, 3, { padding: 1, bias: false })),
      this.add('bn1', new BatchNorm2d(cin)),
      'relu',
    );
    widths.forEach((planes, s) => {
      const blocks: Module[] = [];
      for (let i = 0; i < n; i++) {
        blocks.push(new CifarBlock(cin, planes, i === 0 && s > 0 ? 2 : 1));
        cin = planes;
      }
      this.stages.push(this.add(`layer${s + 1}`, new Sequential(blocks)));
    });
    this.setHead(cin, cfg.numClasses ?? 10);
  }

  features(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    let y = this.stem.forward(x, ctx);
    for (const s of this.stages) y = s.forward(y, ctx);
    return tf.mean(y, [1, 2]);
  }
}

export function build(config: CifarResNetConfig): CifarResNet {
  return new CifarResNet(config);
}
