// bench/js/host-core.mjs — host answers and interactive stdin, measured the
// same way in Node (host-bench.mjs) and in a browser (bench/browser/host.html):
//   host-answer page     a plugin's /host/call answered by a handler on this thread
//   host-answer worker   ... by a handler in the coordinator's host worker
//   line-rtt             this thread writes a line to a running plugin (upper),
//                        the plugin answers a line, this thread reads it
//   bare-rtt             8 B to a worker through a sabq ring and back, this
//                        thread waiting as line-rtt does (receive, else receiveAsync)
// A browser's clock is coarse (5 µs steps in Chromium, 20 µs in Firefox, in a
// cross-origin isolated page), so everything is timed in blocks: host answers
// inside the plugin (plugins/hostping.c), the two round trips on this thread
// (timeTrips below). Each row is the median of its blocks' means; the round
// trips also give the p99 of single trips (to the clock's step). No Node imports.
import { Coordinator, Sabq, SpscRing, compileSabq, END } from '../../bindings-js/src/index.js';

/**
 * Warm-ups do not shrink with BENCH_SCALE: they cost milliseconds, and
 * scaled down with the counts they left the JIT cold — in Node a host answer
 * measured 10-25 µs after 600 calls against 4.5-5 µs after 3000, and an
 * interactive line 20-53 µs after 500 lines against 4.1-4.9 µs in the next
 * three runs after 3000. (The line was bimodal then, 15-55 µs in later runs:
 * the answer reached the page through a parked read's wake-up, a task, and
 * the plugin's worker parked meanwhile. A write now looks for the answer
 * itself — AnswerSpin in bindings-js/src/coordinator/pipes.js.)
 */
export const WARM = { hostCalls: 3000, lines: 3000, trips: 2000 };

const row = (bench, impl, param, value, unit, extra = {}) => ({ bench, impl, param, value: Number(value.toPrecision(6)), unit, ...extra });

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p99: quantile(s, 0.99), mean: s.reduce((a, b) => a + b, 0) / s.length, n: s.length };
}

/**
 * A plugin's host call answered by `where` ('page': hostHandlers on this
 * thread; 'worker': the host worker running `handlersUrl`). `env`:
 * {scale, plugin(name) → URL, shim: extra Coordinator options}.
 */
export async function hostAnswer(env, where, handlersUrl) {
  const options = where === 'worker' ? { hostWorker: handlersUrl } : { hostHandlers: { same: (r) => r } };
  const c = await Coordinator.create({ workers: 1, ...options, ...env.shim });
  try {
    await c.load('hostping', env.plugin('hostping'));
    const blocks = Math.max(5, Math.round(300 * env.scale));
    const warmup = WARM.hostCalls;
    const r = await c.spawn('hostping', { args: ['same', 'x', String(warmup), String(blocks), '20'], stdin: null, allow: { hostCalls: ['same'] } }).text();
    if (r.exitCode !== 0) throw new Error(`hostping: exit ${r.exitCode}: ${r.stderr}`);
    const ns = r.stdout.trim().split('\n').map(Number);
    const s = stats(ns);
    return row('js blocking read answered by the host', where === 'worker' ? 'sabq host worker' : 'sabq page handler', 'round trip',
      s.median, 'ns', { mean: Number(s.mean.toPrecision(6)), blocks: s.n });
  } finally {
    await c.close();
  }
}

/** Round trips per timed block: a bare one (~1-2 µs) is far below a browser's clock step. */
export const TRIP_BLOCK = 100;

/**
 * Runs trip(i) — one round trip: a value, or a promise of one — `warm` + `n`
 * times, and times it both ways a coarse clock allows: per block of
 * TRIP_BLOCK trips (the median of the blocks' means) and per trip (its p99).
 * A page gives its event loop a turn (env.yieldEveryMs) between blocks only.
 */
