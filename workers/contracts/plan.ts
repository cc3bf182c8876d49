// Pure logic, unit-tested: which backends to try, in which order.
import { DOWNLOAD_HOSTS } from '../../security-headers';
import { BACKEND_ORDER, type BackendName, type EngineOptions, type Failure } from './inference-protocol';
import type { HubOverride } from './hub';

/** The Content-Security-Policy's connect-src allows exactly these, so the app refuses others first. */
export { DOWNLOAD_HOSTS };

/** Why `url` may not be downloaded (the policy would block it), or null if it may. */
export function downloadRefusal(url: string, base: string): string | null {
  let u: URL;
  try {
    u = new URL(url, base);
  } catch {
    return `"${url}" is not a URL.`;
  }
  if (u.origin === new URL(base).origin) return null;
  const allowed = DOWNLOAD_HOSTS.some((h) => {
    const host = h.slice('https://'.length);
    return u.protocol === 'https:' && !u.port && (host.startsWith('*.') ? u.hostname.endsWith(host.slice(1)) : u.hostname === host);
  });
  return allowed ? null : `This app downloads only from itself, ${DOWNLOAD_HOSTS.map((h) => h.slice(8)).join(' and ')} (its Content-Security-Policy), not from ${u.host}. Download the file and pick it instead.`;
}

/** The engine options a page's URL asks for: ?backend=, ?frameImport=, ?threads=, ?faults (and with it ?stall=). */
export function engineOptions(search: string): EngineOptions {
  const q = new URLSearchParams(search);
  const threads = q.get('threads');
  const stall = Number(q.get('stall'));
  return {
    backend: q.get('backend') ?? undefined,
    frameImport: q.get('frameImport') ?? undefined,
    threads: threads == null ? undefined : Number(threads),
    faults: q.has('faults') || undefined,
    // Test-only, like the faults: seconds without bytes before a download is stopped.
    downloadStallMs: q.has('faults') && stall > 0 ? stall * 1000 : undefined,
    hub: q.has('faults') ? hubOverride(q) : undefined,
  };
}

/**
 * Tests only: ?faults&hub=https://HOST&pin=MODEL:SHA256:BYTES (pin repeatable) points the pinned
 * downloads at a local hub-like server with the test files' pins. hubPinFor ignores it for
 * huggingface.co, and downloadRefusal still limits HOST to the hub's own domains.
 */
function hubOverride(q: URLSearchParams): HubOverride | undefined {
  const origin = q.get('hub');
  if (!origin) return undefined;
  const pins: HubOverride['pins'] = {};
  for (const p of q.getAll('pin')) {
    const [id, sha256, bytes] = p.split(':');
    if (id && sha256 && /^[0-9a-f]{64}$/.test(sha256) && Number(bytes) > 0) pins[id] = { sha256, bytes: Number(bytes) };
  }
  return { origin, pins };
}

/** Which backends to try, in order; `avoid` (backends that failed earlier on this page) are left out. */
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

/**
 * wasm threads: `asked` (?threads=, the bench's --threads) if it is a positive integer, else
 * all cores but one (the page's own thread keeps one), at least 1.
 */
export function planThreads(asked: number | undefined | null, cores: number | undefined): { threads: number; why: string } {
  if (asked != null && Number.isInteger(asked) && asked > 0) return { threads: asked, why: `as asked by ?threads=${asked}` };
  const n = Math.max(1, (cores || 1) - 1);
  const bad = asked != null ? `?threads=${asked} is not a positive whole number; ` : '';
  return { threads: n, why: `${bad}all ${cores ?? '?'} cores but one, at least 1` };
}

export const FRAME_IMPORTS = ['external-texture', 'bitmap'] as const;
export type FrameImport = (typeof FRAME_IMPORTS)[number];

export interface FrameImportFacts {
  backend: BackendName;
  /** VideoFrame exists in the worker (WebCodecs). */
  videoFrame: boolean;
  /** The WebGPU adapter is a software fallback (SwiftShader). */
  fallbackAdapter: boolean;
  /** ?frameImport= from the page's URL, if any, or what a restart asks for. */
  requested?: string | null;
  /** Why it was asked for, when not by the URL (planRecovery's restart). */
  reason?: string;
}

