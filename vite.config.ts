import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import type { Plugin } from 'vite';
import { contentSecurityPolicy, headers } from './security-headers.ts';
import { PRECACHED_WEIGHTS } from './models/precache.ts';

/** The policy as a <meta> in every built page (index.html, bench.html), for static hosts. */
function cspMeta(): Plugin {
  let mode: 'build' | 'dev' = 'build';
  return {
    name: 'convcam-csp-meta',
    configResolved(c) {
      mode = c.command === 'serve' ? 'dev' : 'build';
    },
    transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy(mode) }, injectTo: 'head-prepend' }],
  };
}

export default defineConfig({
  plugins: [
    cspMeta(),
    svelte(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      includeAssets: ['icon.svg', 'icons/*.png'],
      manifest: {
        name: 'ConvCam: CNNs on your camera',
        short_name: 'ConvCam',
        description: 'Real-time camera image classification with CNNs, on your device, offline.',
        theme_color: '#111418',
        background_color: '#111418',
        display: 'standalone',
        start_url: '.',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-512-maskable.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The app shell, the worker, the wasm backends and the embedded model.
        // Of the shipped weights, only the default model's: the others are cached the first time
        // they run (runtimeCaching below) or by "Make all available offline".
        globPatterns: ['**/*.{js,css,html,svg,png,wasm,webmanifest}', ...PRECACHED_WEIGHTS],
        // The benchmark page (npm run bench) is not part of the app.
        globIgnores: ['bench.html', 'assets/bench-*.js', '_bench/**'],
        runtimeCaching: [
          {
            // The cache name is also read by src/lib/shipped-models.svelte.ts.
            urlPattern: ({ url }) => url.pathname.includes('/models/') && url.pathname.endsWith('.safetensors'),
            handler: 'CacheFirst',
            options: { cacheName: 'convcam-models' },
          },
        ],
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        navigateFallback: 'index.html',
        // The first visit's page is taken over at once, so it is offline-ready without a reload.
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  // No name mangling: tfjs-backend-wasm's threaded build starts its pthread workers from the
  // source text of a bundled function (Function.prototype.toString), which mangled names break.
  worker: { format: 'es', rollupOptions: { output: { minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } } } } },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // bench.html: the model-only benchmark page that npm run bench drives.
    rollupOptions: { input: { index: 'index.html', bench: 'bench.html' }, output: { minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } } } },
  },
  server: { headers: headers('dev') },
  preview: { port: 4173, strictPort: true, headers: headers('build') },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
