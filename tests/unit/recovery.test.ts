// restartAfter, with a stand-in for the worker bridge: the order of restarts, the notice, and
// the bound, for a lost device, a hang and a crash.
import { describe, expect, it } from 'vitest';
import { restartAfter, type Restartable } from '../../src/lib/recovery';
import { GPU_LOST, namedError, WORKER_DIED, WORKER_HUNG, type EngineOptions, type InferenceBackend } from '../../workers/contracts/inference-protocol';
import type { Bridge } from '../../src/lib/bridge';

function backend(name: InferenceBackend['name'], mode: 'bitmap' | 'external-texture' = 'bitmap'): InferenceBackend {
  return { name, reason: name, attempts: [], canTrain: true, frameImport: { mode, why: 'test' } };
}

/** A host whose worker starts on the first backend the engine does not avoid, as chooseBackend would. */
function host(start: InferenceBackend, initFails: (engine: EngineOptions) => Error | null = () => null) {
  const inits: EngineOptions[] = [];
  let restarts = 0;
  const bridge = {
    restart: () => void restarts++,
    init: async (engine: EngineOptions) => {
      inits.push(engine);
      const e = initFails(engine);
      if (e) throw e;
      const usable = (['webgpu', 'webgl', 'wasm', 'cpu'] as const).filter((b) => !engine.avoid?.includes(b));
      const name = usable.find((b) => b === engine.backend) ?? usable[0]!;
      return backend(name, engine.frameImport === 'bitmap' || name !== 'webgpu' ? 'bitmap' : 'external-texture');
    },
  } as unknown as Bridge;
  const h: Restartable = { bridge, backend: start, engine: {}, failures: new Map() };
  return { h, inits, restarts: () => restarts };
}

describe('restartAfter', () => {
  it('after a lost device, restarts with bitmaps, then without WebGPU when it is lost again while reloading', async () => {
    const { h, inits } = host(backend('webgpu', 'external-texture'));
    const notices: string[] = [];
    let reloads = 0;
    await restartAfter(h, namedError(GPU_LOST, 'The WebGPU device was lost (destroyed).'), () => {}, async (n) => {
      notices.push(n);
      if (reloads++ === 0) throw namedError(GPU_LOST, 'The WebGPU device was lost (again).');
    });
    const reason = { frameImport: 'bitmap', frameImportReason: 'the WebGPU device was lost while camera frames were imported as textures' };
    expect(inits).toEqual([reason, { ...reason, avoid: ['webgpu'] }]);
    expect(notices).toEqual([
      "The WebGPU device was lost (destroyed). The model's worker was restarted and camera frames now go to WebGPU as bitmaps; it runs on webgpu.",
      "The WebGPU device was lost (again). The model's worker was restarted and WebGPU is no longer used on this page; it runs on webgl.",
    ]);
    expect(h.backend?.name).toBe('webgl');
  });

  it('after a hang restarts on the same engine; after a second hang, without that backend', async () => {
    const { h, inits } = host(backend('wasm'));
    h.engine = { backend: 'wasm' };
    const hung = namedError(WORKER_HUNG, 'It did not answer.');
    await restartAfter(h, hung, () => {}, async () => {});
    expect(inits.at(-1)).toEqual({ backend: 'wasm' });
    await restartAfter(h, hung, () => {}, async () => {});
    expect(inits.at(-1)).toEqual({ backend: 'wasm', avoid: ['wasm'] });
  });

  it('counts hangs and crashes apart', async () => {
    const { h, inits } = host(backend('webgl'));
    await restartAfter(h, namedError(WORKER_HUNG, 'hung'), () => {}, async () => {});
    await restartAfter(h, namedError(WORKER_DIED, 'died'), () => {}, async () => {});
    expect(inits).toEqual([{}, {}]);
  });

  it('gives up with the failure when nothing is left, and words a restart that itself failed', async () => {
    const { h } = host(backend('cpu'));
    h.failures.set('died', 1);
    const died = namedError(WORKER_DIED, 'It died.');
    await expect(restartAfter(h, died, () => {}, async () => {})).rejects.toBe(died);
    const { h: h2 } = host(backend('wasm'), () => new Error('no backend'));
    await expect(restartAfter(h2, died, () => {}, async () => {})).rejects.toThrow("It died. Restarting the model's worker failed: no backend");
  });

  it('is bounded even if every restart fails the same way', async () => {
    const { h, restarts } = host(backend('webgpu', 'external-texture'), () => namedError(GPU_LOST, 'lost at start'));
    await expect(restartAfter(h, namedError(GPU_LOST, 'lost'), () => {}, async () => {})).rejects.toThrow('lost at start');
    expect(restarts()).toBeLessThanOrEqual(6);
  });
});
