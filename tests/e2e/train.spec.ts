// On-device training in real Chromium: CIFAR-10 import (from slices of the shared data,
// packed as the official tar.gz), training with live progress, pause and resume, resume
// after a reload from the epoch checkpoint, NaN recovery, evaluation, the trained model
// in the live view, export and import. Tiny model (LeNet-5 on CIFAR) and few images:
// SwiftShader is slow, WebGL through it about ten times faster than WebGPU for training.
import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { chooseCompared, cspViolations, injectFault, launch, ROOT, tmpFile } from '../../tools/app-harness';
import { DEFAULT_MODEL_ID } from '../../models/registry';
import { downloadFaults, serveFiles, serveWeights } from '../../tools/fixture-server';
import { importWeights } from '../../tools/zoo-driver';
import { parseSafetensors } from '../../models/safetensors';
import { cifarTarGz } from '../../tools/cifar-tgz';
import { openTrain, startTraining, waitForRunEnd, type TrainSettings } from '../../tools/train-driver';

const TINY: TrainSettings = { model: 'lenet5-modern-cifar10', trainImages: 320, testImages: 200, epochs: 2, batchSize: 32, optimizer: 'adamw', lr: 0.005, weightDecay: 0.01 };

async function importArchive(page: Page, path: string): Promise<void> {
  const input = page.getByTestId('dataset-file');
  await expect(input).toBeEnabled(); // disabled until the worker is up, and while importing
  await input.setInputFiles(path);
}

test('a corrupt, truncated or non-gzip archive and a missing URL are refused and store nothing; a good one from a URL is stored once, with samples', async () => {
  const good = cifarTarGz(400, 200);
  const corrupt = good.slice();
  corrupt[Math.floor(good.length / 2)]! ^= 0xff;
  const { browser, page } = await launch();
  try {
    for (const [name, bytes, why] of [
      ['corrupt.tar.gz', corrupt, /damaged/],
      ['truncated.tar.gz', good.subarray(0, Math.floor(good.length * 0.7)), /truncated|damaged/],
      ['notes.tar.gz', new TextEncoder().encode('not an archive'), /not a valid \.tar\.gz/],
    ] as const) {
      await openTrain(page, 'faults&stall=2'); // a fresh page, so each message is this file's; a 2 s stall timeout
      await importArchive(page, tmpFile(name, bytes));
      await expect(page.getByTestId('dataset-error')).toHaveText(why);
      await expect(page.getByTestId('dataset-status')).toHaveCount(0);
    }
    // A missing URL, downloads that fail (the weights' messages, from the same code), one
    // cancelled halfway, then the good archive from a URL (a local server with CORS).
    const server = await serveFiles({ '/cifar-10-binary.tar.gz': good, '/slow.tar.gz': good }, { drip: ['/slow.tar.gz'], faults: downloadFaults(good, 'tar.gz') });
    try {
      for (const [file, why] of [
        ['missing.tar.gz', /HTTP 404/],
        ['no-cors.tar.gz', /weights\.hf\.co .*must allow cross-origin requests \(CORS\)/],
        ['cut-short.tar.gz', new RegExp(`^The download of ${server.base}/cut-short\\.tar\\.gz was cut short: [\\d,]+ of ${good.length.toLocaleString('en')} bytes arrived\\.`)],
        ['stall.tar.gz', /^weights\.hf\.co sent nothing for 2 s/],
      ] as const) {
        await page.getByTestId('dataset-url').fill(`${server.base}/${file}`);
        await page.getByRole('button', { name: 'Load from URL' }).click();
        await expect(page.getByTestId('dataset-error')).toHaveText(why);
      }
      await page.getByTestId('dataset-url').fill(`${server.base}/slow.tar.gz`);
      await page.getByRole('button', { name: 'Load from URL' }).click();
      await page.getByTestId('dataset-progress').getByRole('button', { name: 'Cancel' }).click();
      await expect(page.getByTestId('dataset-error')).toHaveText('The import was cancelled; nothing was stored.');
      await expect(page.getByTestId('dataset-status')).toHaveCount(0);
      expect(server.served.find((s) => s.path === '/slow.tar.gz')?.complete).toBe(false);
      await page.getByTestId('dataset-url').fill(`${server.base}/cifar-10-binary.tar.gz`);
      await page.getByRole('button', { name: 'Load from URL' }).click();
      await expect(page.getByTestId('dataset-status')).toHaveAttribute('data-train', '400');
    } finally {
      await server.close();
    }
    await expect(page.getByTestId('dataset-status')).toHaveAttribute('data-test', '200');
    await expect(page.getByTestId('dataset-error')).toHaveCount(0);
    // The samples render after the status (they are read back from the store): wait for them.
    await expect.poll(() => page.getByTestId('samples').locator('canvas').count()).toBeGreaterThanOrEqual(10);
    // Stored once: a reload finds it without importing again.
    await openTrain(page);
    await expect(page.getByTestId('dataset-status')).toHaveAttribute('data-train', '400');
  } finally {
    await browser.close();
  }
});

