// tests/js/answer-spin.test.mjs — a write to a running plugin's stdin looks
// for the plugin's answer before it resolves (AnswerSpin, coordinator/pipes.js),
// so an interactive exchange does not wait for the event loop's next turn;
// a plugin that does not answer costs few spins; nothing is lost or reordered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator, layout, waitOptions } from 'sabq';
import { plugin } from './plugins.mjs';
import { AnswerSpin, PipeLease, readableFrom } from '../../bindings-js/src/coordinator/pipes.js';

const NOT_YET = Symbol('not yet');

/** Whether `reader` has a chunk queued now: a read of a queued chunk is already settled. */
async function queuedRead(reader) {
  const read = reader.read();
  const first = await Promise.race([read, Promise.resolve(NOT_YET)]);
  return first === NOT_YET ? { queued: false, result: await read } : { queued: true, result: first };
}

/** Sends `n` lines to `upper`, reading each answer; how many were in the stream when write() resolved. */
async function converse(n) {
  const c = await Coordinator.create({ workers: 1 });
  try {
    await c.load('upper', plugin('upper'));
    const p = c.spawn('upper');
    const reader = p.stdout.getReader();
    let queued = 0;
    for (let i = 0; i < n; i++) {
      await p.write(`line ${i}\n`);
      const r = await queuedRead(reader);
      if (r.queued) queued++;
      // upper answers each line with one write: the whole answer, in order
      assert.equal(new TextDecoder().decode(r.result.value), `LINE ${i}\n`);
      // A turn of the event loop before the next line: the stream's next read
      // of stdout has started and parked by then, so an answer found queued
      // was taken by the write (a read started after the write could find it
      // by itself).
      await new Promise((resolve) => setImmediate(resolve));
    }
    p.closeStdin();
    assert.equal((await reader.read()).done, true, 'the stream ends after the last answer');
    assert.equal(await p.exit, 0);
    return queued;
  } finally {
    await c.close();
  }
}

test('a write resolves with the answer already in the stdout stream', async () => {
  const queued = await converse(40);
  // Each answer comes within microseconds from a spinning worker; one caught
  // is enough to show the mechanism works, and leaves room for a busy machine.
  assert.ok(queued >= 1, `no answer of 40 was there when write() resolved`);
});

/** Runs fn with waitOptions.answerSpinMicros set to `micros`, then puts it back. */
async function withAnswerSpin(micros, fn) {
  const saved = waitOptions.answerSpinMicros;
  waitOptions.answerSpinMicros = micros;
  try {
    return await fn();
  } finally {
    waitOptions.answerSpinMicros = saved;
  }
}

/** Which of the next `n` writes looked at stdout (counted from 0). */
function writesThatLooked(spin, counter, n) {
  const looked = [];
  for (let w = 0; w < n; w++) {
    const before = counter.looks;
    spin.afterWrite();
    if (counter.looks > before) looked.push(w);
  }
  return looked;
}

test('without the answer spin, an answer comes only on a later turn of the event loop', async () => {
  // The control for the test above: its measure can fail. With the spin off,
  // the parked read of stdout is woken by a task, which cannot run between a
  // write's resolution and the look at the stream.
  assert.equal(await withAnswerSpin(0, () => converse(20)), 0);
});

test('a plugin that does not answer: spins back off to one write in 64, and an answer resets that', () =>
  withAnswerSpin(1, () => {
    const spin = new AnswerSpin();
    const counter = { looks: 0, answer: null };
    spin.afterWrite(); // nothing attached: no stream reads stdout yet
    spin.attach(() => {
      counter.looks++;
      return counter.answer;
    });
    const spun = writesThatLooked(spin, counter, 300);
    // misses 1 and 2, then skips of 1, 2, 4, ... 64 between spins
    assert.deepEqual(spun.slice(0, 9), [0, 1, 3, 6, 11, 20, 37, 70, 135]);
    assert.equal(spun.length, 11); // 135, then every 65th write: 200, 265
    counter.answer = new Uint8Array(1);
    // The last skip (64, from write 266) runs out at the 31st write; that
    // look finds the answer, and with answers found every write looks.
    assert.deepEqual(writesThatLooked(spin, counter, 65), Array.from({ length: 35 }, (_, k) => 30 + k));
    counter.answer = null;
    assert.deepEqual(writesThatLooked(spin, counter, 4), [0, 1, 3], 'after an answer, the back-off starts over');
  }));

