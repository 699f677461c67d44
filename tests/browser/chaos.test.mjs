// tests/browser/chaos.test.mjs — the chaos run (tests/js/chaos-scenarios.mjs)
// in each browser: mixed tasks with every fault at once, every output and
// stage outcome checked, every task and close() within a deadline.
// SABQ_CHAOS_BROWSER_TASKS and SABQ_CHAOS_SEED change the run.
import assert from 'node:assert/strict';
import { browserTest, runPage } from './browser.mjs';

const TASKS = Number(process.env.SABQ_CHAOS_BROWSER_TASKS ?? 150);
const SEED = Number(process.env.SABQ_CHAOS_SEED ?? Date.now() % 1e6);

browserTest(`chaos: ${TASKS} mixed tasks with every fault at once; every promise settles, close() too`, { timeout: 300_000 }, async (b) => {
  const r = await runPage(b, `/tests/browser/chaos.html?tasks=${TASKS}&seed=${SEED}`, 280_000);
  for (const l of r.logs) console.log(`# ${b.engine.name}: ${l}`);
  console.log(`# ${b.engine.name}: close() settled in ${r.closeMs.toFixed(0)} ms`);
  for (const f of r.summary.failures) console.log(`# ${b.engine.name}: FAILED ${f.job}: ${f.error}${f.state ? `\n# state: ${JSON.stringify(f.state)}` : ''}`);
  assert.deepEqual(r.summary.failures.map((f) => `${f.job}: ${f.error.split('\n')[0]}`), [], `seed ${SEED}: replay with SABQ_CHAOS_SEED=${SEED}`);
  assert.equal(r.summary.tasks, TASKS);
  assert.equal(r.regionsLeft, 1, 'after close() every region but the dispatch queue is back in the arena');
});