test('train on WebGL: progress, pause and resume, a reload resumes from the checkpoint, evaluation, then the model classifies live and survives export and import', async () => {
  const { browser, context, page } = await launch();
  try {
    await openTrain(page, 'backend=webgl');
    await expect(page.getByTestId('train-backend')).toHaveAttribute('data-can-train', 'true');
    await importArchive(page, tmpFile('cifar-train.tar.gz', cifarTarGz(320, 200)));
    await expect(page.getByTestId('dataset-status')).toHaveAttribute('data-train', '320');

    await startTraining(page, { ...TINY, epochs: 3 });
    await expect(page.getByTestId('images-per-sec')).toHaveAttribute('data-value', /^[0-9.]+$/);
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'paused');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'running');
    // After the first epoch's checkpoint, leave the page mid-run.
    await page.locator('[data-testid=train-status]:not([data-epoch="0"])').waitFor({ timeout: 300_000 });
    const runId = await page.getByTestId('train-status').getAttribute('data-run-id');
    // No leak: the tensors held during a step (weights, optimizer state) stay the same from epoch to epoch.
    const tensorsAfterEpoch1 = await page.getByTestId('train-memory').getAttribute('data-tensors');
    await openTrain(page, 'backend=webgl');
    const row = page.locator(`[data-testid=runs] [data-run-id="${runId}"]`);
    await expect(row).toBeVisible();
    await row.getByRole('button', { name: 'Resume' }).click();
    expect(await waitForRunEnd(page)).toBe('done');
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-epoch', '3');
    await expect(page.getByTestId('train-memory')).toHaveAttribute('data-tensors', tensorsAfterEpoch1!);
    await expect(page.getByTestId('loss-chart').locator('polyline, path').first()).toBeVisible();
    await expect(page.getByTestId('acc-chart')).toBeVisible();
    const acc = Number(await page.getByTestId('test-accuracy').getAttribute('data-value'));
    await expect(page.getByTestId('per-class').locator('li')).toHaveCount(10);
    await expect(page.getByTestId('confusion-matrix')).toBeVisible();
    // The matrix, row by row (true class), and the accuracy shown are one evaluation: every
    // test image lands in one cell, and the accuracy is the diagonal's share.
    const confusion = (await page.getByTestId('confusion-matrix').getAttribute('aria-label'))!;
    const cells = [...confusion.matchAll(/\d+/g)].map((m) => Number(m[0]));
    expect(cells).toHaveLength(100);
    expect(cells.reduce((a, b) => a + b, 0)).toBe(200);
    const diagonal = cells.filter((_, i) => i % 11 === 0).reduce((a, b) => a + b, 0);
    expect(acc).toBeCloseTo(diagonal / 200, 6);

    // The trained model is in the live view at once, and after a reload.
    const trained = page.getByTestId('trained-models').locator('li').first();
    await expect(trained).toBeVisible();
    await page.getByRole('button', { name: 'Live', exact: true }).click();
    const option = page.getByTestId('model-picker').locator('option', { hasText: 'trained here' });
    await expect(option).toHaveCount(1);
    const trainedId = (await option.getAttribute('value'))!;
    await page.getByTestId('model-picker').selectOption(trainedId);
    await page.getByRole('button', { name: 'Start camera' }).click();
    await expect(page.locator(`[data-model="${trainedId}"] [data-testid=top1]`)).toBeVisible({ timeout: 120_000 });

    // Export, then import the file back; a file that is not a ConvCam export is refused.
    await openTrain(page, 'backend=webgl');
    const download = page.waitForEvent('download');
    await page.getByTestId('trained-models').getByRole('button', { name: 'Export' }).first().click();
    const file = await (await download).path();
    const bytes = readFileSync(file);
    expect(bytes.length).toBeGreaterThan(62_006 * 4);
    await page.getByTestId('model-import-file').setInputFiles(tmpFile('junk.safetensors', 'not safetensors'));
    await expect(page.getByTestId('model-message')).toHaveAttribute('role', 'alert');
    await page.getByTestId('model-import-file').setInputFiles({ name: 'exported.safetensors', mimeType: 'application/octet-stream', buffer: bytes });
    await expect(page.getByTestId('model-message')).not.toHaveAttribute('role', 'alert');
    void context;
  } finally {
    await browser.close();
  }
});

