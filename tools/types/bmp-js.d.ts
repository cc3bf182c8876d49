// bmp-js ships no types: the one function tools/photos.ts calls.
declare module 'bmp-js' {
  /** `data` is width * height * 4 bytes, each pixel as A, B, G, R. */
  export function decode(buffer: Buffer): { width: number; height: number; data: Buffer };
  const bmp: { decode: typeof decode };
  export default bmp;
}
