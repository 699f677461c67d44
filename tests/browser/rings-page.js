// tests/browser/rings-page.js — the page of the browser ring test: it and two
// module workers exchange 10^6 messages through each ring kind on one shared
// WebAssembly.Memory, while the page measures its own stalls. The page only
// uses non-blocking and promise-returning calls; a blocking call here must
// throw. Results go to window.__result for tests/browser/rings.test.mjs.
import { Sabq, SpscRing, Pipe, MpmcQueue, END, SabqError, compileSabq, canBlock } from '/bindings-js/src/index.js';
import { payload, checkPayload } from '/tests/js/payload.mjs';
import { wokenAsync } from '/tests/js/whole-timeout.mjs';
import { startStallMeter } from '/examples/browser/stall-meter.js';

const N = 1_000_000;
const meter = startStallMeter();

const module = await compileSabq();
const memory = new WebAssembly.Memory({ initial: 64, maximum: 64, shared: true });
const sabq = await Sabq.instantiate(memory, { module });
const workers = [0, 1].map(() => new Worker(new URL('./rings-worker.js', import.meta.url), { type: 'module' }));

/** Gives `job` to worker `i`; resolves with its report. */
function run(i, job) {
  return new Promise((resolve, reject) => {
    workers[i].onmessage = ({ data }) => (data.ok ? resolve(data) : reject(new Error(data.error)));
    workers[i].onerror = (e) => reject(new Error(e.message));
    workers[i].postMessage({ memory, module, ...job });
  });
}

// The page's loops yield to the event loop every few milliseconds: a chain
// of already-resolved awaits is one task, however long.
let lastYield = performance.now();
async function maybeYield() {
  if (performance.now() - lastYield > 4) {
    await new Promise((r) => setTimeout(r, 0));
    lastYield = performance.now();
  }
}

const rate = (n, t0) => Math.round(n / ((performance.now() - t0) / 1000));
let nextOffset = 64;
const place = (size) => {
  const at = nextOffset;
  nextOffset += Math.ceil(size / 64) * 64;
  return at;
};

async function spscWorkerToWorker() {
  const ring = SpscRing.create(sabq, place(SpscRing.size(sabq, 1 << 16)), 1 << 16);
  const t0 = performance.now();
  const job = { kind: 'spsc', offset: ring.offset, size: ring.size, count: N };
  const [p, c] = await Promise.all([run(0, { ...job, role: 'produce' }), run(1, { ...job, role: 'consume' })]);
  return { sent: p.sent, received: c.received, inOrder: c.next[0] === N, perSecond: rate(N, t0) };
}

async function pipeWorkerToWorker() {
  const pipe = Pipe.create(sabq, place(Pipe.size(sabq, 1 << 16)), 1 << 16);
  const t0 = performance.now();
  const job = { kind: 'pipe', offset: pipe.offset, size: pipe.size, count: 16 * N, chunk: 16 }; // 10^6 writes
  const [w, r] = await Promise.all([run(0, { ...job, role: 'pipeWrite' }), run(1, { ...job, role: 'pipeRead' })]);
  return { written: w.written, read: r.read, writesPerSecond: rate(N, t0) };
}

// Both workers produce; the page consumes with tryPop/popAsync.
async function mpmcWorkersToPage() {
  const q = MpmcQueue.create(sabq, place(MpmcQueue.size(sabq, 1024, 48)), 1024, 48);
  const t0 = performance.now();
  const job = { kind: 'mpmc', offset: q.offset, size: q.size, count: N / 2, role: 'produce' };
  const producers = Promise.all([run(0, { ...job, id: 0 }), run(1, { ...job, id: 1 })]);
  const next = [0, 0];
  let received = 0;
  while (received < N) {
    let m = q.pop();
    if (m === null) m = await wokenAsync('popAsync', 10_000, () => q.popAsync({ timeoutMs: 10_000 }));
    if (m === null || m === END) throw new Error(`mpmc: stalled after ${received}`);
    const [id, seq] = checkPayload(m);
    if (seq !== next[id]) throw new Error(`mpmc: producer ${id} sent ${seq}, expected ${next[id]}`);
    next[id]++;
    received++;
    await maybeYield();
  }
  await producers;
  return { received, perProducer: next, perSecond: rate(N, t0) };
}

// Page → worker → page: the page sends through one ring and reads the echo
// from another, with the async forms only.
async function pageWorkerEcho() {
  const out = SpscRing.create(sabq, place(SpscRing.size(sabq, 1 << 16)), 1 << 16);
  const back = SpscRing.create(sabq, place(SpscRing.size(sabq, 1 << 16)), 1 << 16);
  const t0 = performance.now();
  const worker = run(0, { kind: 'spsc', role: 'echo', offset: out.offset, size: out.size, replyOffset: back.offset, replySize: back.size });
  const sender = (async () => {
    for (let seq = 0; seq < N; seq++) {
      const m = payload(9, seq);
      if (!out.send(m) && !(await wokenAsync('sendAsync', 10_000, () => out.sendAsync(m, { timeoutMs: 10_000 })))) {
        throw new Error('echo: send stalled');
      }
      await maybeYield();
    }
    out.close();
  })();
  let received = 0;
  for (;;) {
    let m = back.receive();
    if (m === null) m = await wokenAsync('receiveAsync', 10_000, () => back.receiveAsync({ timeoutMs: 10_000 }));
    if (m === END) break;
    if (m === null) throw new Error(`echo: stalled after ${received}`);
    const [, seq] = checkPayload(m);
    if (seq !== received) throw new Error(`echo: got ${seq}, expected ${received}`);
    received++;
    await maybeYield();
  }
  await sender;
  const w = await worker;
  return { received, echoed: w.echoed, perSecond: rate(N, t0) };
}

function blockingOnMainThread() {
  const ring = SpscRing.create(sabq, place(SpscRing.size(sabq, 4096)), 4096);
  // A blocking send with room to spare must refuse too, and send nothing:
  // refusing after the fact would leave a message the caller thinks failed.
  let sendRefused = false;
  try {
    ring.sendWait('x', 10);
  } catch (e) {
    sendRefused = e instanceof SabqError && e.code === 'EDEADLK';
  }
  const nothingSent = ring.receive() === null;
  try {
    ring.receiveWait(10);
    return { threw: false };
  } catch (e) {
    return { threw: true, isSabqError: e instanceof SabqError, code: e.code, message: e.message, sendRefused, nothingSent,
             canBlock: canBlock() };
  }
}

try {
  const result = { crossOriginIsolated };
  result.blocking = blockingOnMainThread();
  result.spsc = await spscWorkerToWorker();
  result.pipe = await pipeWorkerToWorker();
  result.mpmc = await mpmcWorkersToPage();
  result.echo = await pageWorkerEcho();
  result.responsiveness = meter.report();
  document.getElementById('status').textContent = JSON.stringify(result);
  window.__result = result;
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