test('fine-tune the embedded airbench from its weights at a resized input (40 px) with two stages frozen: those stay as shipped, the head moves', async () => {
  const { browser, page } = await launch();
  try {
    await openTrain(page, 'backend=webgl');
    await importArchive(page, tmpFile('cifar-ft.tar.gz', cifarTarGz(64, 50)));
    await page.getByTestId('train-model').selectOption('airbench-cifar10');
    await expect(page.getByTestId('frozen-stages')).toContainText('of 4');
    await startTraining(page, { ...TINY, model: 'airbench-cifar10', trainImages: 64, testImages: 50, epochs: 1, pretrained: true, inputSize: 40, frozenStages: 2 });
    expect(await waitForRunEnd(page)).toBe('done');
    const download = page.waitForEvent('download');
    await page.getByTestId('trained-models').getByRole('button', { name: 'Export' }).first().click();
    const tuned = parseSafetensors(new Uint8Array(readFileSync(await (await download).path())).buffer);
    const card = JSON.parse(tuned.metadata.convcam_card!);
    expect(card.preprocess.size).toEqual([40, 40]);
    const shipped = parseSafetensors(new Uint8Array(readFileSync(`${ROOT}/public/models/cifar10-airbench/weights.safetensors`)).buffer);
    const same = (name: string) => tuned.tensors.get(name)!.data.every((v, i) => v === shipped.tensors.get(name)!.data[i]);
    expect(same('whiten.weight')).toBe(true); // stage 1, frozen
    expect(same('block1.conv1.weight')).toBe(true); // stage 2, frozen
    expect(same('block3.conv1.weight')).toBe(false); // trained
    expect(same('head.weight')).toBe(false);
  } finally {
    await browser.close();
  }
});

test('a bad setting is named beside its field; a diverging run (huge learning rate) stops, restores the last good weights and says so', async () => {
  const { browser, page } = await launch();
  try {
    await openTrain(page, 'backend=webgl');
    await importArchive(page, tmpFile('cifar-nan.tar.gz', cifarTarGz(128, 100)));
    // A bad setting is named beside its field, and training cannot start until it is fixed.
    const lr = page.getByLabel('Learning rate', { exact: true });
    await lr.fill('-1');
    await expect(page.locator('[data-testid=field-error][data-field=lr]')).toHaveText(/above 0/);
    await expect(lr).toHaveAttribute('aria-invalid', 'true');
    await expect(lr).toHaveAttribute('aria-describedby', 'err-lr');
    await expect(page.getByRole('button', { name: 'Start training' })).toBeDisabled();
    await startTraining(page, { ...TINY, trainImages: 128, testImages: 100, optimizer: 'sgd', lr: 1e30, epochs: 1 });
    expect(await waitForRunEnd(page)).toBe('diverged');
    await expect(page.getByTestId('train-message')).toHaveText(/diverged.*restored/s);
    // Cancel stops a run (its AbortSignal reaches the worker's run loop), which says so.
    await startTraining(page, { ...TINY, trainImages: 128, testImages: 100, optimizer: 'sgd', lr: 0.01, epochs: 50 });
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    expect(await waitForRunEnd(page, 120_000)).toBe('cancelled');
  } finally {
    await browser.close();
  }
});

test('WebGPU trains too (two steps); wasm says it cannot train', async () => {
  const { browser, page } = await launch();
  try {
    await openTrain(page, 'backend=webgpu');
    await expect(page.getByTestId('train-backend')).toHaveAttribute('data-backend', 'webgpu');
    await importArchive(page, tmpFile('cifar-gpu.tar.gz', cifarTarGz(64, 50)));
    await startTraining(page, { ...TINY, trainImages: 64, testImages: 50, epochs: 1 });
    expect(await waitForRunEnd(page)).toBe('done');
    await openTrain(page, 'backend=wasm');
    await expect(page.getByTestId('train-backend')).toHaveAttribute('data-can-train', 'false');
    await expect(page.getByText(/cannot train convolutions/)).toBeVisible();
    await expect(page.getByRole('button', { name: 'Start training' })).toBeDisabled();
  } finally {
    await browser.close();
  }
});

