// tests/browser/foreign.test.mjs — sabq stdio (sabq/wasi) under WASI runtimes
// other than sabq's own, in each browser: @tybys/wasm-util and
// browser_wasi_shim each run a program that blocks in fd_read on a sabq pipe
// the page fills, and poll()s it.
import assert from 'node:assert/strict';
import { browserTest, runPage } from './browser.mjs';

browserTest('other WASI runtimes with sabq stdio, in the browser', { timeout: 120_000 }, async (b) => {
  const r = await runPage(b, '/tests/browser/foreign.html', 100_000);
  for (const s of r.results) console.log(`# ${b.engine.name}: ${s.ok ? 'ok' : 'FAILED'} ${s.runtime}${s.ok ? '' : `: ${s.error}`}`);
  assert.deepEqual(r.results.map((s) => s.runtime), ['wasm-util', 'shim'], 'the page ran both runtimes');
  assert.deepEqual(r.results.filter((s) => !s.ok), []);
});
