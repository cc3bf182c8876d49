// Shared by the parity tests: the error measure that the tolerance (1e-4) is stated in.
export function maxErrors(want: ArrayLike<number>, got: ArrayLike<number>): { maxDiff: number; maxAbs: number } {
  let maxDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(want[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(want[i]! - got[i]!));
  }
  return { maxDiff, maxAbs };
}
