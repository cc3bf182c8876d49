// The Tour's worker API (workers/tour/tour.worker.ts), typed for its one Comlink bridge
// (src/lib/tour-bridge.ts). Maps and filters cross as typed arrays, transferred, not copied.
import type { BackendInfo } from './inference-protocol';
import type { FamilyFacts } from '../../models/tour-arithmetic';
import type { TourSectionId } from '../../models/tour-sections';

/** A layer whose output is an image-like map the Tour can draw. */
export interface MapLayer {
  name: string;
  type: string;
  /** [h, w, channels] for one image. */
  shape: [number, number, number];
}

/** Filters as pictures: filter i is pixels [i * k * k * 4, (i + 1) * k * k * 4), RGBA, each normalised to its own range. */
export interface FilterPictures {
  modelId: string;
  layer: string;
  k: number;
  stride: number;
  cin: number;
  count: number;
  rgba: Uint8ClampedArray;
}

export interface SectionInfo {
  section: TourSectionId;
  modelId: string;
  /** False: the card ships no trained weights yet, so the model runs with seeded random ones. */
  trained: boolean;
  facts: FamilyFacts;
  /** The same facts for the paper's own network (the section's `paper` card), read off its definition. */
  paper: { modelId: string; facts: FamilyFacts } | null;
  /** The layers the maps can show, in forward order (empty for a facts-only section). */
  layers: MapLayer[];
  /** The first conv's filters; for ZFNet also AlexNet's, the comparison the seed draws. */
  filters: FilterPictures[];
}

export interface FeatureMaps {
  modelId: string;
  layer: string;
  h: number;
  w: number;
  c: number;
  /** c maps of h * w grey values, each normalised to its own min..max (0..255). */
  maps: Uint8ClampedArray;
  /** Mean activation per channel, the ranking of `top`. */
  strength: Float32Array;
  /** The 9 strongest channels, strongest first. */
  top: number[];
  /** The model's top-1 class for the frame. */
  top1: { label: string; p: number };
  /** TF.js tensors alive in the worker after the call (they must stay flat). */
  numTensors: number;
}

export type TourProgress = { type: 'download'; modelId: string; loaded: number; total: number } | { type: 'build'; modelId: string };

export interface TourApi {
  init(opts: { backend?: string; threads?: number; baseUrl: string }): Promise<BackendInfo>;
  /** Loads the section's model (trained weights when it ships them, else random) and reads its facts. */
  open(section: TourSectionId, modelId: string, trained: boolean, onProgress: (e: TourProgress) => void): Promise<SectionInfo>;
  /**
   * One frame (a bitmap at the model's input size, transferred) through the model: `layer`'s
   * maps, and unless `explain` is false, the deconvnet of `channel` (default: the strongest)
   * for a plain stack, or guided backprop and Grad-CAM for the top-1 class otherwise.
   */
  maps(modelId: string, layer: string, frame: ImageBitmap, callId: number, opts: { explain: boolean; channel: number | null }): Promise<ExplainedMaps>;
  cancel(callId: number): void;
  /** Frees a model the Tour no longer runs (a stored ImageNet model the user switched away from). */
  close(modelId: string): Promise<void>;
}

/** What a unit responds to, for one frame: RGBA pictures at the model's input size. */
export type Explanation =
  | {
      method: 'deconvnet';
      layer: string;
      channel: number;
      /** Where in the layer's map the channel was strongest. */
      at: [number, number];
      value: number;
      rgba: Uint8ClampedArray;
    }
  | {
      method: 'gradients';
      /** The top-1 class both maps explain. */
      label: string;
      /** Grad-CAM's layer (the last 4-D stage). */
      camLayer: string;
      guided: Uint8ClampedArray;
      /** Grad-CAM's map over the frame. */
      heat: Uint8ClampedArray;
      /** Where the gradients ran, and why. */
      backend: string;
      note: string | null;
    };

export interface ExplainedMaps extends FeatureMaps {
  /** The frame as the model saw it (its input size, height x width), RGBA. */
  frame: Uint8ClampedArray;
  frameSize: [number, number];
  explanation: Explanation | null;
}
