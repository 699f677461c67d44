// tests/browser/threads.test.mjs — in each browser, a coordinator thread
// that terminate() has stopped writes nothing more (tests/browser/
// threads-page.js): the arena hands its memory out again only then. Without
// this, Chromium's terminated worker ran on for 2 s and wrote a timed-out
// plugin's output into the next task's pipes (exit 0, output lost).
import assert from 'node:assert/strict';
import { browserTest, runPage } from './browser.mjs';

browserTest('a terminated thread writes nothing after terminate() resolved', { timeout: 60_000 }, async (b) => {
  const r = await runPage(b, '/tests/browser/threads.html', 50_000);
  console.log(`# ${b.engine.name}: ${JSON.stringify(r.woken)}`);
  assert.equal(r.crossOriginIsolated, true);
  for (const [i, w] of r.woken.entries()) assert.equal(w.later, w.atStop, `round ${i}: the thread counted on after terminate() resolved`);
  // Without Web Locks, terminate() resolves after threads.js's grace period (3 s).
  const noLocks = r.woken.filter((w) => !w.locks);
  assert.equal(noLocks.length, 1);
  assert.ok(noLocks[0].stopMs >= 2900, `without Web Locks terminate() waited ${noLocks[0].stopMs} ms`);
  assert.equal(r.unsentGotMemory, false, 'a thread terminated before it said its lock was sent its memory');
});
