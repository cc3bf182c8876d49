import { etaSeconds } from '../../workers/contracts/hub';
import { formatDuration } from './stats';

/** Sizes as the hub shows them (decimal): "22 MB", "9.8 MB", "553 MB". */
export function formatMB(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e7 ? `${Math.round(n / 1e6)} MB` : `${(n / 1e6).toFixed(1)} MB`;
}

/** The rest of a download at `rate`, as the Train view writes durations ("2 min 10 s"); '' when unknown. */
export function formatEta(loaded: number, total: number, rate: number): string {
  const s = etaSeconds(loaded, total, rate);
  return s === null ? '' : formatDuration(s);
}
