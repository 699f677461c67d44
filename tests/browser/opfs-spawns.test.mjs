// tests/browser/opfs-spawns.test.mjs — the short form of `make stress-opfs`:
// 40 spawns with an OPFS mount in each browser, none hung or failed. (Before
// the helpers were started by the page, Firefox hung about one in twenty.)
import assert from 'node:assert/strict';
import { browserTest, runPage } from './browser.mjs';

browserTest('spawns with an OPFS mount all end', { timeout: 180_000 }, async (b) => {
  const r = await runPage(b, '/tests/browser/opfs-spawns.html?n=40', 170_000);
  console.log(`# ${b.engine.name}: ${r.spawns} OPFS spawns in ${r.seconds.toFixed(1)} s, median ${Math.round(r.medianMs)} ms, ` +
    `longest ${Math.round(r.maxMs)} ms, ${r.hung.length} hung, ${r.failed.length} failed`);
  assert.deepEqual(r.hung, [], 'spawns that did not end within 20 s');
  assert.deepEqual(r.failed, []);
});
