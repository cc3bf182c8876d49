// Drives the Models view's weight import, as a user would (zoo, compare and gpu-frame tests).
import { expect, type Page } from '@playwright/test';
import { findCard } from '../models/registry';

/** Imports `modelId`'s weights from `url` in the open Models view; returns the message shown. */
export async function importWeights(page: Page, modelId: string, url: string, sha256 = ''): Promise<string> {
  const form = page.getByRole('form', { name: `Import weights for ${findCard(modelId).name}` });
  if (!(await form.isVisible())) await page.locator(`tr[data-model="${modelId}"]`).getByRole('button', { name: 'Import…' }).click();
  await page.getByTestId('import-url').fill(url);
  await page.getByTestId('import-sha').fill(sha256);
  await form.getByRole('button', { name: 'Import' }).click();
  await expect(page.getByTestId('zoo-message')).toBeVisible();
  return (await page.getByTestId('zoo-message').textContent()) ?? '';
}
