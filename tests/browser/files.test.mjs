// tests/browser/files.test.mjs — plugins and files in the browser: the same
// scenarios as in Node (every preview1 file call from C, read-only mounts,
// quotas, escapes, poll, outputs back, file events, shared images) and mount
// trees made of Blobs and fetched URLs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, runPage } from './browser.mjs';

test('plugin file scenarios in the browser', { timeout: 300_000 }, async () => {
  const b = await openBrowser();
  try {
    const r = await runPage(b, '/tests/browser/files.html', 280_000);
    for (const s of r.results) console.log(`# ${s.ok ? 'ok' : 'FAILED'} ${s.name}${s.ok ? ` (${s.ms} ms)` : `: ${s.error}`}`);
    for (const l of r.logs) console.log(`# ${l}`);
    assert.equal(r.crossOriginIsolated, true);
    assert.deepEqual(r.results.filter((s) => !s.ok), []);
    assert.equal(r.results.length > 8, true);
    assert.deepEqual(r.browserData, { exitCode: 0, stderr: 'sortlines: 2 lines\n', sorted: 'a\nb\n', page: '<!doctype html>' });
    assert.deepEqual(b.errors, [], 'no page or console errors');
  } finally {
    await b.close();
  }
});
