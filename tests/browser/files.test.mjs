// tests/browser/files.test.mjs — plugins and files in each browser: the same
// scenarios as in Node (every preview1 file call from C, read-only mounts,
// quotas, escapes, poll, outputs back, file events, shared images) and mount
// trees made of Blobs and fetched URLs.
import assert from 'node:assert/strict';
import { browserTest, runPage } from './browser.mjs';
import { fileScenarios } from '../js/files-scenarios.mjs';
import { pandocScenarios } from '../js/pandoc-scenarios.mjs';

browserTest('plugin file scenarios in the browser', { timeout: 300_000 }, async (b) => {
  const r = await runPage(b, '/tests/browser/files.html', 280_000);
  for (const s of r.results) console.log(`# ${b.engine.name}: ${s.ok ? 'ok' : 'FAILED'} ${s.name}${s.ok ? ` (${s.ms} ms)` : `: ${s.error}`}`);
  for (const l of r.logs) console.log(`# ${b.engine.name}: ${l}`);
  assert.equal(r.crossOriginIsolated, true);
  assert.deepEqual(r.results.map((s) => s.name), [...fileScenarios, ...pandocScenarios].map((s) => s.name),
    'the page ran every scenario, once, in order');
  assert.deepEqual(r.results.filter((s) => !s.ok), []);
  assert.deepEqual(r.browserData, { exitCode: 0, stderr: 'sortlines: 2 lines\n', sorted: 'a\nb\n', page: '<!doctype html>' });
  assert.deepEqual(r.opfsData.failed, [], `fsops on an OPFS mount: ${r.opfsData.stderr}`);
  assert.equal(r.opfsData.exitCode, 0);
  assert.ok(r.opfsData.checks >= 60, `${r.opfsData.checks} checks on OPFS`);
  assert.equal(r.opfsData.sorted, 'apple\nfig\npear\n', 'a plugin wrote into OPFS; the page read it back');
});
