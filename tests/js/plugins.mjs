// tests/js/plugins.mjs — helpers for tests that run the example WASI plugins
// (built into build/plugins/ by `make plugins`).
import { existsSync } from 'node:fs';

export function plugin(name) {
  const url = new URL(`../../build/plugins/${name}.wasm`, import.meta.url);
  if (!existsSync(url)) throw new Error(`${url.pathname} is missing: run \`make plugins\``);
  return url;
}

/** Async iterator over the lines of a byte stream (without the newline). */
export async function* lines(stream) {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered) yield buffered;
}

/** FNV-1a 32 over bytes, continuing from `hash`: what plugins/cksum.c prints. */
export function fnv1a(bytes, hash = 0x811c9dc5) {
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 16777619) >>> 0;
  return hash;
}
