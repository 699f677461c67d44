// bench/js/node-bench.mjs — the JS benchmarks (bench-core.mjs) in Node
// worker_threads, one measurement per process, printing one JSON line like
// the native ones.
//   node bench/js/node-bench.mjs tput IMPL SIZE | rtt IMPL | main-rtt IMPL
//   node bench/js/node-bench.mjs idle sabq   CPU used while a WASI plugin waits
//                                            in fd_read (10 s; 2 s quick)
// BENCH_SCALE scales the counts of the smoke test; quick runs keep the full
// counts, which the JIT needs to settle.
import { Worker, isMainThread, parentPort, workerData, MessageChannel } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { measure, workerSide, link } from './bench-core.mjs';

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

if (isMainThread) {
  const [what, impl, size] = process.argv.slice(2);
  if (!['tput', 'rtt', 'main-rtt', 'idle'].includes(what)) {
    console.error('usage: node-bench.mjs tput IMPL SIZE | rtt IMPL | main-rtt IMPL | idle sabq');
    process.exit(2);
  }
  console.log(JSON.stringify(what === 'idle' ? await idle() : await measure(platform, what, impl, Number(size ?? 8))));
} else {
  const peer = workerData.port ? nodeLink(workerData.port) : null;
  await workerSide(workerData, nodeLink(parentPort), peer, RingBuffer);
}
