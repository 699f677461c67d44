// tests/browser/coordinator.test.mjs — the coordinator in each browser: the
// same scenarios as in Node (interactive stdin, EOF, 100 MB pipeline, host
// calls, nested plugins, 1000 tasks with failures), a host handler using
// fetch(), and no main-thread stall over 50 ms while four workers block or
// compute.
import assert from 'node:assert/strict';
import { browserTest, runPage, assertResponsive } from './browser.mjs';
import { scenarios } from '../js/coordinator-scenarios.mjs';

browserTest('coordinator scenarios, with a responsive page', { timeout: 400_000 }, async (b) => {
  const r = await runPage(b, '/tests/browser/coordinator.html', 380_000);
  for (const s of r.results) console.log(`# ${b.engine.name}: ${s.ok ? 'ok' : 'FAILED'} ${s.name}${s.ok ? ` (${s.ms} ms)` : `: ${s.error}`}`);
  for (const l of r.logs) console.log(`# ${b.engine.name}: ${l}`);
  assert.equal(r.crossOriginIsolated, true);
  assert.deepEqual(r.results.map((s) => s.name), scenarios.map((s) => s.name), 'the page ran every scenario, once, in order');
  assert.deepEqual(r.results.filter((s) => !s.ok), []);
  assert.equal(r.viaFetch.exitCode, 0, r.viaFetch.stderr);
  assert.match(r.viaFetch.stdout, /^\d+ <!doctype html>/, 'a plugin read a fetch() response through fd_read');
  assertResponsive(b, r.responsiveness);
});
