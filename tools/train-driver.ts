// Drives the Train view, for the training tests and the headless trainer (npm run train).
import type { Page } from '@playwright/test';

export interface TrainSettings {
  model: string;
  trainImages: number;
  testImages: number;
  epochs: number;
  batchSize: number;
  optimizer: 'sgd' | 'adamw';
  lr: number;
  weightDecay?: number;
  schedule?: string;
  inputSize?: number;
  pretrained?: boolean;
  crop?: boolean;
  frozenStages?: number;
}

/** Opens the app on the Train tab and waits for the training worker's backend. */
export async function openTrain(page: Page, query = ''): Promise<void> {
  await page.goto(query ? `/?${query}` : '/');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.getByTestId('train-backend').waitFor({ timeout: 120_000 });
}

export async function startTraining(page: Page, s: TrainSettings): Promise<void> {
  await page.getByTestId('train-model').selectOption(s.model);
  await page.getByLabel('Optimizer').selectOption(s.optimizer); // sets its own defaults: first
  const fill = (label: string, v: number) => page.getByLabel(label, { exact: true }).fill(String(v));
  await fill('Learning rate', s.lr);
  if (s.weightDecay !== undefined) await fill('Weight decay', s.weightDecay);
  if (s.schedule) await page.getByLabel('Schedule').selectOption(s.schedule);
  await fill('Batch size', s.batchSize);
  await fill('Epochs', s.epochs);
  await fill('Train images', s.trainImages);
  await fill('Test images', s.testImages);
  if (s.inputSize) await fill('Input size', s.inputSize);
  await page.getByLabel('Start from pretrained weights').setChecked(!!s.pretrained);
  if (s.crop !== undefined) await page.getByLabel('Random crop').setChecked(s.crop);
  if (s.frozenStages !== undefined) await fill('Frozen stages', s.frozenStages);
  await page.getByRole('button', { name: 'Start training' }).click();
  await page.locator('[data-testid=train-status][data-status=running]').waitFor({ timeout: 120_000 });
}

/** Waits until the run is no longer running or paused; returns its final status. */
export async function waitForRunEnd(page: Page, timeout = 600_000): Promise<string> {
  const status = page.locator('[data-testid=train-status]:not([data-status=running]):not([data-status=paused])');
  await status.waitFor({ timeout });
  return (await status.getAttribute('data-status'))!;
}
