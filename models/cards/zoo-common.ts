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
  // Through unknown: TypeScript cannot relate the spread's generic config to FamilyConfigs[F].
  return { preprocess: CIFAR10_32, labels: CIFAR10_LABELS, ...card, weights: card.weights ?? unpinned('convcam', '') } as unknown as ModelCard<F>;
}

/** A card whose weights are not pinned yet: no URL, no hash, nothing shipped. */
export function unpinned(convention: WeightSource['convention'], license: string): WeightSource {
  return { url: '', sha256: '', bytes: 0, format: 'safetensors', convention, license, embedded: false };
}

/** The URL of a hub repository's weights file. */
export const hubUrl = (repo: string) => `https://huggingface.co/${repo}/resolve/main/model.safetensors`;

/** A timm weight set on the hub, pinned by sha256 (issue 13's table). `bytes` exact unless `approx`. */
export function hubPinned(repo: string, sha256: string, bytes: number, license: string, approx = false): WeightSource {
  return { url: hubUrl(repo), hub: repo, sha256, bytes, ...(approx ? { bytesApprox: true } : {}), format: 'safetensors', convention: 'timm', license, embedded: false };
}

const IMAGENET_MEAN: [number, number, number] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [number, number, number] = [0.229, 0.224, 0.225];

/**
 * The evaluation transform of a timm weight set, from its pretrained config (input_size,
 * crop_pct, interpolation, mean, std; timm 1.0.29, ../shared/fixtures/timm/pretrained_cfgs.json,
 * which tests/unit/hub-cards.test.ts compares with every card).
 */
export function timmPreprocess(weightSet: string, size: number, cropPct: number, interpolation: 'bilinear' | 'bicubic'): Preprocess {
  return {
    size: [size, size],
    resize: 'center-crop',
    cropFraction: cropPct,
    mean: IMAGENET_MEAN,
    std: IMAGENET_STD,
    interpolation,
    source: `timm's pretrained config of ${weightSet}: input_size ${size}, crop_pct ${cropPct}, interpolation ${interpolation}, mean/std IMAGENET_DEFAULT (${IMAGENET_MEAN.join(', ')} / ${IMAGENET_STD.join(', ')})`,
  };
}
