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

test('pipe: read(max) allocates what is there, not max, also when the data wraps', async () => {
  const sabq = await freshSabq();
  const pipe = Pipe.create(sabq, 64, 65536);
  // A reader polling for chunks of 64 KiB (as a stream's pull does) once
  // allocated and zeroed 64 KiB per look; a kept chunk held all of it.
  pipe.write('ping\n');
  const line = pipe.read(65536);
  assert.equal(new TextDecoder().decode(line), 'ping\n');
  assert.equal(line.buffer.byteLength, 5, 'a 5-byte read holds 5 bytes');
  assert.equal(pipe.read(65536), null, 'nothing there: nothing read');
  // Wrapped: the bytes sit at the end of the pipe and again at its start.
  pipe.write(new Uint8Array(65536 - 10));
  assert.equal(pipe.read(65536).length, 65536 - 10);
  pipe.write(new Uint8Array(30).fill(7));
  const wrapped = pipe.read(65536);
  assert.deepEqual([wrapped.length, wrapped.buffer.byteLength, wrapped.every((b) => b === 7)], [30, 30, true]);
  pipe.write('abc');
  assert.equal(pipe.read(2).buffer.byteLength, 2, 'max still bounds it');
  pipe.close();
  assert.equal(new TextDecoder().decode(pipe.read(65536)), 'c');
  assert.equal(pipe.read(65536), END);
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

test('mpmc: slots of 2 MiB and more (where-and-how-long as a BigInt)', async () => {
  const sabq = await freshSabq(100);
  const q = MpmcQueue.create(sabq, 64, 2, layout.JS_PACKED_LEN + 8);
  const big = new Uint8Array(layout.JS_PACKED_LEN + 8).fill(5);
  assert.equal(q.push('small'), true);
  assert.equal(q.push(big), true);
  assert.equal(new TextDecoder().decode(q.pop()), 'small');
  const got = q.pop();
  assert.equal(got.length, big.length);
  assert.ok(got.every((x) => x === 5));
  assert.equal(q.pop(), null);
});
