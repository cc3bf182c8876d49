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
  /**
   * How the weight set was evaluated by its publisher. The app resamples bilinearly (TF.js has
   * no bicubic resize), so a 'bicubic' set sees slightly softer input than it was scored on.
   */
  interpolation?: 'bilinear' | 'bicubic';
  /** Where these values come from (a timm pretrained config, torchvision's transform). */
  source?: string;
}

export interface WeightSource {
  /** Relative URLs are resolved against the app's base URL. */
  url: string;
  sha256: string;
  bytes: number;
  format: 'safetensors' | 'tflite';
  /** Naming convention of the tensors in the file ('tf-slim': a TensorFlow Lite file, mapped by its graph). */
  convention: 'torchvision' | 'timm' | 'convcam' | 'tf-slim';
  license: string;
  /**
   * A file on the Hugging Face hub (`<repo>/resolve/main/model.safetensors`), downloaded only
   * when the user asks (Models view, Live and Compare pickers), pinned by sha256.
   */
  hub?: string;
  /**
   * `bytes` is the size as published, rounded (the hub shows "14.2 MB"): the download must then
   * be within 1% of it, and exactly the length the server announces. The sha256 pins the file.
   */
  bytesApprox?: boolean;
  /** True when the file ships with the app (in public/): no import needed. */
  embedded: boolean;
  /**
   * Shipped files the service worker installs with the app (the default model only), so it
   * works offline at once. Other shipped files are cached on first use, or all at once by
   * "Make all available offline" (Models view).
   */
  precache?: boolean;
}

export interface TfliteOrigin {
  /** The width multiplier (MobileNet v1's alpha, MobileNetV2's depth multiplier). */
  alpha: number;
  /** The resolution multiplier: input size / 224. */
  rho: number;
  /** The weights' storage type in the file: UINT8, INT8, FLOAT16 or FLOAT32 (dequantised to float32 here). */
  dtype: string;
  /** Per-tensor or per-channel quantisation (null for float files). */
  quantisation: 'per-tensor' | 'per-channel' | null;
  /** The source file's name. */
  file: string;
  /** The top-1 its publisher states for this exact file (known files only), with where it is stated. */
  publishedTop1?: { value: number; source: string };
}

/**
 * Each family's typed config, keyed by family id. Empty here: every family file adds its own
 * entry by declaration merging (`declare module '../card'`), so adding a family edits no
 * shared type. Type-only, so the UI still imports no TF.js.
 */
export interface FamilyConfigs {}

export type Family = keyof FamilyConfigs;

/**
 * How a taught model was made. Its logits are head(l2normalise(features(x))): the backbone's
 * embedding is L2-normalised before the head (models/builders.ts applies it), so imprinted
 * class means act as cosine classifiers.
 */
export interface TaughtInfo {
  /** The card whose backbone (everything before its head) the model runs, frozen. */
  backbone: string;
  backboneName: string;
  /** mlp: a hidden ReLU layer (TAUGHT_HIDDEN, as wide as the embedding) before the head. */
  method: 'instant' | 'head' | 'mlp' | 'finetune';
  /** The dataset it was taught from, and when. */
  samples: number;
  heldOutAccuracy: number | null;
  heldOutCount: number;
  learnedAt: number;
}

interface CardFields {
  id: string;
  name: string;
  year: number;
  paper: { title: string; url: string };
  preprocess: Preprocess;
  labels: readonly string[];
  params: number;
  /** Multiply-accumulates for one image at `preprocess.size`. */
  macs: number;
  weights: WeightSource;
  /** For a reduced model (the CIFAR-10 line): what was scaled down from the paper's network, and why. */
  adapted?: string;
  /** A model taught on this device from the user's own samples (the Teach view). */
  taught?: TaughtInfo;
  /** A model imported from a TensorFlow Lite file: the seed's two shrinking hyperparameters and how the file stored its weights. */
  tflite?: TfliteOrigin;
  /** The weight set's ImageNet top-1 as its publisher reports it (not measured here), with where. */
  published?: { top1: number; source: string };
  /** Measured figures with the command that produced them. */
  metrics?: { name: string; value: number; command: string; dataset: string }[];
}

/** What a family's builder needs: its id and its typed config. */
export type ArchitectureOf<F extends Family = Family> = { [K in F]: { family: K; config: FamilyConfigs[K] } }[F];

/** A weight set of one family (timm's pretrained config): `config` is that family's own type. */
export type ModelCard<F extends Family = Family> = { [K in F]: CardFields & ArchitectureOf<K> }[F];

/** The card with another class count for its head (every family's config has `numClasses`). */
export function withNumClasses(card: ModelCard, numClasses: number): ModelCard {
  // TypeScript cannot follow the family/config pairing through a spread; the family is unchanged.
  return { ...card, config: { ...card.config, numClasses } } as ModelCard;
}

export const CIFAR10_LABELS = [
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
] as const;
