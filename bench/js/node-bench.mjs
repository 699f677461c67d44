// bench/js/node-bench.mjs — JS benchmarks in Node worker_threads, one
// measurement per process, printing one JSON line like the native ones.
//   node bench/js/node-bench.mjs tput IMPL SIZE   worker → worker messages/s
//   node bench/js/node-bench.mjs rtt IMPL         worker ↔ worker round trip
//   node bench/js/node-bench.mjs main-rtt IMPL    main ↔ worker round trip
//   node bench/js/node-bench.mjs idle sabq        CPU used while a WASI plugin
//                                                 waits in fd_read (10 s × scale)
// IMPL: sabq (the JS binding: blocking calls in workers, spin then park;
// waitAsync on the main thread), ringbuf (ringbuf.js from npm: one SPSC byte
// ring per direction, polled, fixed-size messages), channel (MessageChannel
// ports between the two workers), postmessage (the worker's own port to the
// main thread; main-rtt only). BENCH_SCALE scales the counts.
import { Worker, isMainThread, parentPort, workerData, MessageChannel } from 'node:worker_threads';
import { RingBuffer } from 'ringbuf.js';
import { Sabq, SpscRing, compileSabq, END } from '../../bindings-js/src/index.js';

// JS needs its counts for the JIT to settle: quick runs (scale < 1) keep the
// full counts; only the smoke test (tiny scales) shrinks them.
const requested = Number(process.env.BENCH_SCALE ?? 1);
const scale = requested < 0.05 ? requested : Math.max(1, requested);
const count = (n) => Math.max(100, Math.round(n * scale));

// ---- the worker side -------------------------------------------------------------
async function workerMain() {
  const { role, impl, size, n } = workerData;
  const buf = new Uint8Array(size);
  let sabq;
  let rings;
  if (impl === 'sabq') {
    sabq = await Sabq.instantiate(workerData.memory, { module: workerData.module });
    rings = workerData.rings.map((r) => SpscRing.attach(sabq, r.offset, r.size));
  } else if (impl === 'ringbuf') {
    rings = workerData.sabs.map((s) => new RingBuffer(s, Uint8Array));
  }
  const port = workerData.port ?? parentPort;
  parentPort.postMessage('ready');
  await new Promise((r) => parentPort.once('message', r)); // the start line

  const rbSend = (rb) => { while (rb.available_write() < size) {} rb.push(buf); };
  const rbRecv = (rb) => { while (rb.available_read() < size) {} rb.pop(buf); };
  // Into a preallocated buffer, as ringbuf.js pops: no allocation per message.
  const sabqRecv = (ring) => {
    const n = ring.receiveInto(buf, 10_000);
    if (n === null || n === END) throw new Error('sabq: receive failed');
  };

  if (role === 'producer') {
    for (let i = 0; i < n; i++) {
      buf[0] = i & 0xff;
      if (impl === 'sabq') { if (!rings[0].send(buf, 10_000)) throw new Error('send timed out'); }
      else if (impl === 'ringbuf') rbSend(rings[0]);
      else port.postMessage(buf);
    }
  } else if (role === 'consumer') {
    if (impl === 'channel') {
      let got = 0;
      await new Promise((resolve) => port.on('message', (m) => { if ((m[0] !== (got & 0xff)) || ++got === n) resolve(); }));
    } else {
      for (let i = 0; i < n; i++) {
        if (impl === 'sabq') sabqRecv(rings[0]);
        else rbRecv(rings[0]);
        if (buf[0] !== (i & 0xff)) throw new Error(`message ${i} out of order`);
      }
    }
  } else if (role === 'pinger') {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      buf[0] = i & 0xff;
      if (impl === 'sabq') { rings[0].send(buf, 10_000); sabqRecv(rings[1]); }
      else if (impl === 'ringbuf') { rbSend(rings[0]); rbRecv(rings[1]); }
      else { port.postMessage(buf); await new Promise((r) => port.once('message', r)); }
    }
    parentPort.postMessage({ ns: ((performance.now() - t0) * 1e6) / n });
    return;
  } else if (role === 'echo') {
    if (impl === 'sabq') {
      for (;;) {
        const n = rings[0].receiveInto(buf, 10_000);
        if (n === END || n === null) break;
        rings[1].send(buf, 10_000);
      }
    } else if (impl === 'ringbuf') {
      for (let i = 0; i < n; i++) { rbRecv(rings[0]); rbSend(rings[1]); }
    } else {
      let left = n;
      await new Promise((resolve) => port.on('message', (m) => { port.postMessage(m); if (--left === 0) resolve(); }));
    }
  }
  parentPort.postMessage('done');
}

// ---- the main side -------------------------------------------------------------------
function start(data, transfer = []) {
  const w = new Worker(new URL(import.meta.url), { workerData: data, transferList: transfer });
  const ready = new Promise((r) => w.once('message', r));
  return { w, ready, next: () => new Promise((r, j) => { w.once('message', r); w.once('error', j); }) };
}

