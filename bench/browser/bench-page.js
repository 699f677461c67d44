// bench/browser/bench-page.js — runs every JS measurement of
// bench/js/bench-core.mjs in this page and its Web Workers, then publishes the
// rows in window.__result (bench/js/chromium-bench.mjs collects them).
// ?scale=S scales the counts (the smoke test uses tiny ones); ?only=tput:sabq:8,rtt:ringbuf
// runs just those measurements (what:impl[:size], comma-separated), for A/B runs.
import { RingBuffer } from '/node_modules/ringbuf.js/dist/index.mjs';
import { measure, link } from '/bench/js/bench-core.mjs';

const scale = Number(new URLSearchParams(location.search).get('scale') ?? 1);

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

const fullPlan = [
  ...[8, 256].flatMap((size) => ['sabq', 'ringbuf', 'channel'].map((impl) => ['tput', impl, size])),
  ...['sabq', 'ringbuf', 'channel'].map((impl) => ['rtt', impl]),
  ...['sabq', 'postmessage'].map((impl) => ['main-rtt', impl]),
];
const only = new URLSearchParams(location.search).get('only');
const plan = only
  ? only.split(',').map((m) => m.split(':')).map(([what, impl, size]) => [what, impl, size === undefined ? undefined : Number(size)])
  : fullPlan;

try {
  const rows = [];
  for (const [what, impl, size] of plan) {
    const r = await measure(platform, what, impl, size);
    r.bench = `${r.bench} (chromium)`;
    rows.push(r);
    document.getElementById('out').textContent = rows.map((x) => JSON.stringify(x)).join('\n');
  }
  window.__result = rows;
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
