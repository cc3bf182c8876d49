// MobileNetV3-Large and -Small: Howard et al., "Searching for MobileNetV3", ICCV 2019
// (arXiv:1905.02244), Table 1, as torchvision builds it: inverted residuals with optional
// squeeze-excitation (squeeze to make_divisible(expanded/4), hard-sigmoid gate), ReLU or
// hard-swish, BatchNorm eps 1e-3, a 1x1 conv to 960, then Linear 1280 + hard-swish and the
// classifier; Large: 5,483,032 parameters, 0.22 GMACs; Small (its own Table 2, last conv 576,
// Linear 1024): 2,542,856 parameters, 0.06 GMACs. Names equal torchvision's state dict
// (features.N.block.M..., classifier.0, classifier.3).
import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, type Ctx } from '../nn';
import { Sequential, SqueezeExcitation, convBnAct, dropout, hardswish, makeDivisible, type ZooModel } from '../layers';

declare module '../card' {
  interface FamilyConfigs {
    'mobilenet-v3': MobileNetV3Config;
  }
}

/** [in, kernel, expanded, out, SE, activation, stride] per block (torchvision's bneck_conf). */
export const MOBILENET_V3_LARGE: readonly [number, number, number, number, boolean, 'RE' | 'HS', number][] = [
  [16, 3, 16, 16, false, 'RE', 1],
  [16, 3, 64, 24, false, 'RE', 2],
  [24, 3, 72, 24, false, 'RE', 1],
  [24, 5, 72, 40, true, 'RE', 2],
  [40, 5, 120, 40, true, 'RE', 1],
  [40, 5, 120, 40, true, 'RE', 1],
  [40, 3, 240, 80, false, 'HS', 2],
  [80, 3, 200, 80, false, 'HS', 1],
  [80, 3, 184, 80, false, 'HS', 1],
  [80, 3, 184, 80, false, 'HS', 1],
  [80, 3, 480, 112, true, 'HS', 1],
  [112, 3, 672, 112, true, 'HS', 1],
  [112, 5, 672, 160, true, 'HS', 2],
  [160, 5, 960, 160, true, 'HS', 1],
  [160, 5, 960, 160, true, 'HS', 1],
];

/** MobileNetV3-Small's blocks (torchvision's bneck_conf for "mobilenet_v3_small"). */
export const MOBILENET_V3_SMALL: typeof MOBILENET_V3_LARGE = [
  [16, 3, 16, 16, true, 'RE', 2],
  [16, 3, 72, 24, false, 'RE', 2],
  [24, 3, 88, 24, false, 'RE', 1],
  [24, 5, 96, 40, true, 'HS', 2],
  [40, 5, 240, 40, true, 'HS', 1],
  [40, 5, 240, 40, true, 'HS', 1],
  [40, 5, 120, 48, true, 'HS', 1],
  [48, 5, 144, 48, true, 'HS', 1],
  [48, 5, 288, 96, true, 'HS', 2],
  [96, 5, 576, 96, true, 'HS', 1],
  [96, 5, 576, 96, true, 'HS', 1],
];

const BN = { eps: 0.001, momentum: 0.01 };

export class V3Block extends Module {
  private readonly block: Sequential;
  private readonly residual: boolean;
  constructor(cin: number, k: number, exp: number, cout: number, se: boolean, act: 'relu' | 'hardswish', stride: number) {
    super();
    this.residual = stride === 1 && cin === cout;
    const layers: Module[] = [];
    if (exp !== cin) layers.push(convBnAct(cin, exp, 1, { act, ...BN }));
    layers.push(convBnAct(exp, exp, k, { stride, groups: exp, act, ...BN }));
    if (se) layers.push(new SqueezeExcitation(exp, makeDivisible(Math.floor(exp / 4), 8)));
    layers.push(convBnAct(exp, cout, 1, { act: 'none', ...BN }));
    this.block = this.add('block', new Sequential(layers));
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    const y = this.block.forward(x, ctx);
    return this.residual ? tf.add(y, x) : y;
  }
}

export interface MobileNetV3Config {
  /** Default 'large'. */
  variant?: 'large' | 'small';
  widthMult?: number;
  numClasses?: number;
  dropout?: number;
}

export class MobileNetV3 extends Module implements ZooModel {
  readonly headName = 'classifier.3';
  private readonly stack: Sequential;
  private readonly classifier: Sequential;
  private readonly hidden: number;
  constructor(readonly cfg: MobileNetV3Config) {
    super();
    const wm = cfg.widthMult ?? 1;
    const ch = (c: number) => makeDivisible(c * wm, 8);
    const layers: Module[] = [convBnAct(3, ch(16), 3, { stride: 2, act: 'hardswish', ...BN })];
    const small = cfg.variant === 'small';
    for (const [cin, k, exp, cout, se, act, s] of small ? MOBILENET_V3_SMALL : MOBILENET_V3_LARGE) {
      layers.push(new V3Block(ch(cin), k, ch(exp), ch(cout), se, act === 'HS' ? 'hardswish' : 'relu', s));
    }
    const lastIn = ch(small ? 96 : 160);
    layers.push(convBnAct(lastIn, 6 * lastIn, 1, { act: 'hardswish', ...BN }));
    this.stack = this.add('features', new Sequential(layers));
    this.hidden = ch(small ? 1024 : 1280);
    this.classifier = this.add(
      'classifier',
      new Sequential([new Linear(6 * lastIn, this.hidden), hardswish, dropout(cfg.dropout ?? 0.2), new Linear(this.hidden, cfg.numClasses ?? 1000)]),
    );
  }

  /** The 1280-d hard-swish activations that feed classifier.3. */
  features(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.classifier.run(tf.mean(this.stack.forward(x, ctx), [1, 2]), ctx, 0, 3);
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.classifier.at(3).forward(this.features(x, ctx), ctx);
  }

  replaceHead(numClasses: number): Linear {
    const l = new Linear(this.hidden, numClasses);
    this.classifier.set(3, l);
    return l;
  }
}

export function build(config: MobileNetV3Config): MobileNetV3 {
  return new MobileNetV3(config);
}
