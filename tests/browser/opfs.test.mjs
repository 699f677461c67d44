// tests/browser/opfs.test.mjs — the OPFS file system (wasi/fs/opfs.js) in each
// browser: a worker mounts OPFS directories and runs every operation
// synchronously, without an event-loop turn; the page then checks through the
// async OPFS API what those calls left (tests/browser/opfs-page.js).
import assert from 'node:assert/strict';
import { browserTest, runPage } from './browser.mjs';

browserTest('OPFS mounted synchronously in a worker, checked by the page', { timeout: 240_000 }, async (b) => {
  const r = await runPage(b, '/tests/browser/opfs.html', 220_000);
  const f = r.figures;
  const d = r.direct;
  console.log(`# ${b.engine.name} OPFS: round trip ${f.roundTripUs.toFixed(1)} µs (1-byte read), stat ${f.statUs.toFixed(1)} µs, ` +
    `lookup of a missing name ${f.lookupMissUs.toFixed(1)} µs, ${Math.round(f.createPerSecond)} small files/s ` +
    `(create+write+close), write ${Math.round(f.writeMBs)} MB/s, read ${Math.round(f.readMBs)} MB/s (1 MiB calls); ` +
    `directories ${r.engineMovesDirs ? 'moved by the engine' : 'with entries are XDEV to rename'}`);
  console.log(`# ${b.engine.name} OPFS without sabq (async, in the worker): ${Math.round(d.createPerSecond)} small files/s, ` +
    `write ${Math.round(d.writeMBs)} MB/s, read ${Math.round(d.readMBs)} MB/s`);
  assert.equal(r.crossOriginIsolated, true);
  assert.deepEqual(r.failures, []);
  assert.equal(r.eventLoopTurns, 0, 'every call returned without the worker\'s event loop');
  assert.equal(r.found, r.expected, 'what the page finds in OPFS');
  assert.equal(r.leftOver, false);
  assert.match(r.onPage, /^FsError 58: .*main thread/, 'refused on the page\'s main thread (NOTSUP)');
});
