// Model cards: plain data, no TF.js, so the UI can import them.

/** How a frame becomes the model's input tensor. */
export interface Preprocess {
  /** Input height and width in pixels. */
  size: [number, number];
  /**
   * 'squash' resizes the whole frame; 'center-crop' takes the centred square
   * covering `cropFraction` of the short side, then resizes (timm's crop_pct).
   */
  resize: 'squash' | 'center-crop';
  cropFraction: number;
  /** 1 for grey-scale models (LeNet on MNIST): the frame's channels are averaged. Default 3. */
  channels?: 1 | 3;
  /** Per-channel mean and std, for pixels scaled to [0, 1]. */
  mean: [number, number, number];
  std: [number, number, number];
}

export interface WeightSource {
  /** Relative URLs are resolved against the app's base URL. */
  url: string;
  sha256: string;
  bytes: number;
  format: 'safetensors';
  /** Naming convention of the tensors in the file. */
  convention: 'torchvision' | 'timm' | 'convcam';
  license: string;
  /** True when the file ships inside the app (precached, works offline at once). */
  embedded: boolean;
}

export interface ModelCard {
  id: string;
  name: string;
  family: string;
  year: number;
  paper: { title: string; url: string };
  preprocess: Preprocess;
  labels: readonly string[];
  params: number;
  /** Multiply-accumulates for one image at `preprocess.size`. */
  macs: number;
  weights: WeightSource;
  /** Architecture options passed to the family's builder. */
  config: Record<string, unknown>;
  /** Measured figures with the command that produced them. */
  metrics?: { name: string; value: number; command: string; dataset: string }[];
}

export const CIFAR10_LABELS = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
] as const;
