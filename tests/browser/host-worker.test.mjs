// tests/browser/host-worker.test.mjs — host handlers in a worker of their own,
// in each browser: the same scenarios as in Node (a handler that blocks, calls
// wasm, throws, never returns until the task's timeout, is cancelled, crashes
// its worker; grants, limits and nested runs), and no main-thread stall.
import assert from 'node:assert/strict';
import { browserTest, runPage, assertResponsive } from './browser.mjs';

browserTest('host handlers in a worker, with a responsive page', { timeout: 300_000 }, async (b) => {
  const r = await runPage(b, '/tests/browser/host-worker.html', 280_000);
  for (const s of r.results) console.log(`# ${b.engine.name}: ${s.ok ? 'ok' : 'FAILED'} ${s.name}${s.ok ? ` (${s.ms} ms)` : `: ${s.error}`}`);
  for (const l of r.logs) console.log(`# ${b.engine.name}: ${l}`);
  assert.equal(r.crossOriginIsolated, true);
  assert.deepEqual(r.results.filter((s) => !s.ok), []);
  assertResponsive(b, r.responsiveness);
});
