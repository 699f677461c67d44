// tests/js/chaos-soak.mjs — the long chaos run (`make soak`): 10^5 tasks of
// tests/js/chaos-scenarios.mjs through one coordinator, then close(). Memory
// must stay flat. At each reading (after a forced GC, no task in flight):
//  - the arena holds only the pool's own regions;
//  - RSS is split in two (Linux, /proc/self/smaps): the pages of the shared
//    WebAssembly memory, and everything else. A page of the shared memory
//    counts in RSS from the first time any ring on it is written, and stays
//    (wasm memory never shrinks): that part rises towards the arena's high
//    water mark as rings land on new offsets, and is bounded by the memory's
//    size, which must not grow after the 10^4th task. Everything else (JS
//    heaps, workers, native allocations) may grow by less than
//    SOAK_RSS_SLACK_MB between the 10^4th and the last task, each end taken
//    as the median of three readings, since a single reading moves by a few
//    MB with worker churn.
//   node --expose-gc tests/js/chaos-soak.mjs [TASKS] [SEED]
import { readFileSync } from 'node:fs';
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

/** Resident MiB of the mapping(s) of exactly `bytes` (the shared memory), or
 * null where /proc/self/smaps is not there. */
function sharedResident(bytes) {
  let smaps;
  try {
    smaps = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return null;
  }
  let size = 0;
  let kb = 0;
  for (const line of smaps.split('\n')) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (range) size = parseInt(range[2], 16) - parseInt(range[1], 16);
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && size === bytes) kb += Number(rss[1]);
  }
  return kb / 1024;
}

async function settledMemory(memoryBytes) {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const rss = mb(process.memoryUsage().rss);
  const shared = sharedResident(memoryBytes) ?? 0;
  return { rss, shared, rest: rss - shared };
}

const median3 = (xs) => [...xs].sort((a, b) => a - b)[1];

const c = await Coordinator.create({ workers: 3, taskTimeoutMs: 20_000 });
for (const name of CHAOS_PLUGINS) await c.load(name, plugin(name));
const env = { tasksUrl: new URL('./fixtures/tasks.mjs', import.meta.url), runs: new Int32Array(new SharedArrayBuffer(64)) };
const poolRegions = c.ctx.arena.inUse.size;
const t0 = performance.now();
const totals = { faults: {}, stages: 0, p99: [] };
let done = 0;
const readings = []; // { done, rest, memory } from the 10^4th task on
let mem = null;
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
  const memoryBytes = c.memory.buffer.byteLength;
  mem = await settledMemory(memoryBytes);
  const regions = c.ctx.arena.inUse.size;
  if (done >= FIRST_READING) readings.push({ done, rest: mem.rest, memory: memoryBytes });
  console.log(`chaos-soak: ${done} tasks, ${((performance.now() - t0) / 1000).toFixed(0)} s, rss ${mem.rss.toFixed(1)} MiB = shared memory pages ${mem.shared.toFixed(1)} (of ${mb(memoryBytes).toFixed(0)} MiB) + the rest ${mem.rest.toFixed(1)}, arena regions ${regions} (pool ${poolRegions}), settle p99 ${s.settleMs.p99} ms`);
  if (regions !== poolRegions) {
    console.error(`chaos-soak: ${regions - poolRegions} regions still held with no task in flight: ${JSON.stringify(c.inspect())}`);
    failed = true;
  }
}
const closeMs = await closeWithin(c, 30_000);
console.log(`chaos-soak: ${done} tasks (seed ${SEED}) in ${((performance.now() - t0) / 1000).toFixed(0)} s; faults ${JSON.stringify(totals.faults)}; ${totals.stages} pipeline stages checked; settle p99 per ${CHUNK} tasks: max ${Math.max(...totals.p99)} ms; close() ${closeMs.toFixed(0)} ms`);
if (readings.length >= 6) {
  const first = median3(readings.slice(0, 3).map((r) => r.rest));
  const last = median3(readings.slice(-3).map((r) => r.rest));
  const grew = last - first;
  console.log(`chaos-soak: rss outside the shared memory at ${readings[0].done}-${readings[2].done} tasks ${first.toFixed(1)} MiB, at the last three readings ${last.toFixed(1)} MiB: ${grew >= 0 ? '+' : ''}${grew.toFixed(1)} MiB (limit ${RSS_SLACK_MB}); shared memory ${mb(readings[0].memory).toFixed(0)} -> ${mb(readings.at(-1).memory).toFixed(0)} MiB, ${mem.shared.toFixed(1)} MiB of it resident`);
  if (grew >= RSS_SLACK_MB) {
    console.error('chaos-soak: memory grew');
    failed = true;
  }
  if (readings.at(-1).memory !== readings[0].memory) {
    console.error('chaos-soak: the shared memory grew after the first reading');
    failed = true;
  }
} else {
  console.log(`chaos-soak: too few readings after ${FIRST_READING} tasks to judge memory (need ${5 * CHUNK + FIRST_READING} tasks)`);
}
process.exit(failed ? 1 : 0);
