// ZFNet: Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014
// (arXiv:1311.2901), Fig. 3: AlexNet with a 7x7 stride-2 first layer (instead of 11x11
// stride 4) and a stride-2 second layer, on a single tower: 224 -> 96@110 -> pool 55 ->
// 256@26 -> pool 13 -> 384, 384, 256 @13 -> pool 6 -> 4096 -> 4096 -> classes. The 3x3
// stride-2 max-pools round up (ceil_mode) to give the paper's 55, 13 and 6; layers 1 and 2
// are followed by local contrast normalisation, here AlexNet's LRN (size 5, alpha 1e-4,
// beta 0.75, k 2). No torchvision model exists; names follow torchvision's AlexNet layout.
// layout 'alexnet' builds the AlexNet family's network instead (alexnet.ts, with this config):
// the CIFAR-10 pair share it and differ only in the first conv, ZFNet's change to AlexNet.
import { Conv2d } from '../nn';
import { lrn, maxPoolOp, relu } from '../layers';
import { FeaturesClassifier, alexClassifier, build as buildAlexNet, type AlexNetConfig } from './alexnet';

declare module '../card' {
  interface FamilyConfigs {
    zfnet: ZFNetConfig;
  }
}

/** widths default to the paper's [96, 256, 384, 384, 256] in the 'paper' layout. */
export interface ZFNetConfig extends AlexNetConfig {
  /** 'paper' (default): Fig. 3, where only numClasses, widths, hidden and dropout apply. 'alexnet': AlexNetConfig's network. */
  layout?: 'paper' | 'alexnet';
}

export function build(cfg: ZFNetConfig): FeaturesClassifier {
  if (cfg.layout === 'alexnet') return buildAlexNet(cfg);
  const [a, b, c, d, e] = cfg.widths ?? [96, 256, 384, 384, 256];
  const features = [
    new Conv2d(3, a, 7, { stride: 2, padding: 1 }), relu, maxPoolOp(3, 2, 0, true), lrn(5, 1e-4, 0.75, 2),
    new Conv2d(a, b, 5, { stride: 2, padding: 0 }), relu, maxPoolOp(3, 2, 0, true), lrn(5, 1e-4, 0.75, 2),
    new Conv2d(b, c, 3, { padding: 1 }), relu,
    new Conv2d(c, d, 3, { padding: 1 }), relu,
    new Conv2d(d, e, 3, { padding: 1 }), relu, maxPoolOp(3, 2, 0, true),
  ];
  return new FeaturesClassifier(features, 6, alexClassifier(e * 36, cfg.hidden ?? 4096, cfg.numClasses ?? 1000, cfg.dropout ?? 0.5));
}