test('answerSpinMicros 0 turns the spin off', () =>
  withAnswerSpin(0, () => {
    const spin = new AnswerSpin();
    const counter = { looks: 0, answer: null };
    spin.attach(() => {
      counter.looks++;
      return null;
    });
    assert.deepEqual(writesThatLooked(spin, counter, 10), []);
  }));

test('a corrupt stdout pipe does not fail the write that looked at it', async () => {
  const c = await Coordinator.create({ workers: 1 });
  try {
    await c.load('upper', plugin('upper'));
    const p = c.spawn('upper');
    const reader = p.stdout.getReader();
    await p.write('a\n');
    assert.equal(new TextDecoder().decode((await reader.read()).value), 'A\n');
    await new Promise((resolve) => setImmediate(resolve)); // the next read parks
    // A hostile peer moves stdout's head a ring and more past its tail: a read
    // of it fails (EPROTO), here in the write's look for the answer.
    const pipe = p._stdout.pipe;
    const u32 = new Uint32Array(c.memory.buffer);
    const tail = u32[(pipe.offset + layout.CONS_TAIL) >> 2];
    u32[(pipe.offset + layout.PROD_HEAD) >> 2] = tail + pipe.capacity + 64;
    assert.equal(await p.write('b\n'), 2, 'the bytes went in: the write succeeds');
    p.kill();
    await p.exit.catch(() => {});
  } finally {
    await c.close();
  }
});

test('a pipeline: a write to the first stage looks for the last stage\'s answer', async () => {
  const c = await Coordinator.create({ workers: 2 });
  try {
    await c.load('upper', plugin('upper'));
    const last = c.pipeline([{ plugin: 'upper' }, { plugin: 'upper' }]);
    const reader = last.stdout.getReader();
    let queued = 0;
    let got = '';
    for (let i = 0; i < 30; i++) {
      await last.first.write(`p${i}\n`);
      const r = await queuedRead(reader);
      if (r.queued) queued++;
      got += new TextDecoder().decode(r.result.value);
      await new Promise((resolve) => setImmediate(resolve)); // as in converse()
    }
    last.first.closeStdin();
    assert.equal((await reader.read()).done, true);
    assert.equal(got, Array.from({ length: 30 }, (_, i) => `P${i}\n`).join(''));
    assert.equal(await last.exit, 0);
    assert.ok(queued >= 1, 'no answer of 30 came through the pipeline within the write');
  } finally {
    await c.close();
  }
});

test('a chunk the stream\'s own read has taken is never overtaken by the answer spin', async () => {
  // The stream's read takes a chunk synchronously when the pipe has one and
  // delivers it a microtask later; a write's look in between must not hand
  // the stream a later chunk first. Driven by hand: reader.read() of a
  // queued chunk starts the next read at once (the stream pulls to refill).
  const c = await Coordinator.create({ workers: 1 });
  try {
    const lease = PipeLease.create(c.ctx.sabq, c.ctx.arena, 'reader');
    const answers = new AnswerSpin();
    const reader = readableFrom(lease, 'reader', answers).getReader();
    const text = async (read) => new TextDecoder().decode((await read).value);
    const put = (s) => assert.equal(lease.pipe.write(new TextEncoder().encode(s)), s.length);
    put('A');
    await new Promise((resolve) => setImmediate(resolve)); // the stream pulls ahead: A is queued
    put('B');
    const a = reader.read(); // takes A; the refill read takes B at once, delivers it later
    put('C');
    answers.afterWrite(); // must not deliver C before B
    assert.deepEqual([await text(a), await text(reader.read()), await text(reader.read())], ['A', 'B', 'C']);
    // And the look does take an answer while the stream's read is parked.
    await new Promise((resolve) => setImmediate(resolve)); // the refill read parks on the empty pipe
    const d = reader.read();
    put('D');
    answers.afterWrite();
    assert.equal(await Promise.race([d, Promise.resolve(NOT_YET)]) !== NOT_YET, true, 'D was taken by the look');
    assert.equal(await text(d), 'D');
    reader.releaseLock();
    lease.pipe.close();
  } finally {
    await c.close();
  }
});
