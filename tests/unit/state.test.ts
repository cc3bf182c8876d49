// The UI's state classes (.svelte.ts, compiled with runes by the Svelte plugin), and the
// newest-wins rule the views' refreshes follow.
import { describe, expect, it } from 'vitest';
import { Pane } from '../../src/lib/pane.svelte';
import { Newest } from '../../src/lib/newest';
import { Pwa } from '../../src/lib/pwa.svelte';
import { findCard, DEFAULT_MODEL_ID } from '../../models/registry';
import type { ClassifyResult } from '../../workers/contracts/inference-protocol';

const result = (label: string): ClassifyResult => ({
  top: [{ label, index: 0, probability: 0.9 }],
  modelMs: 1,
  preprocessMs: 1,
  memory: { numTensors: 3, numBytes: 10, backend: 'wasm' },
  frameImport: 'bitmap',
  plan: { mode: 'bitmap', why: 'test' },
} as unknown as ClassifyResult);

describe('Newest', () => {
  it('drops a reply that comes back after a newer turn began', async () => {
    const newest = new Newest();
    let shown = '';
    const refresh = async (value: string, ms: number) => {
      const mine = newest.take();
      await new Promise((r) => setTimeout(r, ms));
      if (mine()) shown = value;
    };
    await Promise.all([refresh('old, slow', 30), refresh('new, fast', 1)]);
    expect(shown).toBe('new, fast');
  });
});

describe('Pane', () => {
  it('shows a result (clearing an earlier error) and counts it', () => {
    const pane = new Pane(findCard(DEFAULT_MODEL_ID));
    pane.error = 'an old error';
    pane.show(result('cat'), 'camera frame 4', 4);
    expect([pane.top[0]!.label, pane.source, pane.frame, pane.frames, pane.error]).toEqual(['cat', 'camera frame 4', 4, 1, null]);
  });

  it('derives its percentiles and the time not spent in capture, preprocessing or the model', () => {
    const pane = new Pane(findCard(DEFAULT_MODEL_ID));
    for (let i = 1; i <= 100; i++) pane.record({ captureMs: 1, preprocessMs: 2, modelMs: i, e2eMs: i + 10 }, i * 100);
    expect(pane.figures.modelP50).toBeCloseTo(50, 0);
    expect(pane.figures.modelP95).toBeCloseTo(95, 0);
    expect(pane.figures.e2eP50).toBeCloseTo(60, 0);
    expect(pane.figures.otherP50).toBe(7);
    expect(pane.figures.fps).toBeCloseTo(10, 1);
    expect(pane.history.length).toBe(100);
  });

  it('keeps the latency chart to its last 300 samples', () => {
    const pane = new Pane(findCard(DEFAULT_MODEL_ID));
    for (let i = 0; i < 350; i++) pane.record({ captureMs: 0, preprocessMs: 0, modelMs: i, e2eMs: i }, i);
    expect(pane.history.length).toBe(300);
    expect(pane.history[0]!.modelMs).toBe(50);
  });
});

describe('Pwa', () => {
  const offer = (outcome: 'accepted' | 'dismissed') => {
    const e = new Event('beforeinstallprompt', { cancelable: true }) as Event & { prompt(): Promise<void>; userChoice: Promise<{ outcome: string }>; prompted: number };
    e.prompted = 0;
    e.prompt = async () => void e.prompted++;
    e.userChoice = Promise.resolve({ outcome });
    return e;
  };

  it('offers Install when the browser does, prompts once, and knows when it was accepted', async () => {
    const target = new EventTarget();
    const pwa = new Pwa(target);
    expect(pwa.canInstall).toBe(false);
    const e = offer('accepted');
    target.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(true);
    expect(pwa.canInstall).toBe(true);
    await pwa.install();
    await pwa.install();
    expect(e.prompted).toBe(1);
    expect(pwa.canInstall).toBe(false);
    expect(pwa.installed).toBe(true);
  });

  it('a dismissed prompt is not an install; a later offer shows the button again', async () => {
    const target = new EventTarget();
    const pwa = new Pwa(target);
    target.dispatchEvent(offer('dismissed'));
    await pwa.install();
    expect(pwa.installed).toBe(false);
    expect(pwa.canInstall).toBe(false);
    target.dispatchEvent(offer('accepted'));
    expect(pwa.canInstall).toBe(true);
  });

  it('follows the network', () => {
    const target = new EventTarget();
    const pwa = new Pwa(target);
    target.dispatchEvent(new Event('offline'));
    expect(pwa.online).toBe(false);
    target.dispatchEvent(new Event('online'));
    expect(pwa.online).toBe(true);
  });
});
