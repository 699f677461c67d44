// tests/bundlers/vite6.config.js — the same app built by Vite 6 (and 7: both
// bundle with Rollup), which needs two settings for sabq (docs/plugins.md,
// Bundlers). Everything else is vite.config.js.
import { fileURLToPath } from 'node:url';
import app from './vite.config.js';

export default {
  ...app,
  build: { ...app.build, outDir: fileURLToPath(new URL('../../build/bundlers/vite6', import.meta.url)) },
  // sabq's compute worker imports the WASI shim with import(), so the worker
  // is split into chunks, and Rollup splits no 'iife' bundle (Vite's default
  // format for workers): "UMD and IIFE output formats are not supported for
  // code-splitting builds". Module workers run in every browser sabq needs.
  worker: { format: 'es' },
  // Dev server only: Vite 6 would pre-bundle sabq into one file elsewhere,
  // where `new URL('../sabq.wasm', import.meta.url)` finds no sabq.wasm.
  optimizeDeps: { exclude: ['sabq'] },
};
