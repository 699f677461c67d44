// tests/js/chaos-soak.mjs — the long chaos run (`make soak`): 10^5 tasks of
// tests/js/chaos-scenarios.mjs through one coordinator, then close(). Memory
// must stay flat: the process's RSS (after a forced GC, with no task in
// flight) may grow by less than SOAK_RSS_SLACK_MB between the 10^4th and the
// last task, and the arena holds only the pool's own regions at each reading.
//   node --expose-gc tests/js/chaos-soak.mjs [TASKS] [SEED]
import { Coordinator } from 'sabq';
import { plugin } from './plugins.mjs';
import { runChaos, closeWithin, CHAOS_PLUGINS } from './chaos-scenarios.mjs';

const TASKS = Number(process.argv[2] ?? 100_000);
const SEED = Number(process.argv[3] ?? 1);
const CHUNK = 2_000; // tasks between readings (each run drains before the next)
const FIRST_READING = Math.min(10_000, TASKS);
const RSS_SLACK_MB = Number(process.env.SOAK_RSS_SLACK_MB ?? 5);

if (typeof globalThis.gc !== 'function') {
  console.error('chaos-soak: run with node --expose-gc');
  process.exit(2);
}

const mb = (bytes) => bytes / (1 << 20);
async function settledRss() {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return mb(process.memoryUsage().rss);
}

const c = await Coordinator.create({ workers: 3, taskTimeoutMs: 20_000 });
for (const name of CHAOS_PLUGINS) await c.load(name, plugin(name));
const env = { tasksUrl: new URL('./fixtures/tasks.mjs', import.meta.url), runs: new Int32Array(new SharedArrayBuffer(64)) };
const poolRegions = c.ctx.arena.inUse.size;
const t0 = performance.now();
const totals = { faults: {}, stages: 0, p99: [] };
let done = 0;
let rssAtFirst = null;
let rss = 0;
let failed = false;
while (done < TASKS && !failed) {
  const n = Math.min(CHUNK, TASKS - done);
  const s = await runChaos(c, { tasks: n, seed: SEED * 1_000_003 + done, env, deadlineMs: 60_000 });
  for (const [k, v] of Object.entries(s.faults)) totals.faults[k] = (totals.faults[k] ?? 0) + v;
  totals.stages += s.stages;
  totals.p99.push(s.settleMs.p99);
  done += s.tasks;
  for (const f of s.failures) {
    console.error(`FAILED ${f.job}: ${f.error}${f.state ? `\nstate: ${JSON.stringify(f.state)}` : ''}`);
    failed = true;
  }
  rss = await settledRss();
  const regions = c.ctx.arena.inUse.size;
  if (done >= FIRST_READING && rssAtFirst === null) rssAtFirst = rss;
  console.log(`chaos-soak: ${done} tasks, ${((performance.now() - t0) / 1000).toFixed(0)} s, rss ${rss.toFixed(1)} MiB, shared memory ${mb(c.memory.buffer.byteLength).toFixed(0)} MiB, arena regions ${regions} (pool ${poolRegions}), settle p99 ${s.settleMs.p99} ms`);
  if (regions !== poolRegions) {
    console.error(`chaos-soak: ${regions - poolRegions} regions still held with no task in flight: ${JSON.stringify(c.inspect())}`);
    failed = true;
  }
}
const closeMs = await closeWithin(c, 30_000);
const grew = rssAtFirst === null ? 0 : rss - rssAtFirst;
console.log(`chaos-soak: ${done} tasks (seed ${SEED}) in ${((performance.now() - t0) / 1000).toFixed(0)} s; faults ${JSON.stringify(totals.faults)}; ${totals.stages} pipeline stages checked; settle p99 per ${CHUNK} tasks: max ${Math.max(...totals.p99)} ms; close() ${closeMs.toFixed(0)} ms`);
console.log(`chaos-soak: rss at ${FIRST_READING} tasks ${rssAtFirst?.toFixed(1)} MiB, at ${done} ${rss.toFixed(1)} MiB: ${grew >= 0 ? '+' : ''}${grew.toFixed(1)} MiB (limit ${RSS_SLACK_MB})`);
if (grew >= RSS_SLACK_MB) {
  console.error('chaos-soak: memory grew');
  failed = true;
}
process.exit(failed ? 1 : 0);
