// tests/bundlers/vite.config.js — the app built by Vite 8, the newest Vite.
// Nothing here is for sabq: Vite bundles its workers, copies sabq.wasm and
// follows its import of the WASI shim by itself, in builds and in the dev
// server. What is here any app may set: `base: './'` so the build can be
// served from any folder (the test serves it from /build/bundlers/vite/), and
// the dev server's cross-origin isolation, which SharedArrayBuffer needs.
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default {
  root: here('app'),
  base: './',
  build: { outDir: here('../../build/bundlers/vite'), emptyOutDir: true },
  server: {
    headers: {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
};
