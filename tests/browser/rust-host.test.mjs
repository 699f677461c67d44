// tests/browser/rust-host.test.mjs — the Rust host (examples/rust/) in each
// browser: the same scenarios as in Node, its module blocking in a Web Worker
// while the page, which never blocks, feeds it and reads its answers.
import assert from 'node:assert/strict';
import { browserTest, runPage, assertResponsive } from './browser.mjs';
import { rustHostScenarios } from '../js/rust-host-scenarios.mjs';

browserTest('the Rust host serves the page from its worker', { timeout: 180_000 }, async (b) => {
  const r = await runPage(b, '/tests/browser/rust-host.html', 160_000);
  for (const s of r.results) console.log(`# ${b.engine.name}: ${s.ok ? 'ok' : 'FAILED'} ${s.name}${s.ok ? ` (${s.ms} ms)` : `: ${s.error}`}`);
  assert.equal(r.crossOriginIsolated, true);
  assert.deepEqual(r.results.map((s) => s.name), rustHostScenarios.map((s) => s.name));
  assert.deepEqual(r.results.filter((s) => !s.ok), []);
  assertResponsive(b, r.responsiveness);
});
