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
  assert.match(r.mute, /^FsError 29: the OPFS helper did not start: no answer in 200 ms, 3 times$/, 'a helper that never answers: IO');
  assert.ok(r.muteMs >= 600 && r.muteMs < 10_000, `... after three deadlines (${Math.round(r.muteMs)} ms)`);
  assert.match(r.stalled, /^FsError 29: the OPFS helper did not count the tree in 300 ms$/, 'a helper that never gets ready: IO');
  assert.ok(r.stalledMs >= 300 && r.stalledMs < 5_000, `... after its ready deadline (${Math.round(r.stalledMs)} ms)`);
});
