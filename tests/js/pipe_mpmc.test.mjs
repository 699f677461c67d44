// tests/js/pipe_mpmc.test.mjs — the byte pipe and the MPMC queue from
// JavaScript, single-threaded.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Pipe, MpmcQueue, END, layout } from '../../bindings-js/src/index.js';
import { freshSabq } from './helpers.mjs';

test('pipe: partial writes, partial reads, wrap, end of stream', async () => {
  const sabq = await freshSabq();
  const pipe = Pipe.create(sabq, 64, 64);
  const data = Uint8Array.from({ length: 100 }, (_, i) => i);
  assert.equal(pipe.write(data), 64); // only what fits
  assert.deepEqual([...pipe.read(10)], data.slice(0, 10).reduce((a, b) => [...a, b], []));
  assert.equal(pipe.write(data.subarray(64)), 10); // wraps around the end
  const rest = pipe.read(1000);
  assert.equal(rest.length, 64);
  assert.deepEqual([...rest], [...data.slice(10, 74)]);
  assert.equal(pipe.read(), null);
  pipe.close();
  assert.equal(pipe.read(), END);
  assert.throws(() => pipe.write('x'), (e) => e.code === 'EPIPE');
});

test('pipe: readInto returns 0 at end of stream and -1 when empty', async () => {
  const sabq = await freshSabq();
  const pipe = Pipe.create(sabq, 64, 1024);
  const buf = new Uint8Array(8);
  assert.equal(pipe.readInto(buf), -1);
  pipe.write('abc');
  pipe.close();
  assert.equal(pipe.readInto(buf), 3);
  assert.equal(pipe.readInto(buf), 0);
});

test('mpmc: FIFO, full, too large, close drains then END', async () => {
  const sabq = await freshSabq();
  const q = MpmcQueue.create(sabq, 64, 8, 16);
  for (let i = 0; i < 8; i++) assert.equal(q.push(`m${i}`), true);
  assert.equal(q.push('full'), false);
  assert.equal(q.used, 8);
  assert.throws(() => q.push(new Uint8Array(17)), (e) => e.code === 'EMSGSIZE');
  q.close();
  for (let i = 0; i < 8; i++) assert.equal(new TextDecoder().decode(q.pop()), `m${i}`);
  assert.equal(q.pop(), END);
});

test('mpmc: attach checks the header; a corrupt slot length is EPROTO', async () => {
  const sabq = await freshSabq();
  const q = MpmcQueue.create(sabq, 64, 8, 16);
  const again = MpmcQueue.attach(sabq, 64, q.size);
  assert.equal(again.capacity, 8);
  assert.equal(again.msgMax, 16);
  q.push('x');
  const u32 = new Uint32Array(sabq.memory.buffer);
  u32[(64 + layout.DATA_OFFSET + layout.SLOT_LEN) >> 2] = 1 << 20; // slot 0's length
  assert.throws(() => q.pop(), (e) => e.code === 'EPROTO');
  assert.equal(q.pop(), null); // the slot was handed back; the queue goes on
  assert.throws(() => Pipe.attach(sabq, 64, q.size), (e) => e.code === 'EPROTO'); // wrong kind
});