async function timeTrips(env, warm, n, trip) {
  const single = [];
  const blocks = [];
  let blockStart = null;
  let inBlock = 0;
  let lastYield = performance.now();
  for (let i = 0; i < warm + n; i++) {
    const t0 = performance.now();
    const r = trip(i);
    if (r !== null && typeof r?.then === 'function') await r;
    const t1 = performance.now();
    if (i >= warm) {
      single.push((t1 - t0) * 1e6);
      blockStart ??= t0;
      if (++inBlock === TRIP_BLOCK) {
        blocks.push(((t1 - blockStart) * 1e6) / TRIP_BLOCK);
        blockStart = null;
        inBlock = 0;
      }
    }
    // Between blocks only: a page holds its thread for a block at most.
    if (env.yieldEveryMs && inBlock === 0 && t1 - lastYield > env.yieldEveryMs) {
      await new Promise((resolve) => setTimeout(resolve, 0)); // a page must not hold its thread
      lastYield = performance.now();
    }
  }
  const b = stats(blocks);
  const one = stats(single);
  return { median: b.median, extra: { p99: Number(one.p99.toPrecision(6)), mean: Number(one.mean.toPrecision(6)), samples: one.n, blocks: b.n, block: TRIP_BLOCK } };
}

/** Interactive stdin: a line to `upper` and its answer, `n` times after a warm-up. */
export async function lineRtt(env) {
  const c = await Coordinator.create({ workers: 1, ...env.shim });
  try {
    await c.load('upper', env.plugin('upper'));
    const p = c.spawn('upper');
    const reader = p.stdout.getReader();
    const n = Math.max(2 * TRIP_BLOCK, Math.round(5000 * env.scale));
    const t = await timeTrips(env, WARM.lines, n, async () => {
      await p.write('ping\n');
      // 'PING\n' comes as one chunk, but as two where it straddles the end of
      // the stdout pipe's area (one line in 13,107 with a 64 KiB pipe): the
      // plugin's one fd_write is two spans there, each published as written.
      let got = 0;
      while (got < 5) {
        const { value, done } = await reader.read();
        if (done || got + value.length > 5 || (got === 0 && value[0] !== 0x50)) {
          throw new Error(`line-rtt: answer ${done ? 'missing' : new TextDecoder().decode(value)}`);
        }
        got += value.length;
      }
    });
    reader.releaseLock();
    p.closeStdin();
    await p.exit;
    return row('js interactive stdin line round trip', 'sabq', 'median', t.median, 'ns', t.extra);
  } finally {
    await c.close();
  }
}

/**
 * The bare main↔worker round trip through two sabq rings, this thread
 * waiting as line-rtt does. `env.startEcho(data)` starts bench-core.mjs's
 * echo role in a worker and resolves with {control, terminate}.
 */
export async function bareRtt(env) {
  const module = await compileSabq();
  const memory = new WebAssembly.Memory({ initial: 32, maximum: 32, shared: true });
  const sabq = await Sabq.instantiate(memory, { module });
  const out = SpscRing.create(sabq, 64, 16384);
  const back = SpscRing.create(sabq, 64 + Math.ceil(out.size / 64) * 64, 16384);
  const warm = WARM.trips;
  const n = Math.max(2 * TRIP_BLOCK, Math.round(20_000 * env.scale));
  const echo = await env.startEcho({ memory, module, rings: [out.toJSON(), back.toJSON()], role: 'echo', impl: 'sabq', size: 8, n: warm + n });
  await echo.control.next(); // ready
  echo.control.post('go');
  const buf = new Uint8Array(8);
  const checked = (m, i) => {
    if (m === null || m === END || m[0] !== (i & 0xff)) throw new Error('bare-rtt: lost or stalled');
  };
  // Answered at once (the echo spins): no promise, as a caller would write it.
  const t = await timeTrips(env, warm, n, (i) => {
    buf[0] = i & 0xff;
    out.send(buf);
    const m = back.receive();
    if (m !== null) return checked(m, i);
    return back.receiveAsync({ timeoutMs: 10_000 }).then((late) => checked(late, i));
  });
  out.close();
  await echo.terminate();
  return row('js bare main↔worker round trip', 'sabq', 'median', t.median, 'ns', t.extra);
}
