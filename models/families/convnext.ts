// ConvNeXt: Liu et al., "A ConvNet for the 2020s", CVPR 2022 (arXiv:2201.03545), as
// torchvision builds it: a 4x4 stride-4 "patchify" stem + LayerNorm, stages of CNBlocks
// (7x7 depthwise conv, LayerNorm, Linear 4x expansion, GELU, Linear back, per-channel layer
// scale, residual), LayerNorm + 2x2 stride-2 conv between stages, then global average
// pooling, LayerNorm and the classifier. ConvNeXt-Tiny (dims 96-192-384-768, depths 3-3-9-3)
// has 28,589,128 parameters and 4.47 GMACs. Names equal torchvision's state dict (features.N,
// features.N.B.block.{0,2,3,5}, features.N.B.layer_scale, classifier.{0,2}). Stochastic depth
// is a training regulariser and is omitted (identity at inference).
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Linear, Module, gelu, geluTanh, type Ctx } from '../nn';
import { LayerNorm, Sequential, linearLastAxis, type ZooModel } from '../layers';

declare module '../card' {
  interface FamilyConfigs {
    convnext: ConvNeXtConfig;
  }
}

export class CNBlock extends Module {
  private readonly dw: Conv2d;
  private readonly norm: LayerNorm;
  private readonly fc1: Linear;
  private readonly fc2: Linear;
  private readonly act: (x: tf.Tensor) => tf.Tensor;
  constructor(dim: number, eps = 1e-6, act: ConvNeXtConfig['act'] = 'gelu') {
    super();
    // torchvision: block = Sequential(conv, Permute, LayerNorm, Linear, GELU, Linear, Permute)
    const block = this.add('block', new Sequential([
      new Conv2d(dim, dim, 7, { padding: 3, groups: dim }),
      (x) => x,
      new LayerNorm(dim, eps),
      new Linear(dim, 4 * dim),
      (x) => x,
      new Linear(4 * dim, dim),
    ]));
    this.dw = block.at(0);
    this.norm = block.at(2);
    this.fc1 = block.at(3);
    this.fc2 = block.at(5);
    this.act = act === 'gelu_tanh' ? geluTanh : gelu;
    // torchvision stores layer_scale as [dim, 1, 1] on the block and initialises it to 1e-6;
    // nn.ts has no constant init, so a model trained from scratch here starts it at 1.
    this.param('layer_scale', { shape: [dim], torchShape: [dim, 1, 1], layout: 'plain', init: 'ones' });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = this.norm.forward(this.dw.forward(x));
      y = linearLastAxis(this.fc2, this.act(linearLastAxis(this.fc1, y)));
      return tf.add(x, tf.mul(y, this.p('layer_scale')));
    });
  }
}

export interface ConvNeXtConfig {
  /** Stage widths; Tiny: [96, 192, 384, 768]. */
  dims?: [number, number, number, number];
  /** Blocks per stage; Tiny: [3, 3, 9, 3], Small/Base/Large: [3, 3, 27, 3]. */
  depths?: [number, number, number, number];
  numClasses?: number;
  /** LayerNorm epsilon; torchvision and timm's convnext_tiny: 1e-6 (timm's test models: 1e-5). */
  normEps?: number;
  /** 'gelu' (exact, the default) or timm's 'gelu_tanh'. */
  act?: 'gelu' | 'gelu_tanh';
  /** The patchify stem's kernel and stride; 4 on ImageNet (224 -> 56), 2 for CIFAR-10 (32 -> 16). */
  stemPatch?: number;
}

export class ConvNeXt extends Module implements ZooModel {
  readonly headName = 'classifier.2';
  private readonly stack: Sequential;
  private readonly classifier: Sequential;
  private readonly width: number;
  constructor(readonly cfg: ConvNeXtConfig) {
    super();
    const dims = cfg.dims ?? [96, 192, 384, 768];
    const depths = cfg.depths ?? [3, 3, 9, 3];
    const eps = cfg.normEps ?? 1e-6;
    const patch = cfg.stemPatch ?? 4;
    const layers: Module[] = [new Sequential([new Conv2d(3, dims[0], patch, { stride: patch }), new LayerNorm(dims[0], eps)])];
    dims.forEach((d, s) => {
      const blocks: Module[] = [];
      for (let i = 0; i < depths[s]!; i++) blocks.push(new CNBlock(d, eps, cfg.act));
      layers.push(new Sequential(blocks));
      if (s < 3) layers.push(new Sequential([new LayerNorm(d, eps), new Conv2d(d, dims[s + 1]!, 2, { stride: 2 })]));
    });
    this.stack = this.add('features', new Sequential(layers));
    this.width = dims[3];
    this.classifier = this.add('classifier', new Sequential([new LayerNorm(dims[3], eps), (x) => x, new Linear(dims[3], cfg.numClasses ?? 1000)]));
  }

  /** Pooled, LayerNorm-ed features that feed classifier.2. */
  features(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.classifier.run(tf.mean(this.stack.forward(x, ctx), [1, 2]), ctx, 0, 2);
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.classifier.at(2).forward(this.features(x, ctx), ctx);
  }

  replaceHead(numClasses: number): Linear {
    const l = new Linear(this.width, numClasses);
    this.classifier.set(2, l);
    return l;
  }
}

export function build(config: ConvNeXtConfig): ConvNeXt {
  return new ConvNeXt(config);
}
