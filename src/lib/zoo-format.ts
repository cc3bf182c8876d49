/** Sizes as the hub shows them (decimal): "22 MB", "9.8 MB", "553 MB". */
export function formatMB(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e7 ? `${Math.round(n / 1e6)} MB` : `${(n / 1e6).toFixed(1)} MB`;
}
