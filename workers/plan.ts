// Pure logic, unit-tested: which backends to try, in which order.
import { BACKEND_ORDER, type BackendName } from './protocol';

export function planBackends(requested?: string | null): { order: BackendName[]; note?: string } {
  if (!requested) return { order: [...BACKEND_ORDER] };
  const r = requested.toLowerCase() as BackendName;
  if (!BACKEND_ORDER.includes(r)) {
    return {
      order: [...BACKEND_ORDER],
      note: `Unknown backend "${requested}" (choose ${BACKEND_ORDER.join(', ')}); using the default order:`,
    };
  }
  // The forced backend first; if it cannot start, fall back in the usual order.
  return { order: [r, ...BACKEND_ORDER.filter((b) => b !== r)] };
}
