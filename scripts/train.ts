// npm run train: the app's own trainer, headless. Builds a cifar-10-binary.tar.gz from the
// shared CIFAR-10 (a slice, or all of it), imports it through the Train view in headless
// Chromium, trains with the given settings and prints test accuracy and images/s.
//   npm run train -- [--model lenet5-modern-cifar10] [--train 2000] [--test 1000] [--epochs 3]
//     [--batch 32] [--optimizer adamw|sgd] [--lr 0.005] [--wd 0.01] [--schedule one-cycle|cosine|constant]
//     [--input 32] [--backend webgl|webgpu] [--pretrained --weights model.safetensors]
// --weights imports a zoo model's weights (torchvision or timm safetensors) through the
// Models view first, since the headless browser starts with an empty IndexedDB.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { cpus } from 'node:os';
import { launch, ROOT, tmpFile } from '../tools/app-harness';
import { cifarTarGz } from '../tools/cifar-tgz';
import { openTrain, startTraining, waitForRunEnd, type TrainSettings } from '../tools/train-driver';
import { startPreview } from './preview';
import type { Page } from '@playwright/test';

async function importWeights(page: Page, modelId: string, file: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Models', exact: true }).click();
  await page.locator(`tr[data-model="${modelId}"]`).getByRole('button', { name: 'Import…' }).click();
  const form = page.getByRole('form', { name: /Import weights for/ });
  await form.getByLabel('or a file').setInputFiles(file);
  await form.getByRole('button', { name: 'Import' }).click();
  const msg = page.getByTestId('zoo-message');
  await msg.waitFor({ timeout: 600_000 });
  console.log(`weights: ${await msg.textContent()}`);
}

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const backend = opt('backend', 'webgl');
const settings: TrainSettings = {
  model: opt('model', 'lenet5-modern-cifar10'),
  trainImages: Number(opt('train', '2000')),
  testImages: Number(opt('test', '1000')),
  epochs: Number(opt('epochs', '3')),
  batchSize: Number(opt('batch', '32')),
  optimizer: opt('optimizer', 'adamw') as 'adamw' | 'sgd',
  lr: Number(opt('lr', '0.005')),
  weightDecay: Number(opt('wd', '0.01')),
  schedule: opt('schedule', 'one-cycle'),
  inputSize: Number(opt('input', '32')),
  pretrained: args.includes('--pretrained'),
};

const stop = await startPreview();
const archive = tmpFile('train-cifar.tar.gz', cifarTarGz(settings.trainImages, settings.testImages));
const { browser, page } = await launch({ webgpu: true });
try {
  const weights = opt('weights', '');
  if (weights) await importWeights(page, settings.model, weights);
  await openTrain(page, `backend=${backend}`);
  const t0 = Date.now();
  await page.getByTestId('dataset-file').setInputFiles(archive);
  await page.getByTestId('dataset-status').waitFor({ timeout: 600_000 });
  const importS = (Date.now() - t0) / 1000;
  const t1 = Date.now();
  await startTraining(page, settings);
  const end = await waitForRunEnd(page, 24 * 3600_000);
  const wallS = (Date.now() - t1) / 1000;
  const accuracy = Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));
  const imagesPerSec = Number(await page.getByTestId('images-per-sec').getAttribute('data-value'));
  const machine = `${cpus().length}x ${cpus()[0]?.model ?? 'cpu'}, headless Chromium, ${backend}${backend.startsWith('web') ? ' (SwiftShader where no GPU)' : ''}`;
  console.log(`\n${settings.model} on ${settings.trainImages || 50000} CIFAR-10 training images, ${settings.epochs} epochs, batch ${settings.batchSize}, ${settings.optimizer} lr ${settings.lr}; ${machine}`);
  console.log(`run ended: ${end}; import ${importS.toFixed(0)} s; training ${wallS.toFixed(0)} s`);
  console.log(`test accuracy ${(accuracy * 100).toFixed(2)}% on ${settings.testImages || 10000} test images; ${imagesPerSec.toFixed(1)} images/s (training steps)`);
  writeFileSync(resolve(ROOT, 'train-results.json'), JSON.stringify({ date: new Date().toISOString(), machine, settings, end, accuracy, imagesPerSec, importS, wallS }, null, 1));
  console.log('wrote train-results.json');
} finally {
  await browser.close();
  stop();
}
process.exit(0);
