// tests/js/names.test.mjs — the JS names keep C's contracts (send never
// blocks, sendWait does), the pre-0.2 names still work, and a caller in the
// old blocking style is told so instead of silently getting a non-blocking call.
import test from 'node:test';
import assert from 'node:assert/strict';
import { SpscRing, Pipe, MpmcQueue, END } from '../../bindings-js/src/index.js';
import { freshSabq } from './helpers.mjs';

async function rings() {
  const sabq = await freshSabq();
  return {
    ring: SpscRing.create(sabq, 64, 64),
    pipe: Pipe.create(sabq, 4096, 64),
    queue: MpmcQueue.create(sabq, 8192, 2, 8),
  };
}

test('the plain names never block: full and empty return at once', async () => {
  const { ring, pipe, queue } = await rings();
  while (ring.send('x')); // fills, then false
  assert.equal(ring.send('x'), false);
  assert.equal(pipe.write(new Uint8Array(100)), 64); // what fits
  assert.equal(pipe.write('more'), 0);
  assert.ok(queue.push('a') && queue.push('b'));
  assert.equal(queue.push('c'), false);
  const empty = await rings();
  assert.equal(empty.ring.receive(), null);
  assert.equal(empty.ring.receiveString(), null);
  assert.equal(empty.ring.receiveInto(new Uint8Array(8)), null);
  assert.equal(empty.pipe.read(), null);
  assert.equal(empty.pipe.readInto(new Uint8Array(8)), -1);
  assert.equal(empty.queue.pop(), null);
});

test('the ...Wait names block up to their timeout (Node main thread may block)', async () => {
  const { ring, pipe, queue } = await rings();
  const t0 = performance.now();
  assert.equal(ring.receiveWait(30), null);
  assert.equal(pipe.readWait(64, 30), null);
  assert.equal(queue.popWait(30), null);
  assert.ok(performance.now() - t0 >= 85, 'three 30 ms waits took less than 85 ms');
  assert.equal(ring.sendWait('hi', 10), true);
  assert.equal(ring.receiveStringWait(10), 'hi');
  ring.close();
  assert.equal(ring.receiveWait(10), END);
});

test('a timeout given to a non-blocking name throws and names the blocking form', async () => {
  const { ring, pipe, queue } = await rings();
  const moved = (name) => (e) => e instanceof TypeError && e.message.includes(`${name}()`);
  assert.throws(() => ring.send('x', 1000), moved('sendWait'));
  assert.throws(() => ring.receive(1000), moved('receiveWait'));
  assert.throws(() => ring.receiveInto(new Uint8Array(8), 1000), moved('receiveIntoWait'));
  assert.throws(() => ring.receiveString(1000), moved('receiveStringWait'));
  assert.throws(() => pipe.write('x', 1000), moved('writeWait'));
  assert.throws(() => pipe.read(64, 1000), moved('readWait'));
  assert.throws(() => pipe.readInto(new Uint8Array(8), 0, 8, 1000), moved('readIntoWait'));
  assert.throws(() => queue.push('x', 1000), moved('pushWait'));
  assert.throws(() => queue.pop(1000), moved('popWait'));
  assert.equal(ring.used, 0, 'the refused send moved nothing');
});

test('the pre-0.2 try* names are deprecated aliases with the same behaviour, warning once', async (t) => {
  const { ring, pipe, queue } = await rings();
  const warnings = [];
  t.mock.method(console, 'warn', (msg) => warnings.push(msg));
  assert.equal(ring.trySend('a'), true);
  assert.equal(ring.trySend('b'), true);
  assert.equal(ring.tryReceiveString(), 'a');
  assert.deepEqual([...ring.tryReceive()], [98]);
  assert.equal(ring.tryReceiveInto(new Uint8Array(4)), null);
  assert.equal(pipe.tryWrite('xyz'), 3);
  assert.equal(pipe.tryReadInto(new Uint8Array(1)), 1);
  assert.deepEqual([...pipe.tryRead()], [121, 122]);
  assert.equal(queue.tryPush('q'), true);
  assert.deepEqual([...queue.tryPop()], [113]);
  const names = ['trySend', 'tryReceiveString', 'tryReceive', 'tryReceiveInto', 'tryWrite', 'tryReadInto', 'tryRead', 'tryPush', 'tryPop'];
  for (const n of names) assert.equal(warnings.filter((w) => w.includes(`.${n}()`)).length, 1, `${n} warned once`);
});
