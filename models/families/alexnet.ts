// AlexNet: Krizhevsky, Sutskever, Hinton, "ImageNet Classification with Deep Convolutional
// Neural Networks", NeurIPS 2012, in torchvision's single-tower variant (from "One weird
// trick...", Krizhevsky 2014): 64-192-384-256-256 filters, no LRN, 61,100,840 parameters.
// Names equal torchvision's state dict (features.N, classifier.N). The config can also build
// the paper's layout (LRN after the ReLUs of conv1 and conv2, before their pools) with another
// first conv and pooled size, which the CIFAR-10 variant (32x32) uses.
// Also exports FeaturesClassifier, the features / adaptive-pool / MLP shape that ZFNet and
// VGG share.
import * as tf from '@tensorflow/tfjs-core';
import { Conv2d, Linear, Module, type Ctx } from '../nn';
import { Sequential, adaptiveAvgPool2d, dropout, flattenNCHW, lrn, maxPoolOp, relu, type Op, type ZooModel } from '../layers';

declare module '../card' {
  interface FamilyConfigs {
    alexnet: AlexNetConfig;
  }
}

/** torchvision's features -> AdaptiveAvgPool2d((p, p)) -> flatten -> classifier layout. */
export class FeaturesClassifier extends Module implements ZooModel {
  readonly stack: Sequential;
  readonly classifier: Sequential;
  readonly headName: string;
  private readonly last: number;
  constructor(features: (Module | Op)[], readonly pool: number, classifier: (Module | Op)[]) {
    super();
    this.stack = this.add('features', new Sequential(features));
    this.classifier = this.add('classifier', new Sequential(classifier));
    this.last = classifier.length - 1;
    this.headName = `classifier.${this.last}`;
  }

  /** The input of the last Linear (the penultimate MLP layer's activations). */
  features(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    const y = adaptiveAvgPool2d(this.stack.forward(x, ctx), this.pool, this.pool);
    return this.classifier.run(flattenNCHW(y, ctx), ctx, 0, this.last);
  }

  forward(x: tf.Tensor, ctx: Ctx): tf.Tensor {
    return this.classifier.at(this.last).forward(this.features(x, ctx), ctx);
  }

  replaceHead(numClasses: number): Linear {
    const l = new Linear(this.classifier.at<Linear>(this.last).fin, numClasses);
    this.classifier.set(this.last, l);
    return l;
  }
}

/** torchvision's classifier: Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear. */
export function alexClassifier(fin: number, hidden: number, numClasses: number, p = 0.5): (Module | Op)[] {
  return [dropout(p), new Linear(fin, hidden), relu, dropout(p), new Linear(hidden, hidden), relu, new Linear(hidden, numClasses)];
}

export interface AlexNetConfig {
  numClasses?: number;
  /** Filters of the five convs; torchvision: [64, 192, 384, 256, 256]. */
  widths?: [number, number, number, number, number];
  hidden?: number;
  dropout?: number;
  /** First conv [kernel, stride, padding]; torchvision: [11, 4, 2]. */
  conv1?: [number, number, number];
  /** The paper's LRN (size 5, alpha 1e-4, beta 0.75, k 2) after conv1's and conv2's ReLU; torchvision has none. */
  lrn?: boolean;
  /** Side of the adaptive average pool before the classifier; torchvision: 6. */
  pool?: number;
}

export function build(cfg: AlexNetConfig): FeaturesClassifier {
  const [a, b, c, d, e] = cfg.widths ?? [64, 192, 384, 256, 256];
  const [k, stride, padding] = cfg.conv1 ?? [11, 4, 2];
  // LRN is an extra features.N item, as nn.LocalResponseNorm is in a PyTorch Sequential.
  const norm = cfg.lrn ? [lrn(5, 1e-4, 0.75, 2)] : [];
  const features = [
    new Conv2d(3, a, k, { stride, padding }), relu, ...norm, maxPoolOp(3, 2),
    new Conv2d(a, b, 5, { padding: 2 }), relu, ...norm, maxPoolOp(3, 2),
    new Conv2d(b, c, 3, { padding: 1 }), relu,
    new Conv2d(c, d, 3, { padding: 1 }), relu,
    new Conv2d(d, e, 3, { padding: 1 }), relu, maxPoolOp(3, 2),
  ];
  const pool = cfg.pool ?? 6;
  return new FeaturesClassifier(features, pool, alexClassifier(e * pool * pool, cfg.hidden ?? 4096, cfg.numClasses ?? 1000, cfg.dropout ?? 0.5));
}
