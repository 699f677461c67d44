// bench/browser/bench-page.js — runs every JS measurement of
// bench/js/bench-core.mjs in this page and its Web Workers, then publishes the
// rows and how many it planned in window.__result (bench/js/browser-bench.mjs
// collects them, in Chromium and in Firefox).
// ?engine=NAME labels the rows; ?scale=S scales the counts (the smoke test
// uses tiny ones); ?only=tput:sabq:8,rtt:ringbuf:8:64k runs just those
// measurements (what:impl[:size[:ring]], comma-separated), for A/B runs.
// Every row carries the placement probe: the measured pair's own, or for a
// measurement that runs none, this page's with a worker, right before it.
import { RingBuffer } from '/node_modules/ringbuf.js/dist/index.mjs';
import { measure, link } from '/bench/js/bench-core.mjs';
import { probeAlone } from './probe.js';

const params = new URLSearchParams(location.search);
const scale = Number(params.get('scale') ?? 1);
const engine = params.get('engine') ?? 'browser';

function startOne(data, transfer = []) {
  const w = new Worker(new URL('./bench-worker.js', import.meta.url), { type: 'module' });
  const control = link((m) => w.postMessage(m), (fn) => { w.onmessage = (e) => fn(e.data); });
  w.postMessage({ data }, transfer);
  return { control, terminate: () => w.terminate() };
}

const platform = {
  scale,
  RingBuffer,
  yieldEveryMs: 4, // the page keeps its thread responsive during main-rtt
  startOne: async (data) => startOne(data),
  async startPair(data, roles, withPeer) {
    if (!withPeer) return roles.map((role) => startOne({ ...data, role }));
    const { port1, port2 } = new MessageChannel();
    return [startOne({ ...data, role: roles[0], port: port1 }, [port1]), startOne({ ...data, role: roles[1], port: port2 }, [port2])];
  },
};

const OWN_PROBE = new Set(['tput', 'rtt', 'main-rtt']);

// The worker→worker rows twice: rings of 1,024 messages each, and of 64 KiB each.
const fullPlan = [
  ...[8, 256].flatMap((size) => ['sabq', 'ringbuf', 'channel'].map((impl) => ['tput', impl, size])),
  ...[8, 256].flatMap((size) => ['sabq', 'ringbuf'].map((impl) => ['tput', impl, size, '64k'])),
  ...['sabq', 'ringbuf', 'channel'].map((impl) => ['rtt', impl]),
  ...['sabq', 'ringbuf'].map((impl) => ['rtt', impl, 8, '64k']),
  ...['sabq', 'postmessage'].map((impl) => ['main-rtt', impl]),
];
const only = params.get('only');
const plan = only
  ? only.split(',').map((m) => m.split(':')).map(([what, impl, size, ring]) => [what, impl, size === undefined ? undefined : Number(size), ring])
  : fullPlan;

// A fresh browser is still busy when the page starts: it compiles sabq.wasm's
// optimised tier in background threads, among other things. On a 2-core
// machine the first measurements then ran at half speed, their placement
// probes reading 1,000-2,300 ns instead of 460. So one worker→worker run of
// each ring goes first, measured and thrown away.
async function warmUp() {
  for (const impl of ['sabq', 'ringbuf']) await measure(platform, 'tput', impl, 8);
}

try {
  const rows = [];
  await warmUp();
  for (const [what, impl, size, ring] of plan) {
    const probeNs = OWN_PROBE.has(what) ? undefined : await probeAlone(async (data) => startOne(data));
    const r = await measure(platform, what, impl, size, ring);
    r.atomic_rtt_ns ??= probeNs;
    r.bench = `${r.bench} (${engine})`;
    rows.push(r);
    document.getElementById('out').textContent = rows.map((x) => JSON.stringify(x)).join('\n');
  }
  window.__result = { rows, planned: plan.length };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
