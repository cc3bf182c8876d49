// The weights the service worker installs with the app: the default model's, so it works
// offline at once. Every other shipped file is cached on first use. vite.config.ts reads
// this list (it cannot import the cards: Vite's config loader wants no extensionless
// imports); tests/unit/cards.test.ts checks it against the cards marked `precache`.
export const PRECACHED_WEIGHTS: readonly string[] = ['models/cifar10-airbench/weights.safetensors'];
