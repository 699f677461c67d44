// bench/browser/host-page.js — the rows of bench/js/host-core.mjs in this
// page and its workers, beside sync-message answering a blocked worker the
// same way; publishes them, and how many it planned, in window.__result (bench/js/host-browser-bench.mjs
// collects them). ?scale=S scales the counts; ?engine=NAME labels the rows.
import { link } from '/bench/js/bench-core.mjs';
import { hostAnswer, lineRtt, bareRtt, WARM } from '/bench/js/host-core.mjs';
import { probeAlone } from './probe.js';

const params = new URLSearchParams(location.search);
const scale = Number(params.get('scale') ?? 1);
const engineName = params.get('engine') ?? 'browser';

const env = {
  scale,
  plugin: (name) => `/build/plugins/${name}.wasm`,
  shim: { wasiShimUrl: '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js' },
  yieldEveryMs: 4, // the page keeps its thread responsive
  async startEcho(data) {
    const w = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module' });
    const control = link((m) => w.postMessage(m), (fn) => { w.onmessage = (e) => fn(e.data); });
    w.postMessage({ data });
    return { control, terminate: () => w.terminate() };
  },
};

/** sync-message: a blocked worker's request answered by this page, as a host handler would. */
async function syncMessage() {
  const { makeAtomicsChannel, writeMessage } = self.syncMessage;
  const channel = makeAtomicsChannel();
  const w = new Worker(new URL('./sync-message-worker.js', import.meta.url));
  const done = new Promise((resolve, reject) => {
    w.onmessage = ({ data }) => {
      if (data.id !== undefined) writeMessage(channel, 'x', data.id);
      else resolve(data.ns);
    };
    w.onerror = (e) => reject(new Error(e.message));
  });
  w.postMessage({ channel, warmup: WARM.hostCalls, blocks: Math.max(5, Math.round(300 * scale)) });
  const ns = (await done).sort((a, b) => a - b);
  w.terminate();
  const mean = ns.reduce((a, b) => a + b, 0) / ns.length;
  return { bench: 'js blocking read answered by the host', impl: 'sync-message', param: 'round trip',
    value: Number(ns[Math.floor(ns.length / 2)].toPrecision(6)), unit: 'ns', mean: Number(mean.toPrecision(6)), blocks: ns.length };
}

const plan = [
  () => hostAnswer(env, 'page'),
  () => hostAnswer(env, 'worker', new URL('/bench/js/host-handlers.mjs', location.href)),
  syncMessage,
  () => lineRtt(env),
  () => bareRtt(env),
];

try {
  const rows = [];
  for (const measure of plan) {
    // The placement probe between this page and a worker, right before: the
    // measured threads are a coordinator's and a plugin's, which cannot probe.
    const probeNs = await probeAlone((data) => env.startEcho(data));
    const r = await measure();
    r.atomic_rtt_ns ??= probeNs;
    r.bench = `${r.bench} (${engineName})`;
    rows.push(r);
    document.getElementById('out').textContent = rows.map((x) => JSON.stringify(x)).join('\n');
  }
  window.__result = { rows, planned: plan.length };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