/**
 * How camera frames reach the model. 'external-texture': the UI transfers a VideoFrame and
 * the worker samples it as a GPUExternalTexture in one shader that crops, resizes and
 * normalises (workers/preprocess/gpu-frame.ts). 'bitmap': the UI crops and resizes with
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
  if (requested === 'bitmap') return { mode: 'bitmap', why: f.reason ?? 'as asked by ?frameImport=bitmap' };
  if (!possible) {
    const why = f.backend !== 'webgpu' ? `${f.backend} cannot sample video textures` : 'VideoFrame is missing in this browser';
    return { mode: 'bitmap', why: requested ? `${why}, so ?frameImport=${requested} cannot apply` : why };
  }
  if (requested === 'external-texture') return { mode: 'external-texture', why: 'as asked by ?frameImport=external-texture' };
  if (f.fallbackAdapter) return { mode: 'bitmap', why: 'the WebGPU adapter is a software fallback, which cannot import camera frames safely' };
  return { mode: 'external-texture', why: 'WebGPU imports each VideoFrame as an external texture' };
}

/** How long a worker call may go unanswered before the worker is taken as hung, and why. */
export interface Deadline {
  ms: number;
  why: string;
}

/** The classify watchdog: a multiple of the model's own p95 call time, with floors. */
export const WATCHDOG = { multiple: 10, minMs: 10_000, firstMs: 60_000 } as const;

/**
 * How long one classify call may take, from the p95 of this worker's earlier calls. The first
 * call (no samples) may compile shaders, so it gets a fixed, generous floor.
 */
export function classifyDeadline(p95Ms: number, samples: number): Deadline {
  const { multiple, minMs, firstMs } = WATCHDOG;
  if (samples < 1 || !(p95Ms > 0)) return { ms: firstMs, why: `a first frame may compile shaders, so it gets ${firstMs / 1000} s` };
  return { ms: Math.max(minMs, multiple * p95Ms), why: `${multiple} × this model's p95 of ${p95Ms.toFixed(0)} ms, and at least ${minMs / 1000} s` };
}

/** Deadlines of the other calls: starting a backend, and any call that reports no progress for this long. */
export const CALL_DEADLINES = {
  init: { ms: 60_000, why: 'starting a backend takes seconds' },
  /** Loading or importing reports progress; this is the longest silence allowed. */
  progress: { ms: 180_000, why: 'it reported no progress for that long' },
  quick: { ms: 60_000, why: 'it reads only local storage' },
  /**
   * One step of full fine-tuning reports nothing until it ends: at a backbone's own input side
   * (224x224) the first, which also compiles the kernels, took over 3 min on SwiftShader WebGL
   * on a 2-core machine under load.
   */
  step: { ms: 900_000, why: 'one step of full fine-tuning, the first also compiling the GPU kernels, may take minutes on a slow device' },
  /** Evaluating a model on a test set reports no progress and may take minutes on a phone. */
  long: { ms: 900_000, why: 'an evaluation may take minutes' },
} as const satisfies Record<string, Deadline>;

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
    const frameImportReason = 'the WebGPU device was lost while camera frames were imported as textures';
    return { engine: { ...engine, frameImport: 'bitmap', frameImportReason }, change: 'camera frames now go to WebGPU as bitmaps' };
  }
  // webgpu cannot be in engine.avoid already: it ran.
  return { engine: { ...engine, avoid: [...(engine.avoid ?? []), 'webgpu'] }, change: 'WebGPU is no longer used on this page' };
}

/**
 * What to restart a worker with after `failure`. A lost GPU device: planRecovery. A hung or
 * dead worker: the first time on the same engine (a one-off such as running out of memory
 * is likely); when the same kind of failure comes back, without the backend it ran on.
 * `earlier` counts the failures of this kind already met. Null: nothing is left to try.
 */
export function planRestart(
  backend: { name: BackendName; frameImport: { mode: FrameImport } },
  engine: EngineOptions,
  failure: Failure,
  earlier: number,
): RecoveryPlan | null {
  if (failure === 'gpu-lost') return planRecovery(backend, engine);
  if (earlier === 0) return { engine, change: '' };
  if (backend.name === 'cpu') return null;
  return { engine: { ...engine, avoid: [...(engine.avoid ?? []), backend.name] }, change: `${backend.name} is no longer used on this page` };
}