test('a lost WebGPU device stops a run and says so, and it resumes after a reload; a crashed worker is restarted and the run resumes without one', async () => {
  // Both faults are caused on purpose (?faults, workers/engine/faults.ts): GPUDevice.destroy() on the
  // training worker's own device, then an uncaught error in the worker.
  const { browser, page } = await launch();
  try {
    await openTrain(page, 'backend=webgpu&faults');
    await importArchive(page, tmpFile('cifar-lost.tar.gz', cifarTarGz(64, 50)));
    await startTraining(page, { ...TINY, trainImages: 64, testImages: 50, epochs: 2 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'paused');
    const runId = await page.getByTestId('train-status').getAttribute('data-run-id');

    await injectFault(page, 'train', 'lose-device');
    await page.getByRole('button', { name: 'Resume' }).click();
    expect(await waitForRunEnd(page)).toBe('error');
    await expect(page.getByTestId('train-message')).toHaveText(/The WebGPU device was lost .*resume the run from its last checkpoint/);

    await openTrain(page, 'backend=webgpu&faults');
    const row = page.locator(`[data-testid=runs] [data-run-id="${runId}"]`);
    await row.getByRole('button', { name: 'Resume' }).click();
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'running');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-status', 'paused');
    await injectFault(page, 'train', 'crash');
    expect(await waitForRunEnd(page)).toBe('error');
    await expect(page.getByTestId('train-message')).toHaveText(/^The training worker stopped with an error \(.*a crash injected through \?faults.*\)\. Resume the run from its last checkpoint \(Runs\)\.$/);
    await expect(page.getByTestId('train-notice')).toHaveText(/The training worker was restarted; nothing stored was lost/);

    // No reload: the restarted worker resumes the run from its checkpoint and finishes it.
    await row.getByRole('button', { name: 'Resume' }).click();
    expect(await waitForRunEnd(page)).toBe('done');
    await expect(page.getByTestId('train-status')).toHaveAttribute('data-epoch', '2');
    expect(cspViolations(page)).toEqual([]);
  } finally {
    await browser.close();
  }
});

/** Rows per object store of the app's database. */
async function storeCounts(page: Page): Promise<Record<string, number>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, number>>((ok, fail) => {
        const r = indexedDB.open('convcam');
        r.onerror = () => fail(r.error);
        r.onsuccess = () => {
          const db = r.result;
          const names = [...db.objectStoreNames];
          const tx = db.transaction(names, 'readonly');
          const out: Record<string, number> = {};
          for (const n of names) {
            const q = tx.objectStore(n).count();
            q.onsuccess = () => (out[n] = q.result);
          }
          tx.oncomplete = () => {
            db.close();
            ok(out);
          };
        };
      }),
  );
}

