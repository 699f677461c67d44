// bench/js/bench-core.mjs — the JS benchmarks themselves, for any platform:
// Node worker_threads (node-bench.mjs) and browser Web Workers
// (bench/browser/). A platform supplies how to start a worker and what a
// message link looks like; everything measured is the same code.
//
// Measurements (one JSON row each, as the native benchmarks print):
//   tput IMPL SIZE [RING]  worker → worker messages/s, SIZE-byte messages
//   rtt IMPL [RING]        worker ↔ worker round trip of an 8-byte message
//   main-rtt IMPL          main thread ↔ worker round trip (the main thread never blocks)
// RING sizes the two rings alike: 'msgs' (the default), room for 1,024
// messages each; '64k', 64 KiB of ring each, as a user sizing by bytes would.
// Each row carries atomic_rtt_ns, the placement probe (atomic-probe.mjs) run
// between the measurement's own two threads right before it.
// IMPL: sabq (the JS binding: blocking calls in workers — spin, then park;
// Atomics.waitAsync on the main thread), ringbuf (ringbuf.js from npm: one SPSC
// byte ring per direction, polled), channel (a MessageChannel between the two
// workers), postmessage (the worker's own link to the main thread).
import { Sabq, SpscRing, compileSabq, END } from '../../bindings-js/src/index.js';
import { newProbe, probePing, probeEcho } from './atomic-probe.mjs';

/** A link (MessagePort, worker, parent port) as {post, listen, next}. */
export function link(post, listen) {
  const waiting = [];
  const queued = [];
  listen((m) => (waiting.length ? waiting.shift()(m) : queued.push(m)));
  return {
    post,
    // A listener replaces next(): used by the loops that answer every message.
    listen: (fn) => {
      waiting.length = 0;
      queued.splice(0).forEach(fn);
      listen(fn);
    },
    next: () => (queued.length ? Promise.resolve(queued.shift()) : new Promise((r) => waiting.push(r))),
  };
}

// ---- the worker side -------------------------------------------------------------

/**
 * One worker's part. `data` comes from the main side; `control` is the link to
 * it; `peer` the link to the other worker (channel), if any; `RingBuffer` the
 * ringbuf.js class.
 */
export async function workerSide(data, control, peer, RingBuffer) {
  const { role, impl, size, n } = data;
  const buf = new Uint8Array(size);
  let rings;
  if (impl === 'sabq') {
    const sabq = await Sabq.instantiate(data.memory, { module: data.module });
    rings = data.rings.map((r) => SpscRing.attach(sabq, r.offset, r.size));
  } else if (impl === 'ringbuf') {
    rings = data.sabs.map((s) => new RingBuffer(s, Uint8Array));
  }
  control.post('ready');
  // The placement probe, between this pair (or this worker and the main
  // thread, which pings for main-rtt), right before the start line.
  if (data.probe) {
    if (role === 'producer' || role === 'pinger') control.post({ probeNs: probePing(data.probe) });
    else probeEcho(data.probe);
  }
  await control.next(); // the start line

  const rbSend = (rb) => { while (rb.available_write() < size) {} rb.push(buf); };
  const rbRecv = (rb) => { while (rb.available_read() < size) {} rb.pop(buf); };
  // Into a preallocated buffer, as ringbuf.js pops: no allocation per message.
  const sabqRecv = (ring) => {
    const got = ring.receiveIntoWait(buf, 10_000);
    if (got === null || got === END) throw new Error('sabq: receive failed');
  };
  const sabqSend = (ring) => {
    if (!ring.sendWait(buf, 10_000)) throw new Error('sabq: send timed out');
  };

  if (role === 'producer') {
    for (let i = 0; i < n; i++) {
      buf[0] = i & 0xff;
      if (impl === 'sabq') sabqSend(rings[0]);
      else if (impl === 'ringbuf') rbSend(rings[0]);
      else peer.post(buf);
    }
  } else if (role === 'consumer') {
    if (impl === 'channel') {
      let got = 0;
      await new Promise((resolve, reject) => peer.listen((m) => {
        if (m[0] !== (got & 0xff)) reject(new Error(`message ${got} out of order`));
        if (++got === n) resolve();
      }));
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
      if (impl === 'sabq') { sabqSend(rings[0]); sabqRecv(rings[1]); }
      else if (impl === 'ringbuf') { rbSend(rings[0]); rbRecv(rings[1]); }
      else { peer.post(buf); await peer.next(); }
    }
    control.post({ ns: ((performance.now() - t0) * 1e6) / n });
    return;
  } else if (role === 'echo') {
    if (impl === 'sabq') {
      for (;;) {
        const got = rings[0].receiveIntoWait(buf, 10_000);
        if (got === END || got === null) break;
        sabqSend(rings[1]);
      }
    } else if (impl === 'ringbuf') {
      for (let i = 0; i < n; i++) { rbRecv(rings[0]); rbSend(rings[1]); }
    } else {
      const p = peer ?? control; // channel: the other worker; postmessage: the main thread
      let left = n;
      await new Promise((resolve) => p.listen((m) => { p.post(m); if (--left === 0) resolve(); }));
    }
  }
  control.post('done');
}

// ---- the main side -------------------------------------------------------------------

