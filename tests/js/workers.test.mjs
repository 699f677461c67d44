// tests/js/workers.test.mjs — rings between threads: worker ↔ worker with the
// blocking API and main thread ↔ worker with the async API, 10^6 messages per
// ring kind, every message checked for loss, duplication and order.
import test from 'node:test';
import assert from 'node:assert/strict';
import { SpscRing, Pipe, MpmcQueue, END } from '../../bindings-js/src/index.js';
import { freshSabq, runWorker, payload, checkPayload } from './helpers.mjs';
import { wokenAsync } from './whole-timeout.mjs';

const N = 1_000_000;

test('SPSC worker → worker: 10^6 messages in order', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 1 << 16);
  const job = { kind: 'spsc', offset: ring.offset, size: ring.size, count: N };
  const [p, c] = await Promise.all([runWorker(sabq, { ...job, role: 'produce' }), runWorker(sabq, { ...job, role: 'consume' })]);
  assert.equal(p.ok, true, p.error);
  assert.equal(c.ok, true, c.error);
  assert.equal(c.received, N);
});

test('pipe worker → worker: 64 MB byte stream, checked byte for byte, then EOF', async () => {
  const sabq = await freshSabq();
  const pipe = Pipe.create(sabq, 64, 1 << 16);
  const job = { kind: 'pipe', offset: pipe.offset, size: pipe.size, count: 64 << 20 };
  const [w, r] = await Promise.all([runWorker(sabq, { ...job, role: 'pipeWrite' }), runWorker(sabq, { ...job, role: 'pipeRead' })]);
  assert.equal(w.ok, true, w.error);
  assert.equal(r.ok, true, r.error);
  assert.equal(r.read, 64 << 20);
});

test('MPMC 2 producers × 2 consumers: 10^6 messages, each exactly once, per-producer order', async () => {
  const sabq = await freshSabq();
  const q = MpmcQueue.create(sabq, 64, 1024, 48);
  const job = { kind: 'mpmc', offset: q.offset, size: q.size, count: N / 2, producers: 2 };
  const consumers = [runWorker(sabq, { ...job, role: 'consume' }), runWorker(sabq, { ...job, role: 'consume' })];
  const producers = await Promise.all([runWorker(sabq, { ...job, role: 'produce', id: 0 }), runWorker(sabq, { ...job, role: 'produce', id: 1 })]);
  for (const p of producers) assert.equal(p.ok, true, p.error);
  q.close(); // the consumers drain, then see END
  const results = await Promise.all(consumers);
  for (const c of results) assert.equal(c.ok, true, c.error);
  // Each consumer checked per-producer order; together, every (producer,
  // sequence) must have been seen exactly once.
  assert.equal(results[0].received + results[1].received, N);
  for (let pid = 0; pid < 2; pid++) {
    for (let seq = 0; seq < N / 2; seq++) {
      const times = results[0].seen[pid][seq] + results[1].seen[pid][seq];
      if (times !== 1) assert.fail(`(${pid}, ${seq}) seen ${times} times`);
    }
  }
});

test('main thread → worker → main thread: 10^6 messages through async calls', async () => {
  const sabq = await freshSabq();
  const out = SpscRing.create(sabq, 64, 1 << 16);
  const back = SpscRing.create(sabq, 64 + out.size, 1 << 16);
  const worker = runWorker(sabq, { kind: 'spsc', role: 'echo', offset: out.offset, size: out.size, replyOffset: back.offset, replySize: back.size });
  let sent = 0;
  let received = 0;
  const producer = (async () => {
    for (; sent < N; sent++) {
      const m = payload(7, sent);
      if (!out.send(m)) assert.equal(await wokenAsync('sendAsync', 10000, () => out.sendAsync(m, { timeoutMs: 10000 })), true);
    }
    out.close();
  })();
  for (;;) {
    let m = back.receive();
    if (m === null) m = await wokenAsync('receiveAsync', 10000, () => back.receiveAsync({ timeoutMs: 10000 }));
    if (m === END) break;
    assert.notEqual(m, null, `timed out after ${received}`);
    const [id, seq] = checkPayload(m);
    assert.equal(id, 7);
    assert.equal(seq, received);
    received++;
  }
  await producer;
  const w = await worker;
  assert.equal(w.ok, true, w.error);
  assert.equal(received, N);
});

// With spin 0 every wait parks, so the moment between a failed check and the
// sleep comes up at nearly every message: a wait that loses a wake-up there
// sleeps its whole timeout, which the roles count as a failure (woken()).
test('spin 0, every wait parks: SPSC, pipe and MPMC worker → worker, no wait sleeps its whole timeout', async () => {
  const sabq = await freshSabq();
  const M = 100_000;
  const parks = { spin: 0, timeoutMs: 5000 };
  const ring = SpscRing.create(sabq, 64, 1024);
  const pipe = Pipe.create(sabq, 64 + ring.size, 1024);
  const q = MpmcQueue.create(sabq, 64 + ring.size + pipe.size, 16, 48);
  const spsc = { ...parks, kind: 'spsc', offset: ring.offset, size: ring.size, count: M };
  const bytes = { ...parks, kind: 'pipe', offset: pipe.offset, size: pipe.size, count: 16 * M, chunk: 64 };
  const mpmc = { ...parks, kind: 'mpmc', offset: q.offset, size: q.size, count: M };
  const consumer = runWorker(sabq, { ...mpmc, role: 'consume' });
  const [p, c, w, r, mp] = await Promise.all([
    runWorker(sabq, { ...spsc, role: 'produce' }), runWorker(sabq, { ...spsc, role: 'consume' }),
    runWorker(sabq, { ...bytes, role: 'pipeWrite' }), runWorker(sabq, { ...bytes, role: 'pipeRead' }),
    runWorker(sabq, { ...mpmc, role: 'produce' }),
  ]);
  q.close(); // the MPMC consumer drains, then sees END
  const mc = await consumer;
  for (const x of [p, c, w, r, mp, mc]) assert.equal(x.ok, true, x.error);
  assert.equal(c.received, M);
  assert.equal(r.read, 16 * M);
  assert.equal(mc.received, M);
});
