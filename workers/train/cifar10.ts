// Pure logic, unit-tested: the CIFAR-10 binary record layout.
// Each record is 1 label byte, then 1024 red, 1024 green and 1024 blue bytes (32x32, row-major).

export const RECORD_BYTES = 3073;

export interface CifarBatch {
  labels: Uint8Array;
  /** Interleaved RGB, NHWC, uint8: n * 32 * 32 * 3. */
  pixels: Uint8Array;
}

export function parseCifarRecords(bytes: Uint8Array): CifarBatch {
  if (bytes.byteLength % RECORD_BYTES !== 0) {
    throw new Error(`A CIFAR-10 batch holds whole ${RECORD_BYTES}-byte records; ${bytes.byteLength} bytes is ${(bytes.byteLength / RECORD_BYTES).toFixed(2)} records: the file is truncated or not CIFAR-10.`);
  }
  const n = bytes.byteLength / RECORD_BYTES;
  const labels = new Uint8Array(n);
  const pixels = new Uint8Array(n * 3072);
  for (let r = 0; r < n; r++) {
    const o = r * RECORD_BYTES;
    const label = bytes[o]!;
    if (label > 9) throw new Error(`Record ${r} has label ${label}; CIFAR-10 labels are 0-9.`);
    labels[r] = label;
    for (let p = 0; p < 1024; p++) {
      const d = r * 3072 + p * 3;
      pixels[d] = bytes[o + 1 + p]!;
      pixels[d + 1] = bytes[o + 1025 + p]!;
      pixels[d + 2] = bytes[o + 2049 + p]!;
    }
  }
  return { labels, pixels };
}
