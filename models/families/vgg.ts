// VGG: Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
// Recognition", ICLR 2015 (arXiv:1409.1556). Configurations A, B, D, E (VGG-11/13/16/19) from
// one table, optionally with BatchNorm after each conv (torchvision's vgg*_bn). Names equal
// torchvision's state dict; VGG-16 has 138,357,544 parameters.
import { BatchNorm2d, Conv2d, Linear, type Module } from '../nn';
import { dropout, maxPoolOp, relu, type Op } from '../layers';
import { FeaturesClassifier } from './alexnet';

declare module '../card' {
  interface FamilyConfigs {
    vgg: VGGConfig;
  }
}

type Cfg = (number | 'M')[];

/** Table 1 of the paper: conv widths with 'M' for 2x2 max-pooling. */
export const VGG_CFGS: Record<11 | 13 | 16 | 19, Cfg> = {
  11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
};

export interface VGGConfig {
  depth?: 11 | 13 | 16 | 19;
  /** Overrides the depth's table (reduced widths for tests). */
  cfg?: Cfg;
  batchNorm?: boolean;
  hidden?: number;
  numClasses?: number;
  dropout?: number;
  /** Side of the adaptive average pool before the classifier; torchvision: 7 (CIFAR-10's 1x1 map: 1). */
  pool?: number;
}

export function build(c: VGGConfig): FeaturesClassifier {
  const table = c.cfg ?? VGG_CFGS[c.depth ?? 16];
  const features: (Module | Op)[] = [];
  let cin = 3;
  for (const v of table) {
    if (v === 'M') {
      features.push(maxPoolOp(2, 2));
      continue;
    }
    features.push(new Conv2d(cin, v, 3, { padding: 1 }));
    if (c.batchNorm) features.push(new BatchNorm2d(v));
    features.push(relu);
    cin = v;
  }
  // torchvision's VGG classifier: Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear.
  const h = c.hidden ?? 4096;
  const d = dropout(c.dropout ?? 0.5);
  const p = c.pool ?? 7;
  return new FeaturesClassifier(features, p, [new Linear(cin * p * p, h), relu, d, new Linear(h, h), relu, d, new Linear(h, c.numClasses ?? 1000)]);
}
