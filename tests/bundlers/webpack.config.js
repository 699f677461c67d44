// tests/bundlers/webpack.config.js — the app built by webpack 5. Nothing here
// is for sabq: webpack bundles its workers (written as
// `new Worker(new URL('./x.js', import.meta.url), ...)`), copies sabq.wasm
// (`new URL('../sabq.wasm', import.meta.url)`) and follows its import of the
// WASI shim. The bundle goes to js/main.js, where the app's page loads it.
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export default {
  mode: 'production',
  context: here('app'),
  entry: './js/main.js',
  output: { path: here('../../build/bundlers/webpack'), filename: 'js/main.js', clean: true },
};
