// Pure logic, unit-tested: which backends to try, in which order.
import { BACKEND_ORDER, type BackendName, type EngineOptions } from './protocol';

/** Which backends to try, in order; `avoid` (backends whose GPU device was lost) are left out. */
export function planBackends(requested?: string | null, avoid: readonly BackendName[] = []): { order: BackendName[]; note?: string } {
  const usable = BACKEND_ORDER.filter((b) => !avoid.includes(b));
  if (!requested) return { order: usable };
  const r = requested.toLowerCase() as BackendName;
  if (!BACKEND_ORDER.includes(r)) {
    return {
      order: usable,
      note: `Unknown backend "${requested}" (choose ${BACKEND_ORDER.join(', ')}); using the default order:`,
    };
  }
  // The forced backend first; if it cannot start, fall back in the usual order.
  return usable.includes(r) ? { order: [r, ...usable.filter((b) => b !== r)] } : { order: usable };
}

export const FRAME_IMPORTS = ['external-texture', 'bitmap'] as const;
export type FrameImport = (typeof FRAME_IMPORTS)[number];

export interface FrameImportFacts {
  backend: BackendName;
  /** VideoFrame exists in the worker (WebCodecs). */
  videoFrame: boolean;
  /** The WebGPU adapter is a software fallback (SwiftShader). */
  fallbackAdapter: boolean;
  /** ?frameImport= from the page's URL, if any. */
  requested?: string | null;
}

/**
 * How camera frames reach the model. 'external-texture': the UI transfers a VideoFrame and
 * the worker samples it as a GPUExternalTexture in one shader that crops, resizes and
 * normalises (workers/gpu-frame.ts). 'bitmap': the UI crops and resizes with
 * createImageBitmap and the worker uploads the small bitmap.
 * Software adapters default to 'bitmap': on headless SwiftShader, importing a camera
 * VideoFrame loses the WebGPU device (every device in the page) instead of failing cleanly.
 */
export function planFrameImport(f: FrameImportFacts): { mode: FrameImport; why: string } {
  const possible = f.backend === 'webgpu' && f.videoFrame;
  const requested = f.requested?.toLowerCase();
  if (requested && !(FRAME_IMPORTS as readonly string[]).includes(requested)) {
    const mode: FrameImport = possible && !f.fallbackAdapter ? 'external-texture' : 'bitmap';
    return { mode, why: `unknown ?frameImport=${f.requested} (choose ${FRAME_IMPORTS.join(' or ')}); using ${mode}` };
  }
  if (requested === 'bitmap') return { mode: 'bitmap', why: 'as asked by ?frameImport=bitmap' };
  if (!possible) {
    const why = f.backend !== 'webgpu' ? `${f.backend} cannot sample video textures` : 'VideoFrame is missing in this browser';
    return { mode: 'bitmap', why: requested ? `${why}, so ?frameImport=${requested} cannot apply` : why };
  }
  if (requested === 'external-texture') return { mode: 'external-texture', why: 'as asked by ?frameImport=external-texture' };
  if (f.fallbackAdapter) return { mode: 'bitmap', why: 'the WebGPU adapter is a software fallback, which cannot import camera frames safely' };
  return { mode: 'external-texture', why: 'WebGPU imports each VideoFrame as an external texture' };
}

/** What the UI restarts the inference worker with after its WebGPU device was lost. */
export interface RecoveryPlan {
  engine: EngineOptions;
  /** Why, for the user: what the restarted worker does differently. */
  change: string;
}

/**
 * After a lost WebGPU device: the likeliest culprit goes first. A worker that imported camera
 * frames as external textures restarts on WebGPU with bitmaps (the import is the new, rarely
 * exercised path); one that was already on bitmaps restarts without WebGPU. Other backends
 * never report a lost device, so this ends within two restarts.
 */
export function planRecovery(backend: { name: BackendName; frameImport: { mode: FrameImport } }, engine: EngineOptions): RecoveryPlan | null {
  if (backend.name !== 'webgpu') return null;
  if (backend.frameImport.mode === 'external-texture') {
    return { engine: { ...engine, frameImport: 'bitmap' }, change: 'camera frames now go to WebGPU as bitmaps' };
  }
  // webgpu cannot be in engine.avoid already: it ran.
  return { engine: { ...engine, avoid: [...(engine.avoid ?? []), 'webgpu'] }, change: 'WebGPU is no longer used on this page' };
}
