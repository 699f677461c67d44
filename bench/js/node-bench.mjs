// bench/js/node-bench.mjs — the JS benchmarks (bench-core.mjs) in Node
// worker_threads, one measurement per process, printing one JSON line like
// the native ones.
//   node bench/js/node-bench.mjs tput IMPL SIZE [RING] | rtt IMPL [8 RING] | main-rtt IMPL
//       RING: msgs (rings of 1,024 messages, the default) or 64k (bench-core.mjs)
//   node bench/js/node-bench.mjs idle sabq   CPU used while a WASI plugin waits
//                                            in fd_read (10 s; 2 s quick)
//   node bench/js/node-bench.mjs fdread sabq|sync-message
//       a blocking read in a worker answered by the host: a WASI plugin's
//       fopen+fread of /host/call (sabq), against sync-message (npm) doing the
//       same request and blocking read from JS. sync-message is a browser
//       library: `self` is aliased to globalThis for it.
// BENCH_SCALE scales the counts of the smoke test; quick runs keep the full
// counts, which the JIT needs to settle. Every row carries the placement
// probe: the measured pair's own (bench-core.mjs) or, for the others, the
// main thread's with a worker (node-probe.mjs), run right before.
import { Worker, isMainThread, parentPort, workerData, MessageChannel } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { measure, workerSide, link } from './bench-core.mjs';
import { probeNode } from './node-probe.mjs';
import { WARM } from './host-core.mjs';

const requested = Number(process.env.BENCH_SCALE ?? 1);
const scale = requested < 0.05 ? requested : Math.max(1, requested);

const nodeLink = (port) => link((m) => port.postMessage(m), (fn) => port.on('message', fn));

function startOne(data, transfer = []) {
  const w = new Worker(new URL(import.meta.url), { workerData: data, transferList: transfer });
  w.on('error', (e) => {
    console.error(e);
    process.exit(1);
  });
  return { control: nodeLink(w), terminate: () => w.terminate() };
}

const platform = {
  scale,
  RingBuffer,
  startOne: async (data) => startOne(data),
  async startPair(data, roles, withPeer) {
    if (!withPeer) return roles.map((role) => startOne({ ...data, role }));
    const { port1, port2 } = new MessageChannel();
    return [startOne({ ...data, role: roles[0], port: port1 }, [port1]), startOne({ ...data, role: roles[1], port: port2 }, [port2])];
  },
};

// A plugin parked in fd_read must cost (almost) nothing: CPU time of the whole
// process while it waits, as a share of one core.
async function idle() {
  const { Coordinator } = await import('../../bindings-js/src/index.js');
  const c = await Coordinator.create({ workers: 1 });
  await c.load('upper', new URL('../../build/plugins/upper.wasm', import.meta.url));
  const p = c.spawn('upper');
  const out = p.stdout.getReader();
  await p.write('warm up\n');
  await out.read(); // answered: the plugin now blocks in fd_read for the next line
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, Math.max(200, 10_000 * Math.min(1, requested))));
  const u = process.cpuUsage(u0);
  const ms = performance.now() - t0;
  p.closeStdin();
  await p.exit;
  await c.close();
  return { bench: 'js plugin parked in fd_read', impl: 'sabq', param: 'CPU', value: Number(((100 * (u.user + u.system)) / 1000 / ms).toPrecision(6)), unit: '% of a core' };
}

// Time per host call, without start-up: the difference of two runs.
async function fdReadSabq() {
  const { Coordinator } = await import('../../bindings-js/src/index.js');
  const c = await Coordinator.create({ workers: 1, hostHandlers: { same: (r) => r } });
  await c.load('hostcall', new URL('../../build/plugins/hostcall.wasm', import.meta.url));
  const run = async (n) => {
    const t0 = performance.now();
    const r = await c.spawn('hostcall', { args: ['same', 'x', String(n)], stdin: null, allow: { hostCalls: ['same'] } }).text();
    if (r.stdout !== '1 x\n') throw new Error(`hostcall: ${r.stdout} ${r.stderr}`);
    return performance.now() - t0;
  };
  const few = Math.round(200 * scale);
  const many = few + Math.round(5000 * scale);
  await run(WARM.hostCalls); // warm up, as every host-answer row (host-core.mjs)
  const ns = (((await run(many)) - (await run(few))) * 1e6) / (many - few);
  await c.close();
  return ns;
}

async function fdReadSyncMessage() {
  globalThis.self ??= globalThis;
  const sm = await import('sync-message'); // a UMD bundle: its exports are the default
  const { makeAtomicsChannel, writeMessage } = sm.default ?? sm;
  const channel = makeAtomicsChannel();
  const warm = WARM.hostCalls; // as sabq's host answers (host-core.mjs)
  const n = Math.round(5000 * scale) + warm;
  const w = new Worker(new URL(import.meta.url), { workerData: { role: 'sync-message', channel, n, warm } });
  // The host's side: answer each request as it arrives, as a handler would.
  w.on('message', (m) => {
    if (m.id !== undefined) writeMessage(channel, 'x', m.id);
  });
  const { ns } = await new Promise((resolve) => w.on('message', (m) => m.ns !== undefined && resolve(m)));
  await w.terminate();
  return ns;
}

async function syncMessageWorker({ channel, n, warm }) {
  globalThis.self ??= globalThis;
  const sm = await import('sync-message');
  const { readMessage } = sm.default ?? sm;
  let t0 = 0;
  for (let i = 0; i < n; i++) {
    if (i === warm) t0 = performance.now(); // after warm-up
    const id = String(i);
    parentPort.postMessage({ id });
    let answer;
    try {
      answer = readMessage(channel, id);
    } catch {
      // sync-message 0.0.12 now and then reads an empty message in a tight
      // loop (JSON.parse of ''): its bug, not ours; ask again.
      i--;
      continue;
    }
    if (answer !== 'x') throw new Error('sync-message: wrong answer');
  }
  parentPort.postMessage({ ns: ((performance.now() - t0) * 1e6) / (n - warm) });
}

if (isMainThread) {
  const [what, impl, size, ring] = process.argv.slice(2);
  if (!['tput', 'rtt', 'main-rtt', 'idle', 'fdread'].includes(what)) {
    console.error('usage: node-bench.mjs tput IMPL SIZE | rtt IMPL | main-rtt IMPL | idle sabq | fdread sabq|sync-message');
    process.exit(2);
  }
  let result;
  // Measurements that do not probe their own pair get the main thread's.
  const probeNs = ['tput', 'rtt', 'main-rtt'].includes(what) ? undefined : await probeNode();
  if (what === 'idle') result = await idle();
  else if (what === 'fdread') {
    const ns = impl === 'sabq' ? await fdReadSabq() : await fdReadSyncMessage();
    result = { bench: 'js blocking read answered by the host', impl, param: 'round trip', value: Number(ns.toPrecision(6)), unit: 'ns' };
  } else result = await measure(platform, what, impl, Number(size ?? 8), ring);
  result.atomic_rtt_ns ??= probeNs;
  console.log(JSON.stringify(result));
} else if (workerData.role === 'sync-message') {
  await syncMessageWorker(workerData);
} else {
  const peer = workerData.port ? nodeLink(workerData.port) : null;
  await workerSide(workerData, nodeLink(parentPort), peer, RingBuffer);
}
