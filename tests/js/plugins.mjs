// tests/js/plugins.mjs — helpers for tests that run the example WASI plugins
// (built into build/plugins/ by `make plugins`).
import { existsSync } from 'node:fs';

export function plugin(name) {
  const url = new URL(`../../build/plugins/${name}.wasm`, import.meta.url);
  if (!existsSync(url)) throw new Error(`${url.pathname} is missing: run \`make plugins\``);
  return url;
}
