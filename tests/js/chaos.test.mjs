// tests/js/chaos.test.mjs — the chaos run of tests/js/chaos-scenarios.mjs in
// Node: a few hundred tasks of every kind with every fault at once (3 workers,
// 120 in flight), each output and stage outcome checked, a deadline on every
// task and on close(). SABQ_CHAOS_TASKS and SABQ_CHAOS_SEED change the run
// (make soak runs the long form: tests/js/chaos-soak.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator } from 'sabq';
import { plugin } from './plugins.mjs';
import { runChaos, closeWithin, CHAOS_PLUGINS } from './chaos-scenarios.mjs';

const TASKS = Number(process.env.SABQ_CHAOS_TASKS ?? 400);
const SEED = Number(process.env.SABQ_CHAOS_SEED ?? Date.now() % 1e6);

test(`chaos: ${TASKS} mixed tasks with every fault at once; nothing lost, every promise settles, close() too`, { timeout: 600_000 }, async () => {
  const c = await Coordinator.create({ workers: 3, taskTimeoutMs: 20_000 });
  for (const name of CHAOS_PLUGINS) await c.load(name, plugin(name));
  const env = { tasksUrl: new URL('./fixtures/tasks.mjs', import.meta.url), runs: new Int32Array(new SharedArrayBuffer(64)) };
  let summary;
  try {
    summary = await runChaos(c, { tasks: TASKS, seed: SEED, env, deadlineMs: 60_000, log: (m) => console.log(`# ${m}`) });
  } finally {
    const ms = await closeWithin(c, 30_000);
    console.log(`# close() settled in ${ms.toFixed(0)} ms`);
  }
  for (const f of summary.failures) console.log(`# FAILED ${f.job}: ${f.error}${f.state ? `\n# state: ${JSON.stringify(f.state)}` : ''}`);
  assert.deepEqual(summary.failures.map((f) => `${f.job}: ${f.error.split('\n')[0]}`), [], `seed ${SEED}: replay with SABQ_CHAOS_SEED=${SEED}`);
  assert.equal(summary.tasks, TASKS);
  assert.equal(c.ctx.arena.inUse.size, 1, 'after close() every region but the dispatch queue is back in the arena');
});
