// tests/browser/jspi.test.mjs — the reason docs/embedding.md gives for
// blocking in a worker rather than suspending with JSPI, checked in each
// browser: JSPI suspends a wasm stack, and fails with SuspendError once a
// JavaScript frame sits between the promising export and the suspending import.
import assert from 'node:assert/strict';
import { browserTest, runPage } from './browser.mjs';

browserTest('JSPI cannot suspend through a JavaScript frame', { timeout: 60_000 }, async (b) => {
  const r = await runPage(b, '/tests/browser/jspi.html', 30_000);
  console.log(`# ${b.engine.name}: through JS: ${JSON.stringify(r.throughJs)}`);
  assert.equal(r.direct, 42, 'a stack of wasm frames suspends and resumes');
  assert.equal(r.throughJs.error, 'SuspendError', 'with a JavaScript frame in it, it cannot');
});