async function setup(impl, size, directions) {
  if (impl === 'sabq') {
    const module = await compileSabq();
    const memory = new WebAssembly.Memory({ initial: 32, maximum: 32, shared: true });
    const sabq = await Sabq.instantiate(memory, { module });
    // 1024 messages of room, as for the native benchmarks.
    const cap = 2 ** Math.ceil(Math.log2(1024 * (8 + size)));
    let at = 64;
    const rings = [];
    for (let d = 0; d < directions; d++) {
      const r = SpscRing.create(sabq, at, cap);
      at += Math.ceil(r.size / 64) * 64;
      rings.push(r);
    }
    return { sabq, rings, data: { memory, module, rings: rings.map((r) => r.toJSON()) } };
  }
  if (impl === 'ringbuf') {
    const sabs = Array.from({ length: directions }, () => RingBuffer.getStorageForCapacity(1024 * size, Uint8Array));
    return { data: { sabs } };
  }
  return { data: {} };
}

function emit(bench, impl, param, value, unit) {
  console.log(JSON.stringify({ bench, impl, param, value: Number(value.toPrecision(6)), unit }));
}

/** For 'channel': the two ends of a MessageChannel, one per worker, with
 * their transfer lists; nothing for the other implementations. */
function ports(impl) {
  if (impl !== 'channel') return [{}, {}, [[], []]];
  const { port1, port2 } = new MessageChannel();
  return [{ port: port1 }, { port: port2 }, [[port1], [port2]]];
}

async function throughput(impl, size) {
  const n = count(size > 64 ? 300_000 : 500_000);
  const { data } = await setup(impl, size, 1);
  const [pa, pb, transfer] = ports(impl);
  const p = start({ ...data, ...pa, role: 'producer', impl, size, n }, transfer[0]);
  const c = start({ ...data, ...pb, role: 'consumer', impl, size, n }, transfer[1]);
  await Promise.all([p.ready, c.ready]);
  const done = c.next();
  const t0 = performance.now();
  p.w.postMessage('go');
  c.w.postMessage('go');
  await done;
  const secs = (performance.now() - t0) / 1000;
  await Promise.all([p.w.terminate(), c.w.terminate()]);
  emit('js worker→worker throughput', impl, `${size}B`, n / secs / 1e6, 'Mmsg/s');
}

async function roundTrip(impl) {
  const n = count(impl === 'channel' ? 20_000 : 100_000);
  const size = 8;
  const { data } = await setup(impl, size, 2);
  const [pa, pb, transfer] = ports(impl);
  const ping = start({ ...data, ...pa, role: 'pinger', impl, size, n }, transfer[0]);
  const echo = start({ ...data, ...pb, role: 'echo', impl, size, n }, transfer[1]);
  await Promise.all([ping.ready, echo.ready]);
  const result = ping.next();
  ping.w.postMessage('go');
  echo.w.postMessage('go');
  const { ns } = await result;
  await Promise.all([ping.w.terminate(), echo.w.terminate()]);
  emit('js worker↔worker round trip', impl, '8B', ns, 'ns');
}

// Main thread ↔ worker: the main thread never blocks (sabq: trySend and
// receiveAsync, i.e. Atomics.waitAsync after a few microseconds of spinning).
async function mainRoundTrip(impl) {
  const n = count(impl === 'sabq' ? 50_000 : 20_000);
  const size = 8;
  const buf = new Uint8Array(size);
  const s = await setup(impl, size, 2);
  const echo = start({ ...s.data, role: 'echo', impl: impl === 'sabq' ? 'sabq' : 'postmessage', size, n });
  await echo.ready;
  echo.w.postMessage('go');
  let t0;
  if (impl === 'sabq') {
    const [out, back] = s.rings;
    t0 = performance.now();
    for (let i = 0; i < n; i++) {
      buf[0] = i & 0xff;
      out.trySend(buf);
      let m = back.tryReceive();
      if (m === null) m = await back.receiveAsync({ timeoutMs: 10_000 });
      if (m === null || m === END) throw new Error('main-rtt: stalled');
    }
  } else {
    t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const got = new Promise((r) => echo.w.once('message', r));
      echo.w.postMessage(buf);
      await got;
    }
  }
  const ns = ((performance.now() - t0) * 1e6) / n;
  if (impl === 'sabq') s.rings[0].close();
  await echo.w.terminate();
  emit('js main↔worker round trip', impl, '8B', ns, 'ns');
}

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
  emit('js plugin parked in fd_read', 'sabq', 'CPU', (100 * (u.user + u.system)) / 1000 / ms, '% of a core');
}

if (isMainThread) {
  const [what, impl, size] = process.argv.slice(2);
  if (what === 'idle') await idle();
  else if (what === 'tput') await throughput(impl, Number(size));
  else if (what === 'rtt') await roundTrip(impl);
  else if (what === 'main-rtt') await mainRoundTrip(impl);
  else {
    console.error('usage: node-bench.mjs tput IMPL SIZE | rtt IMPL | main-rtt IMPL');
    process.exit(2);
  }
} else {
  await workerMain();
}
