// bench/js/host-core.mjs — host answers and interactive stdin, measured the
// same way in Node (host-bench.mjs) and in a browser (bench/browser/host.html):
//   host-answer page     a plugin's /host/call answered by a handler on this thread
//   host-answer worker   ... by a handler in the coordinator's host worker
//   line-rtt             this thread writes a line to a running plugin (upper),
//                        the plugin answers a line, this thread reads it
//   bare-rtt             8 B to a worker through a sabq ring and back, this
//                        thread waiting as line-rtt does (receive, else receiveAsync)
// Host answers are timed inside the plugin (plugins/hostping.c) in blocks of
// calls, as a browser's clock is coarse: the row is the median of the blocks'
// means. The two round trips are timed one by one on this thread: median and
// p99 (in a browser, to its clock's step). No Node imports.
import { Coordinator, Sabq, SpscRing, compileSabq, END } from '../../bindings-js/src/index.js';

/**
 * Warm-ups are a full run's at every BENCH_SCALE: they cost milliseconds, and
 * scaled down with the counts they left the JIT cold — a host answer in Node
 * measured 10-25 µs after 600 calls against 4.5-5 µs after 3000.
 */
export const WARM = { hostCalls: 3000, lines: 500, trips: 2000 };

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

/** Interactive stdin: a line to `upper` and its answer, `n` times after a warm-up. */
export async function lineRtt(env) {
  const c = await Coordinator.create({ workers: 1, ...env.shim });
  try {
    await c.load('upper', env.plugin('upper'));
    const p = c.spawn('upper');
    const reader = p.stdout.getReader();
    const warm = WARM.lines;
    const n = Math.max(50, Math.round(5000 * env.scale));
    const samples = [];
    let lastYield = performance.now();
    for (let i = 0; i < warm + n; i++) {
      const t0 = performance.now();
      await p.write('ping\n');
      // 'PING\n' arrives whole: the plugin writes it with one fd_write.
      const { value, done } = await reader.read();
      const t1 = performance.now();
      if (done || value.length !== 5 || value[0] !== 0x50) throw new Error(`line-rtt: answer ${done ? 'missing' : new TextDecoder().decode(value)}`);
      if (i >= warm) samples.push((t1 - t0) * 1e6);
      if (env.yieldEveryMs && t1 - lastYield > env.yieldEveryMs) {
        await new Promise((r) => setTimeout(r, 0)); // a page must not hold its thread
        lastYield = performance.now();
      }
    }
    reader.releaseLock();
    p.closeStdin();
    await p.exit;
    const s = stats(samples);
    return row('js interactive stdin line round trip', 'sabq', 'median', s.median, 'ns', { p99: Number(s.p99.toPrecision(6)), mean: Number(s.mean.toPrecision(6)), samples: s.n });
  } finally {
    await c.close();
  }
}

/**
 * The bare main↔worker round trip through two sabq rings, timed one by one.
 * `env.startEcho(data)` starts bench-core.mjs's echo role in a worker and
 * resolves with {control, terminate}.
 */
export async function bareRtt(env) {
  const module = await compileSabq();
  const memory = new WebAssembly.Memory({ initial: 32, maximum: 32, shared: true });
  const sabq = await Sabq.instantiate(memory, { module });
  const out = SpscRing.create(sabq, 64, 16384);
  const back = SpscRing.create(sabq, 64 + Math.ceil(out.size / 64) * 64, 16384);
  const warm = WARM.trips;
  const n = Math.max(50, Math.round(20_000 * env.scale));
  const echo = await env.startEcho({ memory, module, rings: [out.toJSON(), back.toJSON()], role: 'echo', impl: 'sabq', size: 8, n: warm + n });
  await echo.control.next(); // ready
  echo.control.post('go');
  const buf = new Uint8Array(8);
  const samples = [];
  let lastYield = performance.now();
  for (let i = 0; i < warm + n; i++) {
    buf[0] = i & 0xff;
    const t0 = performance.now();
    out.send(buf);
    let m = back.receive();
    if (m === null) m = await back.receiveAsync({ timeoutMs: 10_000 });
    const t1 = performance.now();
    if (m === null || m === END || m[0] !== (i & 0xff)) throw new Error('bare-rtt: lost or stalled');
    if (i >= warm) samples.push((t1 - t0) * 1e6);
    if (env.yieldEveryMs && t1 - lastYield > env.yieldEveryMs) {
      await new Promise((r) => setTimeout(r, 0));
      lastYield = performance.now();
    }
  }
  out.close();
  await echo.terminate();
  const s = stats(samples);
  return row('js main↔worker round trip, timed one by one', 'sabq', 'median', s.median, 'ns', { p99: Number(s.p99.toPrecision(6)), mean: Number(s.mean.toPrecision(6)), samples: s.n });
}
