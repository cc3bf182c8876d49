import { CIFAR10_LABELS, type ModelCard } from '../card';

// Weights trained by training/train_airbench.py in two stages (training/README.md); the sha256
// and size are checked against the shipped file by tests/unit/cards.test.ts.
export const airbenchCifar10: ModelCard<'airbench'> = {
  id: 'airbench-cifar10',
  name: 'airbench (40-160-160), CIFAR-10',
  // 88.8% from one view; the six-view test-time augmentation (mirror x 3 shifts) reaches
  // 90.2% on the shared test set (npm run eval), at 6x the compute of one view.
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
  params: 775_192,
  // One view; inference runs six (see config.tta).
  macs: 49_434_208,
  weights: {
    url: 'models/cifar10-airbench/weights.safetensors',
    sha256: 'b5052e4a8b73824d42a5533cd1f8f9338f3b79bbb438b7286660a103e28d2c61',
    bytes: 1_556_696,
    format: 'safetensors',
    convention: 'convcam',
    license: 'MIT (trained by ConvCam on CIFAR-10)',
    embedded: true,
    precache: true,
  },
  config: { widths: [40, 160, 160], numClasses: 10, scalingFactor: 1 / 9, tta: 'mirror-translate' },
};

/** This family's weight sets, in the order the app lists them. */
export const cards: readonly ModelCard<'airbench'>[] = [airbenchCifar10];
