// The shipped default model: its card pins the file that is in public/, and the
// architecture matches the weights, parameter for parameter.
import { describe, expect, it, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { CARDS, DEFAULT_MODEL_ID, findCard } from '../../models/registry';
import { buildModel } from '../../models/builders';
import { EVAL } from '../../models/nn';
import { parseSafetensors } from '../../models/safetensors';
import { toTfWeights } from '../../models/weights';
import type { ModelCard } from '../../models/card';

const ROOT = resolve(__dirname, '../..');

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model cards', () => {
  it('have unique ids and a default', () => {
    expect(new Set(CARDS.map((c) => c.id)).size).toBe(CARDS.length);
    expect(findCard(DEFAULT_MODEL_ID).weights.embedded).toBe(true);
    expect(() => findCard('nope')).toThrow(/Unknown model "nope"/);
  });

  // The registry's list is by hand (models/registry.ts says why): nothing may be left out.
  it('come from every cards file, and every family file is an architecture some card builds', async () => {
    const cardFiles = import.meta.glob<{ cards: readonly ModelCard[] }>('../../models/cards/*.ts', { eager: true });
    const listed = new Set(CARDS);
    const fromFiles = Object.entries(cardFiles).filter(([path]) => !path.endsWith('/zoo-common.ts'));
    expect(fromFiles.length).toBeGreaterThan(10);
    for (const [path, mod] of fromFiles) {
      expect(mod.cards?.length, `${path} exports its cards`).toBeGreaterThan(0);
      for (const card of mod.cards) expect(listed.has(card), `${card.id} (${path}) is in CARDS`).toBe(true);
    }
    const familyFiles = Object.keys(import.meta.glob('../../models/families/*.ts')).map((p) => p.replace(/^.*\/(.*)\.ts$/, '$1'));
    expect(new Set(CARDS.map((c) => c.family))).toEqual(new Set(familyFiles));
  });

  it('the service worker precaches exactly the weights of the cards marked precache', async () => {
    const { PRECACHED_WEIGHTS } = await import('../../models/precache');
    expect([...PRECACHED_WEIGHTS].sort()).toEqual(CARDS.filter((c) => c.weights.precache).map((c) => c.weights.url).sort());
    expect(CARDS[0]!.weights.precache).toBe(true);
  });

  it('a family name that is not a file is refused with its name', async () => {
    await expect(buildModel({ family: 'resnet-9000', config: {} } as unknown as ModelCard)).rejects.toThrow(/No architecture for family "resnet-9000"/);
    await expect(buildModel({ family: '../nn', config: {} } as unknown as ModelCard)).rejects.toThrow(/not a family name/);
  });

  for (const card of CARDS.filter((c) => c.weights.embedded)) {
    describe(card.id, () => {
      const file = resolve(ROOT, 'public', card.weights.url);
      it('pins the shipped file by size and sha256, within 2 MB', () => {
        expect(existsSync(file)).toBe(true);
        const bytes = readFileSync(file);
        expect(bytes.byteLength).toBe(card.weights.bytes);
        expect(bytes.byteLength).toBeLessThanOrEqual(2 * 1024 * 1024);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(card.weights.sha256);
      });
      it('has the parameter count of its architecture', async () => {
        expect((await buildModel(card)).paramCount()).toBe(card.params);
      });
      it('loads its weights by name and gives one logit per label', async () => {
        const model = await buildModel(card);
        const w = toTfWeights(model, parseSafetensors(readFileSync(file).buffer as ArrayBuffer));
        model.materialize(w);
        w.forEach((t) => t.dispose());
        const [h, wd] = card.preprocess.size;
        const y = tf.tidy(() => model.forward(tf.zeros([2, h, wd, 3]), EVAL));
        expect(y.shape).toEqual([2, card.labels.length]);
        y.dispose();
        model.dispose();
      });
    });
  }
});

describe('profile of the default model', () => {
  it('gives the MACs the card states', async () => {
    const { profileCard } = await import('../../models/profile');
    const card = findCard(DEFAULT_MODEL_ID);
    const p = await profileCard(card);
    expect(p.macs).toBe(card.macs);
    expect(p.params).toBe(card.params);
  });
});
