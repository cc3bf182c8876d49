// Drives the Models view's weight import, as a user would (zoo, compare and gpu-frame tests).
import { expect, type Locator, type Page } from '@playwright/test';
import { findCard } from '../models/registry';

/** Opens `modelId`'s import form (others stay open) and starts an import from `url`; returns the form. */
export async function startImport(page: Page, modelId: string, url: string, sha256 = ''): Promise<Locator> {
  const form = page.getByRole('form', { name: `Import weights for ${findCard(modelId).name}` });
  if (!(await form.isVisible())) await page.locator(`tr[data-model="${modelId}"]`).getByRole('button', { name: 'Import…' }).click();
  await form.getByTestId('import-url').fill(url);
  await form.getByTestId('import-sha').fill(sha256);
  await form.getByRole('button', { name: 'Import', exact: true }).click();
  return form;
}

/** Imports `modelId`'s weights from `url` in the open Models view; returns the message shown. */
export async function importWeights(page: Page, modelId: string, url: string, sha256 = ''): Promise<string> {
  const form = await startImport(page, modelId, url, sha256);
  await expect(form.getByTestId('zoo-message')).toBeVisible();
  return (await form.getByTestId('zoo-message').textContent()) ?? '';
}

/** The keys in the app's IndexedDB stores (`<store>:<key>`), sorted: by default the stored models. */
export async function storedIds(page: Page, stores: readonly string[] = ['models', 'tensors']): Promise<string[]> {
  return page.evaluate(
    (names) =>
      new Promise<string[]>((ok, fail) => {
        const r = indexedDB.open('convcam');
        r.onerror = () => fail(r.error);
        r.onsuccess = () => {
          const db = r.result;
          const ids: string[] = [];
          const tx = db.transaction(names, 'readonly');
          let left = names.length;
          for (const s of names) {
            const q = tx.objectStore(s).getAllKeys();
            q.onsuccess = () => {
              ids.push(...q.result.map((k) => `${s}:${String(k)}`));
              if (--left === 0) {
                db.close();
                ok(ids.sort());
              }
            };
          }
        };
      }),
    [...stores],
  );
}
