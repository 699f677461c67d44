// tests/browser/rings.test.mjs — the rings in each browser: a page and two Web
// Workers exchange 10^6 messages through each ring kind (tests/browser/
// rings-page.js); the page is cross-origin isolated, never stalls over 50 ms,
// and a blocking call on it throws instead of freezing it.
import assert from 'node:assert/strict';
import { browserTest, runPage, assertResponsive } from './browser.mjs';

const N = 1_000_000;

browserTest('page and two workers: 10^6 messages through each ring kind', { timeout: 300_000 }, async (b) => {
  const r = await runPage(b, '/tests/browser/rings.html', 280_000);
  console.log(`# ${b.engine.name}: spsc w→w ${r.spsc.perSecond}/s, pipe w→w ${r.pipe.writesPerSecond} writes/s, ` +
    `mpmc 2 workers→page ${r.mpmc.perSecond}/s, page↔worker echo ${r.echo.perSecond}/s`);
  assert.equal(r.crossOriginIsolated, true);
  assert.deepEqual(r.spsc, { ...r.spsc, sent: N, received: N, inOrder: true });
  assert.equal(r.pipe.read, 16 * N);
  assert.equal(r.pipe.written, 16 * N);
  assert.equal(r.mpmc.received, N);
  assert.deepEqual(r.mpmc.perProducer, [N / 2, N / 2]);
  assert.equal(r.echo.received, N);
  assert.equal(r.echo.echoed, N);
  assert.equal(r.blocking.threw, true, 'a blocking call on the main thread must throw');
  assert.equal(r.blocking.isSabqError, true);
  assert.equal(r.blocking.code, 'EDEADLK');
  assert.equal(r.blocking.canBlock, false, 'canBlock() says so on the main thread');
  assert.ok(r.blocking.sendRefused, 'a blocking send on the main thread throws EDEADLK');
  assert.ok(r.blocking.nothingSent, 'and sends nothing');
  assert.match(r.blocking.message, /main thread/i);
  assertResponsive(b, r.responsiveness);
});
