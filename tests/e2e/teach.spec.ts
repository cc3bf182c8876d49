// The Teach view in real Chromium on wasm (fine-tuning on WebGL), one browser for the whole file: three classes
// (cat, dog, hot dog) recorded from a fake camera that plays the shared train photos with small
// shifts and scalings, then learned with each method; the shared test photos, shown to the
// camera, are named right in the Live view by each taught model. Also: bad input, no tensor
// growth while recording, reload, export and import, a full quota. Full fine-tuning, refused on
// wasm, runs on a second page on WebGL with the same MobileNetV2 at 224x224; a second backbone is
// compared on the same samples.
// Chromium reopens its fake-camera file at each getUserMedia, so one file rewritten between
// camera starts plays each class in turn without a new browser.
import { test, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { join, resolve } from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { launch, openApp, ORIGIN, ROOT, tmpFile, framesShown } from '../../tools/app-harness';
import { writeY4M } from '../../tools/y4m';
import { frameOf } from '../../tools/camera-frames';
import { decodePhoto, TFLITE_DIR } from '../../tools/photos';

const PHOTOS = process.env.IMPRINTING_DIR ?? resolve(ROOT, '../shared/images/imprinting');
const CLASSES = { cat: ['cat_train_0.bmp'], dog: ['dog_train_0.bmp'], hotdog: ['hotdog_train_0.bmp', 'hotdog_train_1.bmp'] };
const TESTS = { cat: 'cat_test_0.bmp', dog: 'dog_test_0.bmp', hotdog: 'hotdog_test_0.bmp' };
const PER_CLASS = 10;
/**
 * The backbone: by default the real ImageNet MobileNetV2 of ../shared/models/tflite/, imported
 * in the Models view as a user would; TEACH_BACKBONE=airbench-cifar10 (or any shipped model)
 * teaches on that instead.
 */
const V2_FILE = 'mobilenet_v2_1.0_224_quant.tflite';
const BACKBONE = process.env.TEACH_BACKBONE ?? 'tflite-mobilenet-v2-1.0-224-quant';
/** A small shipped CIFAR-10 model: the second backbone compared. */
const SMALL = 'lenet5-cifar10';
/**
 * The backbone fine-tuned, at its own input side: by default the same ImageNet MobileNetV2. At
 * 224x224 on SwiftShader a step of 16 samples took about 100 s on this 2-core machine under load,
 * so one epoch (two steps); TEACH_FINETUNE_BACKBONE=<model id> and TEACH_FINETUNE_EPOCHS=N change them.
 */
const TUNE = process.env.TEACH_FINETUNE_BACKBONE ?? BACKBONE;
const TUNE_EPOCHS = process.env.TEACH_FINETUNE_EPOCHS ?? '1';
/** The test photos must be named right after fine-tuning an ImageNet backbone; a tuned CIFAR-10 one need only name a class (README's table). */
const TUNE_NAMES_PHOTOS = TUNE.startsWith('tflite-');
const W = 320;
const H = 240;
const VIDEO = tmpFile('teach-camera.y4m', new Uint8Array());

/** The photos as camera frames: 12 frames, each shifted and scaled a little differently. */
function playPhotos(files: string[], frames = 12): void {
  const imgs = files.map((f) => decodePhoto(join(PHOTOS, f)));
  const out = Array.from({ length: frames }, (_, i) =>
    frameOf(imgs[i % imgs.length]!, W, H, 1 + 0.05 * (i % 4), ((i % 3) - 1) * 12, ((Math.floor(i / 3) % 3) - 1) * 9),
  );
  writeFileSync(VIDEO, writeY4M(out, W, H, 10));
}

let browser: Browser;
let context: BrowserContext;
let page: Page;

const msg = () => page.getByTestId('teach-message');
const row = (i: number) => page.getByTestId(`class-${i}`);
const count = async (i: number) => parseInt((await row(i).getByTestId('class-count').textContent()) ?? '', 10);

async function openTeach(): Promise<void> {
  await page.getByRole('button', { name: 'Teach', exact: true }).click();
  await expect(page.getByTestId('backbone')).toHaveAttribute('data-loaded', /.+/, { timeout: 120_000 });
  if ((await page.getByTestId('backbone').inputValue()) !== BACKBONE) await page.getByTestId('backbone').selectOption(BACKBONE);
  await expect(page.getByTestId('backbone')).toHaveAttribute('data-loaded', BACKBONE, { timeout: 120_000 });
}

/** Stops the camera if on and starts it again, so Chromium reads the rewritten file. */
async function restartCamera(): Promise<void> {
  const stop = page.getByRole('button', { name: 'Stop camera' });
  if (await stop.isVisible()) await stop.click();
  await page.getByRole('button', { name: 'Start camera' }).click();
}

async function record(i: number, n: number): Promise<void> {
  const video = page.getByTestId('teach-video');
  await page.waitForFunction(() => (document.querySelector('[data-testid=teach-video]') as HTMLVideoElement)?.videoWidth > 0);
  await expect(video).toBeVisible();
  const button = row(i).getByTestId('record');
  await expect(button).toBeEnabled();
  await button.hover();
  await page.mouse.down();
  await expect.poll(() => count(i), { timeout: 60_000 }).toBeGreaterThanOrEqual(n);
  await page.mouse.up();
  await expect(button).toHaveAttribute('aria-pressed', 'false');
  // A frame grabbed just before the release is still stored after it: counts are read once it is.
  await expect(row(i)).toHaveAttribute('data-saving', 'false');
}

test.describe.serial('teach', () => {
  test.beforeAll(async () => {
    test.skip(!existsSync(PHOTOS), `the shared photos are not at ${PHOTOS}`);
    playPhotos(CLASSES.cat);
    ({ browser, context, page } = await launch({ video: VIDEO, webgpu: false }));
    await openApp(page, 'backend=wasm');
    if (BACKBONE.startsWith('tflite-')) {
      await page.getByRole('button', { name: 'Models' }).click();
      const form = page.getByTestId('tflite-import');
      await form.getByTestId('tflite-file').setInputFiles(join(TFLITE_DIR, V2_FILE));
      await form.getByRole('button', { name: 'Import', exact: true }).click();
      await expect(form.getByTestId('tflite-message')).toHaveText(/^Stored /, { timeout: 120_000 });
    }
    await openTeach();
  });
  test.afterAll(async () => {
    await browser?.close();
  });

  test('bad class names and too few classes are refused with a message, nothing lost', async () => {
    await page.getByTestId('learn-instant').click();
    await expect(msg()).toContainText('Teach at least 2 classes');
    await page.getByTestId('new-class-name').fill('cat');
    await page.getByTestId('add-class').click();
    await expect(row(0).getByTestId('class-name')).toHaveValue('cat');
    await page.getByTestId('learn-instant').click();
    await expect(msg()).toContainText('with only "cat" there is nothing to tell apart');
    await page.getByTestId('add-class').click();
    await expect(msg()).toContainText('Class 2 has no name');
    await page.getByTestId('new-class-name').fill(' Cat ');
    await page.getByTestId('add-class').click();
    await expect(msg()).toContainText('Two classes are named "Cat"');
    // The typed name stays for correcting, and the list is unchanged.
    await expect(page.getByTestId('new-class-name')).toHaveValue(' Cat ');
    await expect(page.locator('[data-testid^=class-][data-class-id]')).toHaveCount(1);
    for (const name of ['dog', 'hotdog']) {
      await page.getByTestId('new-class-name').fill(name);
      await page.getByTestId('add-class').click();
      await expect(page.getByTestId('new-class-name')).toHaveValue('');
    }
    // Renaming to a taken name is refused and the old name comes back.
    await row(1).getByTestId('class-name').fill('cat');
    await row(1).getByTestId('class-name').dispatchEvent('change');
    await expect(msg()).toContainText('Two classes are named "cat"');
    await expect(row(1).getByTestId('class-name')).toHaveValue('dog');
    await page.getByTestId('learn-instant').click();
    await expect(msg()).toContainText('"cat", "dog", "hotdog" have no samples');
  });

  test('a file that is not an image is refused by name; an image file is added', async () => {
    await row(2).getByTestId('add-files').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') });
    await expect(msg()).toContainText('"notes.png" is not an image');
    expect(await count(2)).toBe(0);
    await row(2).getByTestId('add-files').setInputFiles(join(PHOTOS, CLASSES.hotdog[0]!));
    await expect(msg()).toContainText('Added 1 image');
    await expect(row(2).getByTestId('sample')).toHaveCount(1);
  });

  test('records samples from the camera for each class, with no tensor growth', async () => {
    await page.getByTestId('record-rate').fill('8');
    let flat: number | null = null;
    for (const [i, name] of (['cat', 'dog', 'hotdog'] as const).entries()) {
      playPhotos(CLASSES[name]);
      await restartCamera();
      await record(i, PER_CLASS);
      const tensors = Number(await page.getByTestId('teach-tensors').getAttribute('data-value'));
      flat ??= tensors;
      expect(tensors, `tensors in the teach worker after recording ${name}`).toBe(flat);
    }
    // Thumbnails for each, every 5th held out and marked.
    for (const i of [0, 1, 2]) {
      const n = await count(i);
      await expect(row(i).getByTestId('sample')).toHaveCount(n);
      await expect(row(i).locator('[data-held=true]')).toHaveCount(Math.floor(n / 5));
    }
    // A single sample can be deleted.
    const before = await count(0);
    await row(0).getByTestId('delete-sample').last().click();
    await expect.poll(() => count(0)).toBe(before - 1);
  });

  const accuracies: Record<string, number> = {};
  for (const method of ['instant', 'head', 'mlp'] as const) {
    test(`learns with the ${method} method and the test photos are named right through the live camera`, async () => {
      await page.getByTestId(`learn-${method}`).click();
      const result = page.getByTestId(`result-${method}`);
      await expect(result).toHaveAttribute('data-model', `taught-${method}-${BACKBONE}`, { timeout: 120_000 });
      accuracies[method] = Number(await result.getAttribute('data-accuracy'));
      console.log(`teach: ${method} on ${BACKBONE}: held-out accuracy ${accuracies[method]} (${await result.locator('td').nth(2).textContent()}), learned in ${Number(await result.getAttribute('data-ms')).toFixed(0)} ms after the click`);
      expect(accuracies[method]).toBeGreaterThanOrEqual(0.8);
      if (method !== 'instant') await expect(page.getByTestId(`${method}-loss`)).toBeVisible();
      await result.getByTestId(`use-${method}`).click();
      await expect(page.getByTestId('model-picker')).toHaveValue(`taught-${method}-${BACKBONE}`);
      await expect(page.getByTestId('status')).toHaveText('Ready', { timeout: 120_000 });
      for (const [name, file] of Object.entries(TESTS)) {
        playPhotos([file], 2);
        await restartCamera();
        const seen = await framesShown(page).catch(() => 0);
        await expect.poll(() => framesShown(page), { timeout: 60_000 }).toBeGreaterThan(seen + 3);
        await expect(page.getByTestId('top1'), `${file} with the ${method} model`).toHaveAttribute('data-label', name);
      }
      await openTeach();
    });
  }

  test('full fine-tuning is refused on wasm with a message that says why, and nothing is stored', async () => {
    await expect(page.getByTestId('finetune-note')).toContainText('wasm backend cannot');
    await page.getByTestId('learn-finetune').click();
    await expect(msg()).toContainText('which the wasm backend cannot do');
    await expect(page.getByTestId('result-finetune')).toHaveAttribute('data-model', '');
  });

  test('compares a second backbone on the same samples, side by side', async () => {
    await page.getByTestId('compare-backbone').selectOption(SMALL);
    await page.getByTestId('learn-instant').click();
    await expect(page.getByTestId('compare-result-instant')).toHaveAttribute('data-model', `taught-instant-${SMALL}`, { timeout: 120_000 });
    await expect(page.getByTestId('result-instant')).toHaveAttribute('data-model', `taught-instant-${BACKBONE}`);
    const both = [await page.getByTestId('result-instant').getAttribute('data-accuracy'), await page.getByTestId('compare-result-instant').getAttribute('data-accuracy')];
    console.log(`teach: instant, ${BACKBONE} vs ${SMALL}: held-out accuracy ${both.join(' vs ')}`);
    for (const a of both) expect(Number(a)).toBeGreaterThanOrEqual(0);
    await expect(page.getByTestId('compare-result-instant').locator('td').first()).toContainText('LeNet');
    await page.getByTestId('compare-backbone').selectOption('');
    await expect(page.getByTestId('compare-result-instant')).toHaveCount(0);
  });

  test('full fine-tuning on WebGL at the backbone\'s own input side: held-out accuracy, loss curve, and the test photos named through the live camera', async () => {
    test.setTimeout(1_800_000);
    const main = page;
    page = await context.newPage();
    try {
      await openApp(page, 'backend=webgl');
      await page.getByRole('button', { name: 'Teach', exact: true }).click();
      await expect(page.getByTestId('teach-backend')).toContainText('webgl');
      await expect(page.getByTestId('backbone')).toHaveAttribute('data-loaded', /.+/, { timeout: 120_000 });
      await page.getByTestId('backbone').selectOption(TUNE);
      await expect(page.getByTestId('backbone')).toHaveAttribute('data-loaded', TUNE, { timeout: 120_000 });
      await expect(page.getByTestId('finetune-note')).toHaveCount(0);
      await page.getByTestId('finetune-epochs').fill(TUNE_EPOCHS);
      await page.getByTestId('learn-finetune').click();
      const result = page.getByTestId('result-finetune');
      // Minutes at 224x224 on SwiftShader, the first step's kernel compiling included: the
      // view's progress, logged as it goes.
      const progress = page.getByTestId('learn-progress');
      const t0 = Date.now();
      const log = setInterval(() => void progress.textContent({ timeout: 1000 }).then((t) => console.log(`teach: finetune ${((Date.now() - t0) / 1000).toFixed(0)} s after the click: ${t}`), () => {}), 30_000);
      // The model learned, or the error the view shows instead: a failure ends the wait at once.
      const alert = page.locator('[data-testid=teach-message][role=alert]');
      const outcome = async () => (await result.getAttribute('data-model')) || ((await alert.count()) ? await alert.textContent() : '');
      try {
        await expect.poll(outcome, { timeout: 1_500_000, intervals: [1000] }).not.toBe('');
        expect(await outcome()).toBe(`taught-finetune-${TUNE}`);
      } finally {
        clearInterval(log);
      }
      const accuracy = Number(await result.getAttribute('data-accuracy'));
      console.log(`teach: finetune on ${TUNE} (webgl, ${TUNE_EPOCHS} epochs): held-out accuracy ${accuracy} (${await result.locator('td').nth(2).textContent()})`);
      expect(accuracy).toBeGreaterThanOrEqual(0);
      expect(accuracy).toBeLessThanOrEqual(1);
      await expect(page.getByTestId('finetune-loss')).toBeVisible();
      await result.getByTestId('use-finetune').click();
      await expect(page.getByTestId('model-picker')).toHaveValue(`taught-finetune-${TUNE}`);
      await expect(page.getByTestId('status')).toHaveText('Ready', { timeout: 120_000 });
      const named: string[] = [];
      for (const [name, file] of Object.entries(TESTS)) {
        playPhotos([file], 2);
        await restartCamera();
        const seen = await framesShown(page).catch(() => 0);
        await expect.poll(() => framesShown(page), { timeout: 120_000 }).toBeGreaterThan(seen + 2);
        const label = await page.getByTestId('top1').getAttribute('data-label');
        named.push(`${file}: ${label}`);
        if (TUNE_NAMES_PHOTOS) expect(label, `${file} with the fine-tuned model`).toBe(name);
        else expect(Object.keys(TESTS)).toContain(label);
      }
      console.log(`teach: finetune on ${TUNE}, live: ${named.join(', ')}`);
    } finally {
      await page.close();
      page = main;
    }
  });

  test('samples and taught models survive a reload; both export and import', async () => {
    const counts = [await count(0), await count(1), await count(2)];
    await page.reload();
    await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: 120_000 });
    const taught = [...['instant', 'head', 'mlp'].map((m) => `taught-${m}-${BACKBONE}`), `taught-instant-${SMALL}`, `taught-finetune-${TUNE}`];
    for (const id of taught) await expect(page.locator(`[data-testid=model-picker] option[value="${id}"]`)).toHaveCount(1);
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    for (const id of taught) await expect(page.getByTestId(`compare-${id}`)).toHaveCount(1);
    await openTeach();
    await expect.poll(() => Promise.all([0, 1, 2].map(count))).toEqual(counts);
    await expect(page.getByTestId('result-instant')).toHaveAttribute('data-model', `taught-instant-${BACKBONE}`);
    // The dataset as one file, imported back whole.
    const [dataset] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-dataset').click()]);
    await page.getByTestId('import-dataset').setInputFiles(await dataset.path());
    await expect(msg()).toContainText(`Imported ${counts.reduce((a, b) => a + b)} samples in 3 classes`);
    // The taught model as safetensors with its card.
    const [model] = await Promise.all([page.waitForEvent('download'), page.getByTestId('result-instant').getByRole('button', { name: 'Export' }).click()]);
    expect(model.suggestedFilename()).toBe(`taught-instant-${BACKBONE}.safetensors`);
    await page.getByTestId('import-taught').setInputFiles(await model.path());
    await expect(msg()).toContainText('Imported "Taught (instant');
    // Learning again keeps the model's identity: the same id, once in the picker.
    await page.getByTestId('learn-instant').click();
    await expect(msg()).toContainText('is in the Live and Compare pickers', { timeout: 120_000 });
    await expect(page.getByTestId('result-instant')).toHaveAttribute('data-model', `taught-instant-${BACKBONE}`);
    await page.getByRole('button', { name: 'Live', exact: true }).click();
    await expect(page.locator(`[data-testid=model-picker] option[value="taught-instant-${BACKBONE}"]`)).toHaveCount(1);
    await openTeach();
  });

  test('a full quota while recording stops it with a message, and keeps the samples', async () => {
    const before = await count(0);
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: ORIGIN, quotaSize: 1024 });
    try {
      playPhotos(CLASSES.cat);
      await restartCamera();
      await page.waitForFunction(() => (document.querySelector('[data-testid=teach-video]') as HTMLVideoElement)?.videoWidth > 0);
      await row(0).getByTestId('record').hover();
      await page.mouse.down();
      await expect(msg()).toContainText('Not enough storage', { timeout: 60_000 });
      await expect(row(0).getByTestId('record')).toHaveAttribute('aria-pressed', 'false');
      await page.mouse.up();
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin: ORIGIN });
    }
    // Chromium enforces a lowered quota once it has re-counted the usage, so some samples may be
    // stored first; every sample shown is kept, none half-stored.
    const shown = await count(0);
    expect(shown).toBeGreaterThanOrEqual(before);
    await page.reload();
    await page.getByTestId('status').filter({ hasText: 'Ready' }).waitFor({ timeout: 120_000 });
    await openTeach();
    await expect.poll(() => count(0)).toBe(shown);
  });

  test('Models → Storage on this device lists the samples (where the storage message points) and deletes them', async () => {
    const total = (await Promise.all([0, 1, 2].map(count))).reduce((a, b) => a + b);
    await page.getByRole('button', { name: 'Models' }).click();
    const item = page.locator('[data-testid=stored-item][data-kind=samples]');
    await expect(item).toContainText(`Your Teach samples: ${total} in 3 classes`);
    await item.getByRole('button', { name: 'Delete' }).click();
    await expect(item).toHaveCount(0);
    await openTeach();
    await expect.poll(() => Promise.all([0, 1, 2].map(count))).toEqual([0, 0, 0]);
    await expect(row(0).getByTestId('class-name')).toHaveValue('cat');
  });
});
