import { CIFAR10_LABELS, type ModelCard } from '../card';

// Weights trained by training/train_airbench.py with training/airbench.json (training/README.md)
// and stored as int8 per output channel; the sha256 and size are checked against the shipped
// file by tests/unit/cards.test.ts.
export const airbenchCifar10: ModelCard<'airbench'> = {
  id: 'airbench-cifar10',
  name: 'airbench (64-256-256), CIFAR-10',
  // 90.31% from one view; the six-view test-time augmentation (mirror x 3 shifts) reaches
  // 91.40% on the shared test set (npm run eval), at 6x the compute of one view.
  family: 'airbench',
  year: 2024,
  paper: { title: '94% on CIFAR-10 in 3.29 Seconds on a Single GPU (Jordan)', url: 'https://arxiv.org/abs/2404.00498' },
  preprocess: {
    size: [32, 32],
    resize: 'center-crop',
    cropFraction: 1,
    mean: [0.4914, 0.4822, 0.4465],
    std: [0.247, 0.2435, 0.2616],
  },
  labels: CIFAR10_LABELS,
  params: 1_972_792,
  // One view; inference runs six (see config.tta).
  macs: 118_147_360,
  weights: {
    url: 'models/cifar10-airbench/weights.safetensors',
    sha256: '236e07aaa26a127cdf9511747fa7795f695bd240be03bc54f490c8c30256eb2d',
    bytes: 1_997_720,
    format: 'safetensors',
    convention: 'convcam',
    license: 'MIT (trained by ConvCam on CIFAR-10)',
    embedded: true,
    precache: true,
  },
  config: { widths: [64, 256, 256], numClasses: 10, scalingFactor: 1 / 9, tta: 'mirror-translate' },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'airbench'>[] = [airbenchCifar10];