// Bytes of ring each side gets: room for 1,024 messages (sabq's records carry
// an 8-byte header; ringbuf.js stores bare bytes), or 64 KiB for both. The
// param of a row names it (a MessageChannel, unbounded, runs as 'msgs').
export const RINGS = {
  msgs: { param: '1024 messages', sabq: (size) => 2 ** Math.ceil(Math.log2(1024 * (8 + size))), ringbuf: (size) => 1024 * size },
  '64k': { param: '64 KiB', sabq: () => 65536, ringbuf: () => 65536 },
};

async function setup(impl, size, directions, RingBuffer, ring = 'msgs') {
  if (impl === 'sabq') {
    const module = await compileSabq();
    const memory = new WebAssembly.Memory({ initial: 32, maximum: 32, shared: true });
    const sabq = await Sabq.instantiate(memory, { module });
    const cap = RINGS[ring].sabq(size);
    let at = 64;
    const rings = [];
    for (let d = 0; d < directions; d++) {
      const r = SpscRing.create(sabq, at, cap);
      at += Math.ceil(r.size / 64) * 64;
      rings.push(r);
    }
    return { rings, data: { memory, module, rings: rings.map((r) => r.toJSON()) } };
  }
  if (impl === 'ringbuf') {
    return { data: { sabs: Array.from({ length: directions }, () => RingBuffer.getStorageForCapacity(RINGS[ring].ringbuf(size), Uint8Array)) } };
  }
  return { data: {} };
}

const row = (bench, impl, param, value, unit, probeNs) => ({ bench, impl, param, value: Number(value.toPrecision(6)), unit, atomic_rtt_ns: Math.round(probeNs) });

/**
 * Runs one measurement; returns its row. `platform`: {start(data, withPeer)
 * → {control, terminate}, RingBuffer, scale}. start() gives the two workers
 * of a pair linked peers when `withPeer` (a MessageChannel).
 */
export async function measure(platform, what, impl, size = 8, ring = 'msgs') {
  const scale = platform.scale ?? 1;
  const count = (n) => Math.max(100, Math.round(n * scale));
  if (!RINGS[ring]) throw new Error(`unknown ring sizing ${ring}`);
  const param = (s) => `${s}B, ${RINGS[ring].param}`;
  const probe = newProbe();
  if (what === 'tput') {
    const n = count(size > 64 ? 300_000 : 500_000);
    const { data } = await setup(impl, size, 1, platform.RingBuffer, ring);
    const [p, c] = await platform.startPair({ ...data, impl, size, n, probe }, ['producer', 'consumer'], impl === 'channel');
    await Promise.all([p.control.next(), c.control.next()]); // ready
    const { probeNs } = await p.control.next();
    const done = c.control.next();
    const t0 = performance.now();
    p.control.post('go');
    c.control.post('go');
    await done;
    const secs = (performance.now() - t0) / 1000;
    await Promise.all([p.terminate(), c.terminate()]);
    return row('js worker→worker throughput', impl, param(size), n / secs / 1e6, 'Mmsg/s', probeNs);
  }
  if (what === 'rtt') {
    const n = count(impl === 'channel' ? 20_000 : 100_000);
    const { data } = await setup(impl, 8, 2, platform.RingBuffer, ring);
    const [ping, echo] = await platform.startPair({ ...data, impl, size: 8, n, probe }, ['pinger', 'echo'], impl === 'channel');
    await Promise.all([ping.control.next(), echo.control.next()]);
    const { probeNs } = await ping.control.next();
    const result = ping.control.next();
    ping.control.post('go');
    echo.control.post('go');
    const { ns } = await result;
    await Promise.all([ping.terminate(), echo.terminate()]);
    return row('js worker↔worker round trip', impl, param(8), ns, 'ns', probeNs);
  }
  if (what === 'main-rtt') {
    const n = count(impl === 'sabq' ? 50_000 : 20_000);
    const buf = new Uint8Array(8);
    const s = await setup(impl, 8, 2, platform.RingBuffer);
    const echo = await platform.startOne({ ...s.data, role: 'echo', impl, size: 8, n, probe });
    await echo.control.next();
    const probeNs = probePing(probe); // the worker echoes it now, then waits for 'go'
    echo.control.post('go');
    const t0 = performance.now();
    let lastYield = t0;
    for (let i = 0; i < n; i++) {
      buf[0] = i & 0xff;
      if (impl === 'sabq') {
        const [out, back] = s.rings;
        out.send(buf);
        let m = back.receive();
        if (m === null) m = await back.receiveAsync({ timeoutMs: 10_000 });
        if (m === null || m === END) throw new Error('main-rtt: stalled');
      } else {
        const got = echo.control.next();
        echo.control.post(buf);
        await got;
      }
      // A page must not hold its thread: yield to the event loop now and then.
      if (platform.yieldEveryMs && performance.now() - lastYield > platform.yieldEveryMs) {
        await new Promise((r) => setTimeout(r, 0));
        lastYield = performance.now();
      }
    }
    const ns = ((performance.now() - t0) * 1e6) / n;
    if (impl === 'sabq') s.rings[0].close();
    await echo.terminate();
    return row('js main↔worker round trip', impl, '8B', ns, 'ns', probeNs);
  }
  throw new Error(`unknown measurement ${what}`);
}
