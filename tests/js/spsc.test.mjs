// tests/js/spsc.test.mjs — the SPSC ring from JavaScript, single-threaded.
import test from 'node:test';
import assert from 'node:assert/strict';
import { SpscRing, END, SabqError, layout } from '../../bindings-js/src/index.js';
import { freshSabq } from './helpers.mjs';

test('send and receive bytes and strings in order, across many wraps', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 4096, 256);
  for (let i = 0; i < 10000; i++) {
    assert.equal(ring.send(`message ${i}`), true);
    assert.equal(ring.receiveString(), `message ${i}`);
  }
  assert.equal(ring.receive(), null);
});

test('full ring refuses without moving anything; receive frees room', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 64); // msgMax 24
  let sent = 0;
  while (ring.send(new Uint8Array([sent]))) sent++;
  assert.equal(sent, 4); // 4 records of 16 bytes
  const used = ring.used;
  assert.equal(ring.send(new Uint8Array([9])), false);
  assert.equal(ring.used, used);
  assert.deepEqual([...ring.receive()], [0]);
  assert.equal(ring.send(new Uint8Array([4])), true);
});

test('largest message fits; one byte more is EMSGSIZE', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 1024);
  assert.equal(ring.msgMax, 1024 / 2 - 8);
  assert.equal(ring.send(new Uint8Array(ring.msgMax).fill(7)), true);
  assert.throws(() => ring.send(new Uint8Array(ring.msgMax + 1)), (e) => e instanceof SabqError && e.code === 'EMSGSIZE');
  assert.equal(ring.receive().length, ring.msgMax);
});

test('zero-copy reserve/commit and peek/release', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  const view = ring.reserve(100);
  view.set([1, 2, 3]);
  ring.commit(3); // shorter than reserved
  const seen = ring.peek();
  assert.deepEqual([...seen], [1, 2, 3]);
  assert.equal(seen.buffer, sabq.memory.buffer); // a view of the ring, not a copy
  ring.release();
  assert.equal(ring.peek(), null);
});

test('close: sends fail with EPIPE, the reader drains then sees END', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  ring.send('last');
  ring.close();
  assert.equal(ring.closed, true);
  assert.throws(() => ring.send('late'), (e) => e.code === 'EPIPE');
  assert.equal(ring.receiveString(), 'last');
  assert.equal(ring.receive(), END);
});

test('attach validates the header: corrupt magic, wrong kind, bad size', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  const again = SpscRing.attach(sabq, 64, ring.size);
  assert.equal(again.capacity, 4096);
  assert.equal(again.msgMax, ring.msgMax);
  assert.throws(() => SpscRing.attach(sabq, 64, ring.size - 1), (e) => e.code === 'EPROTO');
  const u32 = new Uint32Array(sabq.memory.buffer);
  u32[(64 + layout.HDR_CAPACITY) >> 2] = 3000; // not a power of two
  assert.throws(() => SpscRing.attach(sabq, 64, ring.size), (e) => e.code === 'EPROTO' && /corrupt/.test(e.message));
  u32[(64 + layout.HDR_MAGIC) >> 2] = 0xdeadbeef;
  assert.throws(() => SpscRing.attach(sabq, 64, ring.size), (e) => e.code === 'EPROTO');
  assert.throws(() => SpscRing.attach(sabq, 1 << 20, 4352), (e) => e.code === 'EPROTO'); // zeroed memory
});

test('a corrupt head from the peer gives EPROTO, not a bad view', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  ring.send('ok');
  const u32 = new Uint32Array(sabq.memory.buffer);
  u32[(64 + layout.PROD_HEAD) >> 2] = 1 << 20; // head - tail > capacity
  // The sealed record is whole and is read by its seal, without head.
  assert.equal(new TextDecoder().decode(ring.receive()), 'ok');
  assert.equal(ring.receive(), null, 'nothing sealed: empty, head not consulted');
  // At the close, head decides where the stream ends: a corrupt one is EPROTO.
  ring.close();
  assert.throws(() => ring.receive(), (e) => e.code === 'EPROTO');
});

test('a corrupt record length behind a valid seal gives EPROTO', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  ring.send('ok');
  const u32 = new Uint32Array(sabq.memory.buffer);
  u32[(64 + layout.DATA_OFFSET) >> 2] = 4000; // the record's length, beyond msgMax
  assert.throws(() => ring.receive(), (e) => e.code === 'EPROTO');
});

