// tests/browser/wasip1.test.mjs — the corners of WASI preview1 in each browser:
// the scenarios of the Node suite (rights, directory fds, hard links, sockets'
// errors, every call with bad arguments; from C and from Rust's std) on memory
// mounts, image overlays and OPFS (tests/browser/wasip1-page.js).
import assert from 'node:assert/strict';
import { browserTest, runPage } from './browser.mjs';

browserTest('WASI preview1 corners in the browser: rights, directory fds, hard links, sockets, bad arguments', { timeout: 300_000 }, async (b) => {
  const r = await runPage(b, '/tests/browser/wasip1.html', 280_000);
  for (const s of r.results) console.log(`# ${b.engine.name}: ${s.ok ? 'ok' : 'FAILED'} ${s.name}${s.ok ? ` (${s.ms} ms)` : `: ${s.error}`}`);
  for (const l of r.logs) console.log(`# ${b.engine.name}: ${l}`);
  assert.equal(r.crossOriginIsolated, true);
  assert.deepEqual(r.results.filter((s) => !s.ok), []);
  assert.equal(r.results.length, 3 * 6 + 4, 'every scenario ran: six per kind of mount (memory, overlay, OPFS), and four more (read-only image, across mounts)');
});
