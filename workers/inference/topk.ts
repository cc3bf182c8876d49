// Pure logic, unit-tested.
export function topK(values: ArrayLike<number>, k: number): { index: number; value: number }[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b]! - values[a]! || a - b);
  return idx.slice(0, k).map((index) => ({ index, value: values[index]! }));
}