test('create refuses bad arguments with EINVAL', async () => {
  const sabq = await freshSabq();
  assert.throws(() => SpscRing.create(sabq, 0, 4096), (e) => e.code === 'EINVAL'); // the null pointer
  assert.throws(() => SpscRing.create(sabq, 32, 4096), (e) => e.code === 'EINVAL'); // misaligned
  assert.throws(() => SpscRing.create(sabq, 64, 1000), (e) => e.code === 'EINVAL'); // not a power of two
  assert.throws(() => SpscRing.create(sabq, 64, 1 << 24), (e) => e.code === 'EINVAL'); // larger than memory
  assert.throws(() => SpscRing.create(sabq, 64, 4096, { msgMax: 4096 }), (e) => e.code === 'EINVAL');
});

test('tryReceiveInto copies into a caller buffer, keeps a message too long for it', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  assert.equal(ring.send('hello'), true);
  assert.equal(ring.send(new Uint8Array(100).fill(7)), true);
  const buf = new Uint8Array(16);
  assert.equal(ring.receiveInto(buf), 5);
  assert.equal(new TextDecoder().decode(buf.subarray(0, 5)), 'hello');
  assert.throws(() => ring.receiveInto(buf), (e) => e instanceof SabqError && e.code === 'EMSGSIZE');
  const big = new Uint8Array(100);
  assert.equal(ring.receiveInto(big), 100, 'the long message stayed queued');
  assert.equal(big[99], 7);
  assert.equal(ring.receiveInto(buf), null);
  ring.close();
  assert.equal(ring.receiveInto(buf), END);
  assert.equal(ring.receiveIntoWait(buf, 10), END);
});

test('a ring created after the memory grew is reachable through the cached views', async () => {
  const { Sabq } = await import('../../bindings-js/src/index.js');
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
  const sabq = await Sabq.instantiate(memory);
  const first = SpscRing.create(sabq, 64, 1024);
  assert.equal(first.send('before'), true);
  memory.grow(2);
  const far = SpscRing.create(sabq, 65536 + 64, 4096); // beyond the first views' end
  assert.equal(far.send('after'), true);
  assert.equal(far.receiveString(), 'after');
  assert.equal(first.receiveString(), 'before');
});

// Rings whose messages may reach 2^21 bytes get where-and-how-long from C as
// a BigInt instead of one packed number; short ones still use the stage.
test('a ring for messages of 2 MiB and more: every receive form, short and long', async () => {
  const sabq = await freshSabq(200);
  const ring = SpscRing.create(sabq, 64, 1 << 23);
  assert.ok(ring.msgMax >= layout.JS_PACKED_LEN);
  const sizes = [0, 10, 100, layout.JS_PACKED_LEN - 1, layout.JS_PACKED_LEN + 3, ring.msgMax];
  const msg = (n) => Uint8Array.from({ length: n }, (_, j) => (j * 13 + n) & 255);
  const same = (a, b) => a.length === b.length && a.every((x, j) => x === b[j]);
  for (const n of sizes) {
    assert.equal(ring.send(msg(n)), true, `send ${n}`);
    assert.ok(same(ring.receive(), msg(n)), `receive ${n}`);
    assert.equal(ring.send(msg(n)), true);
    const buf = new Uint8Array(n + 1);
    assert.equal(ring.receiveInto(buf), n, `receiveInto ${n}`);
    assert.ok(same(buf.subarray(0, n), msg(n)));
    assert.equal(ring.send(msg(n)), true);
    assert.ok(same(ring.peek(), msg(n)), `peek ${n}`);
    ring.release();
  }
  assert.equal(ring.receive(), null);
});

test('a fixed-size ring laid out by C is refused with a clear EPROTO, in JS and in sabq.wasm', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  // The header sabq_spsc_init_fixed(…, 64 slots, 8-byte messages) writes.
  const u32 = new Uint32Array(sabq.memory.buffer), u16 = new Uint16Array(sabq.memory.buffer);
  u16[(64 + layout.HDR_KIND) >> 1] = layout.KIND_SPSC_FIXED;
  u32[(64 + layout.HDR_CAPACITY) >> 2] = 64;
  u32[(64 + layout.HDR_MSG_MAX) >> 2] = 8;
  u32[(64 + layout.HDR_STRIDE) >> 2] = 8;
  u32[(64 + layout.HDR_TOTAL_SIZE) >> 2] = layout.DATA_OFFSET + 64 * 8;
  assert.throws(() => SpscRing.attach(sabq, 64, ring.size), (e) => e.code === 'EPROTO' && /fixed-size ring/.test(e.message));
  // Past the JS check, sabq.wasm's own attach refuses it too.
  const ex = sabq.exports;
  assert.equal(ex.sabq_js_attach_capacity(layout.KIND_SPSC, 64, ring.size), -71);
  assert.equal(ex.sabq_js_attach_msg_max(layout.KIND_SPSC, 64, ring.size, 64), -71);
});
