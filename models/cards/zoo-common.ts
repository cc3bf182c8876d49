// Shared pieces of the model cards. Plain data, no TF.js.
import { CIFAR10_LABELS, type Family, type ModelCard, type Preprocess, type WeightSource } from '../card';

/** torchvision's ImageNet evaluation transform: resize 256, centre-crop 224, ImageNet mean/std. */
export const TORCHVISION_224: Preprocess = {
  size: [224, 224],
  resize: 'center-crop',
  cropFraction: 224 / 256,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

export const CIFAR10_32: Preprocess = {
  size: [32, 32],
  resize: 'center-crop',
  cropFraction: 1,
  mean: [0.4914, 0.4822, 0.4465],
  std: [0.247, 0.2435, 0.2616],
};

/**
 * Weights of the CIFAR-10 line, trained by training/train_line.py with one recipe and shipped
 * as int8 by training/ship_line.py (tests/unit/line-parity.test.ts checks the pin and PyTorch parity).
 */
export function shippedLine(id: string, sha256: string, bytes: number): WeightSource {
  return { url: `models/${id}/weights.safetensors`, sha256, bytes, format: 'safetensors', convention: 'convcam', license: 'MIT (trained by ConvCam on CIFAR-10)', embedded: true };
}

/** A CIFAR-10 card of the line: 32x32 input, CIFAR-10's labels, and no weights until trained. */
export function cifarLine<F extends Family>(card: Omit<ModelCard<F>, 'preprocess' | 'labels' | 'weights'> & { weights?: WeightSource }): ModelCard<F> {
  return { preprocess: CIFAR10_32, labels: CIFAR10_LABELS, ...card, weights: card.weights ?? unpinned('convcam', '') } as ModelCard<F>;
}

/** A card whose weights are not pinned yet: no URL, no hash, nothing shipped. */
export function unpinned(convention: WeightSource['convention'], license: string): WeightSource {
  return { url: '', sha256: '', bytes: 0, format: 'safetensors', convention, license, embedded: false };
}
