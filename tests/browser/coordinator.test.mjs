// tests/browser/coordinator.test.mjs — the coordinator in Chromium: the same
// scenarios as in Node (interactive stdin, EOF, 100 MB pipeline, host calls,
// nested plugins, 1000 tasks with failures), a host handler using fetch(), and
// no main-thread task over 50 ms while four workers block or compute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, runPage } from './browser.mjs';

test('coordinator scenarios in Chromium, with a responsive page', { timeout: 400_000 }, async () => {
  const b = await openBrowser();
  try {
    const r = await runPage(b, '/tests/browser/coordinator.html', 380_000);
    for (const s of r.results) console.log(`# ${s.ok ? 'ok' : 'FAILED'} ${s.name}${s.ok ? ` (${s.ms} ms)` : `: ${s.error}`}`);
    for (const l of r.logs) console.log(`# ${l}`);
    console.log(`# long tasks: ${JSON.stringify(r.longTasks)}`);
    assert.equal(r.crossOriginIsolated, true);
    assert.deepEqual(r.results.filter((s) => !s.ok), []);
    assert.equal(r.viaFetch.exitCode, 0, r.viaFetch.stderr);
    assert.match(r.viaFetch.stdout, /^\d+ <!doctype html>/, 'a plugin read a fetch() response through fd_read');
    assert.deepEqual(r.longTasks.filter((ms) => ms > 50), [], 'no main-thread task over 50 ms');
  } finally {
    await b.close();
  }
});
