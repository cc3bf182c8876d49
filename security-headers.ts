// The HTTP headers the app is served with: `vite preview` and the dev server send them, and the
// built pages carry the Content-Security-Policy as a <meta> too, for a static host that sends
// nothing (a <meta> policy cannot carry frame-ancestors or reach workers, hence both).

/** Cross-origin isolation (SharedArrayBuffer), so the wasm backend runs with threads. require-corp:
 * same-origin and CORS responses load; weights imported from another origin are fetched with
 * CORS, which this allows. */
export const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The only hosts the app downloads from besides its own origin: the Hugging Face hub and its
 * file CDN (workers/contracts/plan.ts's downloadRefusal names them to the user). No imports here: Vite
 * loads this file with its config.
 */
export const DOWNLOAD_HOSTS = ['https://huggingface.co', 'https://*.hf.co'] as const;

/**
 * The policy. Scripts come from this origin only; 'wasm-unsafe-eval' lets TF.js compile its
 * WebAssembly (and nothing else: no eval). blob: in script-src and worker-src is what the threaded
 * wasm build needs: it starts its pthreads as workers from a blob: URL, and each loads the
 * build's script from a blob: with importScripts. Styles: Svelte's are in files, but the dev
 * server injects them as <style> elements, so only the dev server allows inline styles; it
 * also needs its hot-reload socket.
 */
export function contentSecurityPolicy(mode: 'build' | 'dev'): string {
  const dev = mode === 'dev';
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
    'worker-src': ["'self'", 'blob:'],
    'connect-src': ["'self'", ...DOWNLOAD_HOSTS, ...(dev ? ['ws:'] : [])],
    'img-src': ["'self'", 'blob:', 'data:'],
    'style-src': ["'self'", ...(dev ? ["'unsafe-inline'"] : [])],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
  };
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ');
}

export function headers(mode: 'build' | 'dev'): Record<string, string> {
  return { ...ISOLATION, 'Content-Security-Policy': contentSecurityPolicy(mode) };
}
