// bench/js/host-bench.mjs — host answers and interactive stdin in Node
// (host-core.mjs), one measurement per process, one JSON line like the others:
//   node bench/js/host-bench.mjs host-answer page|worker
//   node bench/js/host-bench.mjs line-rtt
//   node bench/js/host-bench.mjs bare-rtt
// sync-message, the peer of host-answer, is `node-bench.mjs fdread sync-message`.
// BENCH_SCALE scales the counts (tiny for a smoke test).
import { Worker } from 'node:worker_threads';
import { link } from './bench-core.mjs';
import { hostAnswer, lineRtt, bareRtt } from './host-core.mjs';
import { probeNode } from './node-probe.mjs';

const env = {
  scale: Number(process.env.BENCH_SCALE ?? 1),
  plugin: (name) => new URL(`../../build/plugins/${name}.wasm`, import.meta.url),
  shim: {},
  // bench-core.mjs's echo role, in the worker node-bench.mjs runs.
  async startEcho(data) {
    const w = new Worker(new URL('./node-bench.mjs', import.meta.url), { workerData: data });
    w.on('error', (e) => {
      console.error(e);
      process.exit(1);
    });
    return { control: link((m) => w.postMessage(m), (fn) => w.on('message', fn)), terminate: () => w.terminate() };
  },
};

const [what, where] = process.argv.slice(2);
// The placement probe of this process (node-probe.mjs), before anything runs:
// its threads are a coordinator's and a plugin's, which cannot stop to probe.
const probeNs = await probeNode();
let result;
if (what === 'host-answer' && (where === 'page' || where === 'worker')) {
  result = await hostAnswer(env, where, new URL('./host-handlers.mjs', import.meta.url));
} else if (what === 'line-rtt') {
  result = await lineRtt(env);
} else if (what === 'bare-rtt') {
  result = await bareRtt(env);
} else {
  console.error('usage: host-bench.mjs host-answer page|worker | line-rtt | bare-rtt');
  process.exit(2);
}
console.log(JSON.stringify({ ...result, atomic_rtt_ns: probeNs }));
