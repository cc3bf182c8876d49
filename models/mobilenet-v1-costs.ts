// MobileNet v1's cost model (Howard et al. 2017, section 3.1): plain arithmetic, no TF.js,
// so the UI can show it next to the layer table.

/** Table 1: [output channels, stride] of each depthwise-separable block. */
export const MOBILENET_V1_BLOCKS: readonly [number, number][] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1],
  [1024, 2], [1024, 1],
];

/** TF-slim's width-multiplier rounding. */
export function scaleChannels(c: number, alpha: number): number {
  return Math.max(Math.floor(c * alpha), 8);
}

export interface SeparableCost {
  layer: number;
  /** Kernel size D_K, input channels M, output channels N, output map size D_F. */
  dk: number;
  m: number;
  n: number;
  df: number;
  stride: number;
  /** D_K·D_K·M·D_F·D_F + M·N·D_F·D_F (depthwise + pointwise), equation 5 of the paper. */
  separable: number;
  /** D_K·D_K·M·N·D_F·D_F, a standard convolution with the same shapes (equation 2). */
  standard: number;
}

/**
 * Per depthwise-separable block, its cost against a standard conv, for width alpha and input
 * resolution (section 3.2; D_F is the output size, as stride-2 blocks are counted on it).
 * The ratio separable/standard is 1/N + 1/D_K^2.
 */
export function mobileNetV1Costs(alpha = 1, resolution = 224): SeparableCost[] {
  let df = Math.ceil(resolution / 2);
  let m = scaleChannels(32, alpha);
  return MOBILENET_V1_BLOCKS.map(([c, stride], i) => {
    df = Math.ceil(df / stride);
    const n = scaleChannels(c, alpha);
    const dk = 3;
    const row = { layer: i + 1, dk, m, n, df, stride, separable: dk * dk * m * df * df + m * n * df * df, standard: dk * dk * m * n * df * df };
    m = n;
    return row;
  });
}

