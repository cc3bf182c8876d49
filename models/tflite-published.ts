// Published ImageNet top-1 of the TensorFlow Lite MobileNets we know by sha256 (the files in
// ../shared/models/tflite/, from google-coral/test_data). Plain data: the UI may import it.
// The uint8 figures are those of Google's TF Lite hosted-models table, rounded as
// ../shared/models/tflite/README.md gives them; TF-slim's float figures for the same alpha and
// resolution are from research/slim/nets/mobilenet_v1.md and mobilenet/README.md.

export interface PublishedTflite {
  file: string;
  /** Top-1 on ImageNet val of this uint8 file, as published (rounded). */
  top1: number;
  /** TF-slim's top-1 of the float checkpoint at the same alpha and resolution. */
  floatTop1: number;
  source: string;
}

const HOSTED = "Google's TF Lite hosted-models table (uint8 file), rounded";

export const PUBLISHED_TFLITE: Readonly<Record<string, PublishedTflite>> = {
  '7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776': { file: 'mobilenet_v2_1.0_224_quant.tflite', top1: 70.8, floatTop1: 71.8, source: `${HOSTED}; float: TF-slim mobilenet/README.md` },
  '41daeb22fdcf947e0e5ec32373aa9df7c31f3ef45dbd0ef7b5940fbce3c20f6a': { file: 'mobilenet_v1_0.75_192_quant.tflite', top1: 66, floatTop1: 67.2, source: `${HOSTED}; float: TF-slim mobilenet_v1.md` },
  '3cc6d2ca460abd2e0f699a6d0d2550c6b61c6e3b0e27a3616e384ea74cb86f43': { file: 'mobilenet_v1_0.5_160_quant.tflite', top1: 57, floatTop1: 59.1, source: `${HOSTED}; float: TF-slim mobilenet_v1.md` },
  'cb273c23ee76374b05b9583177e28aa19744858a7679c56a250e83d0333da785': { file: 'mobilenet_v1_0.25_128_quant.tflite', top1: 39.5, floatTop1: 41.5, source: `${HOSTED}; float: TF-slim mobilenet_v1.md` },
};
