// tests/browser/demo.test.mjs — the browser demo (examples/browser/) in each
// browser, scripted: an interactive plugin answering 200 lines typed into its
// stdin, a three-plugin pipeline and CPU-heavy plugins on every worker, while
// the page animates. The page may not stall over 50 ms meanwhile.
import assert from 'node:assert/strict';
import { browserTest, runPage, assertResponsive } from './browser.mjs';

browserTest('demo page: plugins blocked in fd_read or computing never stall the page', { timeout: 240_000 }, async (b) => {
  const r = await runPage(b, '/examples/browser/?auto=1');
  console.log(`# ${b.engine.name} demo: ${Math.round(r.ms)} ms, ${r.frames} frames, worst frame ${r.worstFrameMs.toFixed(1)} ms`);
  assert.equal(r.crossOriginIsolated, true);
  assert.deepEqual(r.calcAnswers, r.calcExpected, 'calc answered every line, in order');
  let lines = 0;
  let bytes = 0;
  for (let i = 1; i <= 300000; i++) if (String(i).includes('7')) { lines++; bytes += String(i).length + 1; }
  assert.equal(r.pipeline, `${lines} ${lines} ${bytes}`, 'gen 300000 | grep 7 | wc');
  assert.ok(r.primes.every((p) => p === r.primes[0] && Number(p) > 0), 'every primes task agrees');
  assertResponsive(b, r.responsiveness);
});