test('Models lists every stored thing with its size and deletes each, stopping a model in use first; an interrupted run says where it resumes; a batch larger than the data is refused', async () => {
  const ZOO_MODEL = 'lenet5-modern-mnist';
  const fx = await serveWeights(ZOO_MODEL);
  const { browser, page } = await launch();
  try {
    await openTrain(page, 'backend=webgl');
    await importArchive(page, tmpFile('cifar-storage.tar.gz', cifarTarGz(64, 50)));
    await expect(page.getByTestId('dataset-status')).toHaveAttribute('data-train', '64');
    // A batch larger than the 64 images is refused beside its field (issue 18).
    await page.getByLabel('Batch size', { exact: true }).fill('100');
    await expect(page.locator('[data-testid=field-error][data-field=batchSize]')).toHaveText(/at most 64/);
    await expect(page.getByRole('button', { name: 'Start training' })).toBeDisabled();

    // A finished run (with its model), then one left behind by a reload (with its checkpoint).
    await startTraining(page, { ...TINY, trainImages: 64, testImages: 50, epochs: 1 });
    expect(await waitForRunEnd(page)).toBe('done');
    const doneRun = (await page.getByTestId('train-status').getAttribute('data-run-id'))!;
    const trainedId = `trained-${doneRun}`;
    await startTraining(page, { ...TINY, trainImages: 64, testImages: 50, epochs: 40 });
    await page.locator('[data-testid=train-status]:not([data-epoch="0"])').waitFor({ timeout: 300_000 });
    const leftRun = (await page.getByTestId('train-status').getAttribute('data-run-id'))!;
    await openTrain(page, 'backend=webgl');
    const left = page.locator(`[data-testid=runs] [data-run-id="${leftRun}"]`);
    await expect(left.getByTestId('run-state')).toHaveText(/^interrupted: resume from epoch \d+ of 40$/);

    // The trained model runs in Live and in Compare; LeNet-5's (MNIST) weights are imported.
    await page.getByRole('button', { name: 'Live', exact: true }).click();
    await page.getByTestId('model-picker').selectOption(trainedId);
    await expect(page.locator(`[data-model="${trainedId}"]`).getByTestId('params')).toBeVisible({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await chooseCompared(page, [DEFAULT_MODEL_ID, trainedId]);
    await page.getByRole('button', { name: 'Run comparison' }).click();
    await expect(page.locator(`[data-compare-model="${trainedId}"]`).getByTestId('params')).toBeVisible({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    expect(await importWeights(page, ZOO_MODEL, `${fx.base}/good.safetensors`, fx.sha256)).toMatch(/Stored/);

    const storage = page.getByRole('region', { name: 'Storage on this device' });
    const item = (kind: string, id: string) => storage.locator(`[data-testid=stored-item][data-kind="${kind}"][data-id="${id}"]`);
    const listed = [['weights', ZOO_MODEL], ['trained', trainedId], ['dataset', 'cifar10'], ['run', doneRun], ['run', leftRun], ['checkpoint', leftRun]] as const;
    await expect(storage.getByTestId('stored-item')).toHaveCount(listed.length);
    for (const [kind, id] of listed) {
      const bytes = item(kind, id).getByTestId('stored-bytes');
      await expect(bytes).toHaveText(/^[\d.]+ (B|KiB|MiB)$/);
      expect(Number(await bytes.getAttribute('data-bytes'))).toBeGreaterThan(0);
    }
    // The dataset's size is its records: 3,073 bytes per image.
    await expect(item('dataset', 'cifar10').getByTestId('stored-bytes')).toHaveAttribute('data-bytes', String((64 + 50) * 3073));
    // The checkpoint's size, kept in its run's record, is that of the tensors it holds.
    const held = await page.evaluate(
      (runId) =>
        new Promise<number>((ok, fail) => {
          const r = indexedDB.open('convcam');
          r.onerror = () => fail(r.error);
          r.onsuccess = () => {
            const q = r.result.transaction('checkpoints').objectStore('checkpoints').get(runId);
            q.onsuccess = () => {
              const cp = q.result as { model: { data: Float32Array }[]; optimizer: { data: Float32Array }[] };
              ok([...cp.model, ...cp.optimizer].reduce((n, t) => n + t.data.byteLength, 0));
              r.result.close();
            };
          };
        }),
      leftRun,
    );
    await expect(item('checkpoint', leftRun).getByTestId('stored-bytes')).toHaveAttribute('data-bytes', String(held));
    // The section fits a phone too.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 720 });

    // The trained model is in use: its panes stop first, and both the list and the panes say so.
    await item('trained', trainedId).getByRole('button', { name: 'Delete' }).click();
    await expect(page.getByTestId('storage-message')).toHaveText(/^Deleted .*trained here.*\. It was running in the Live view and in Compare, which stopped it first\.$/);
    await expect(item('trained', trainedId)).toHaveCount(0);
    await page.getByRole('button', { name: 'Live', exact: true }).click();
    await expect(page.getByTestId('pane-notice')).toHaveText(/was deleted in Models, so .* runs instead/);
    await expect(page.getByTestId('model-picker')).toHaveValue('airbench-cifar10');
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect(page.getByTestId('compare-notice')).toContainText('deleted');
    await expect(page.locator(`[data-compare-model="${trainedId}"]`)).toHaveCount(0);

    // Without its checkpoint the left run can no longer be resumed, and says why.
    await page.getByRole('button', { name: 'Models', exact: true }).click();
    await item('checkpoint', leftRun).getByRole('button', { name: 'Delete' }).click();
    await expect(item('checkpoint', leftRun)).toHaveCount(0);
    await expect(item('run', leftRun)).toHaveCount(1);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(left).toContainText('checkpoint was deleted');
    await expect(left.getByRole('button', { name: 'Resume' })).toHaveCount(0);

    await page.getByRole('button', { name: 'Models', exact: true }).click();
    for (const [kind, id] of [['weights', ZOO_MODEL], ['run', doneRun], ['run', leftRun], ['dataset', 'cifar10']] as const) {
      await item(kind, id).getByRole('button', { name: 'Delete' }).click();
      await expect(item(kind, id)).toHaveCount(0);
    }
    await expect(storage.getByTestId('stored-item')).toHaveCount(0);
    expect(Object.values(await storeCounts(page)).every((n) => n === 0)).toBe(true);
    await expect(page.locator(`tr[data-model="${ZOO_MODEL}"]`).getByTestId('cached')).toHaveText('no');
    // The Train view knows: no dataset, no runs, no trained model.
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect(page.getByTestId('dataset-status')).toHaveCount(0);
    await expect(page.getByTestId('runs')).toHaveCount(0);
    await expect(page.getByTestId('trained-models')).toHaveCount(0);
  } finally {
    await browser.close();
    await fx.close();
  }
});
