// Pure rules of the Teach view, unit-tested: class names, what can be learned, and the
// held-out split the user sees.
import type { SampleInfo, TeachClass } from './teach-protocol';

export const MAX_CLASSES = 10;
export const MIN_CLASSES = 2;
/** Every HOLD_OUT_EVERY-th sample of a class (in the order added) is held out for accuracy. */
export const HOLD_OUT_EVERY = 5;
/** Samples are stored as JPEG at most this many pixels on the long side. */
export const SAMPLE_MAX_SIDE = 320;

/** The first problem with these class names, or null. Trimmed names are compared case-blind. */
export function classNamesProblem(classes: readonly TeachClass[]): string | null {
  if (classes.length > MAX_CLASSES) return `At most ${MAX_CLASSES} classes: remove ${classes.length - MAX_CLASSES}.`;
  const seen = new Map<string, number>();
  for (const [i, c] of classes.entries()) {
    const name = c.name.trim();
    if (!name) return `Class ${i + 1} has no name: give it one.`;
    const key = name.toLowerCase();
    if (seen.has(key)) return `Two classes are named "${name}" (${seen.get(key)! + 1} and ${i + 1}): each needs its own name.`;
    seen.set(key, i);
  }
  return null;
}

/** The first reason these classes and samples cannot be learned from, or null. */
export function learnProblem(classes: readonly TeachClass[], samples: readonly Pick<SampleInfo, 'classId'>[]): string | null {
  const names = classNamesProblem(classes);
  if (names) return names;
  if (classes.length < MIN_CLASSES) return `Teach at least ${MIN_CLASSES} classes: with ${classes.length === 1 ? `only "${classes[0]!.name}"` : 'none'} there is nothing to tell apart. Add a class.`;
  const empty = classes.filter((c) => !samples.some((s) => s.classId === c.id));
  if (empty.length) return `${empty.map((c) => `"${c.name}"`).join(', ')} ${empty.length === 1 ? 'has' : 'have'} no samples: record or add some, or remove ${empty.length === 1 ? 'the class' : 'them'}.`;
  return null;
}

/**
 * Which samples are held out: per class, in the order added, every HOLD_OUT_EVERY-th one
 * (the 5th, 10th, ...). Deterministic, so the user sees the same split the accuracy used, and
 * a class always keeps most of its samples for learning.
 */
export function heldOutIds(samples: readonly Pick<SampleInfo, 'id' | 'classId' | 'addedAt'>[]): Set<string> {
  const byClass = new Map<string, Pick<SampleInfo, 'id' | 'addedAt'>[]>();
  for (const s of samples) byClass.set(s.classId, [...(byClass.get(s.classId) ?? []), s]);
  const out = new Set<string>();
  for (const list of byClass.values()) {
    [...list].sort((a, b) => a.addedAt - b.addedAt || (a.id < b.id ? -1 : 1)).forEach((s, i) => {
      if (i % HOLD_OUT_EVERY === HOLD_OUT_EVERY - 1) out.add(s.id);
    });
  }
  return out;
}

/** The size a frame is stored at: its aspect kept, the long side at most SAMPLE_MAX_SIDE. */
export function sampleSize(w: number, h: number): { width: number; height: number } {
  const s = Math.min(1, SAMPLE_MAX_SIDE / Math.max(w, h));
  return { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) };
}

/**
 * Why full fine-tuning cannot run here, or null. It trains the backbone's convolutions, which
 * TF.js's wasm backend cannot (it has no Conv2DBackpropFilter); the samples are fine-tuned on
 * as square images at the backbone's input side.
 */
export function fineTuneProblem(backend: string, inputSize: [number, number]): string | null {
  if (backend === 'wasm')
    return 'Full fine-tuning trains the backbone\'s convolutions, which the wasm backend cannot do (TF.js has no convolution gradients on wasm). Open ConvCam with WebGPU or WebGL (?backend=webgpu or ?backend=webgl) to fine-tune; the instant and trained-head methods work here.';
  if (inputSize[0] !== inputSize[1])
    return `Full fine-tuning works on square images, and this backbone takes ${inputSize[1]}x${inputSize[0]}: use the instant or trained-head method with it.`;
  return null;
}
