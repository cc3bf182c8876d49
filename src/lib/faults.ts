// Test-only: with ?faults in the page's URL, the end-to-end tests reach each worker's
// injectFault (workers/engine/faults.ts) through window.convcamFaults, by the worker's name
// ('live', 'compare:<model id>', 'train'). Without the flag nothing is registered and the
// workers refuse every fault, so ordinary use cannot trip one.
import type { Fault } from '../../workers/contracts/inference-protocol';

export const FAULTS_ON = new URLSearchParams(globalThis.location?.search ?? '').has('faults');

type Inject = (fault: Fault) => Promise<void>;
const targets = new Map<string, Inject>();

export interface FaultConsole {
  names(): string[];
  inject(name: string, fault: Fault): Promise<void>;
}

if (FAULTS_ON) {
  const api: FaultConsole = {
    names: () => [...targets.keys()],
    inject: (name, fault) => targets.get(name)?.(fault) ?? Promise.reject(new Error(`No worker named ${name} (have: ${[...targets.keys()].join(', ')}).`)),
  };
  (globalThis as { convcamFaults?: FaultConsole }).convcamFaults = api;
}

/** Registers a worker under `name` (with ?faults only); returns the unregistering function. */
export function faultTarget(name: string, inject: Inject): () => void {
  if (!FAULTS_ON) return () => {};
  targets.set(name, inject);
  return () => {
    if (targets.get(name) === inject) targets.delete(name);
  };
}
