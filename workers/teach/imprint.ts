// Weight imprinting (Qi, Brown and Lowe, "Low-Shot Learning with Imprinted Weights", CVPR 2018):
// a class's weight is the mean of its L2-normalised embeddings, normalised again, so the logit
// is a scaled cosine between the frame's embedding and each class mean. Plain arrays, no TF.js:
// a few hundred samples of a few thousand numbers take well under a millisecond, on any backend.

/** Logit scale: cosines lie in [-1, 1], and a softmax over them needs a spread to show confidence. */
export const IMPRINT_SCALE = 16;

export function l2Normalize(v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s) || 1;
  return Float32Array.from(v, (x) => x / n);
}

/** A dense head in TF.js's Linear layout: weight [in, out] row-major, bias [out]. */
export interface DenseHead {
  inputs: number;
  classes: number;
  weight: Float32Array;
  bias: Float32Array;
}

/**
 * The imprinted head for embeddings (already L2-normalised) with labels 0..k-1: each column is
 * IMPRINT_SCALE times the normalised mean of its class. Every class needs a sample.
 */
export function imprint(embeddings: readonly Float32Array[], labels: readonly number[], k: number): DenseHead {
  const d = embeddings[0]?.length ?? 0;
  const sums = Array.from({ length: k }, () => new Float64Array(d));
  const counts = new Array<number>(k).fill(0);
  embeddings.forEach((e, i) => {
    const c = labels[i]!;
    counts[c]!++;
    for (let j = 0; j < d; j++) sums[c]![j]! += e[j]!;
  });
  const weight = new Float32Array(d * k);
  for (let c = 0; c < k; c++) {
    if (!counts[c]) throw new Error(`Class ${c} has no samples to imprint.`);
    const m = l2Normalize(sums[c]!);
    for (let j = 0; j < d; j++) weight[j * k + c] = IMPRINT_SCALE * m[j]!;
  }
  return { inputs: d, classes: k, weight, bias: new Float32Array(k) };
}

/** The head's logits for one normalised embedding. */
export function logits(head: DenseHead, e: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(head.bias);
  for (let j = 0; j < head.inputs; j++) {
    const x = e[j]!;
    if (x === 0) continue;
    for (let c = 0; c < head.classes; c++) out[c]! += x * head.weight[j * head.classes + c]!;
  }
  return out;
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

/** A small MLP's hidden layer on one embedding: ReLU(e W + b). */
export function hiddenOf(hidden: DenseHead, e: ArrayLike<number>): Float32Array {
  return logits(hidden, e).map((v) => Math.max(0, v));
}

/** Correct predictions of `head` (after an MLP's `hidden` layer, if any) on (normalised) embeddings with their labels. */
export function countCorrect(head: DenseHead, embeddings: readonly Float32Array[], labels: readonly number[], hidden?: DenseHead): number {
  return embeddings.reduce((n, e, i) => n + (argmax(logits(head, hidden ? hiddenOf(hidden, e) : e)) === labels[i] ? 1 : 0), 0);
}
