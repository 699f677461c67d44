// tests/js/answer-spin.test.mjs — a write to a running plugin's stdin looks
// for the plugin's answer before it resolves (AnswerSpin, coordinator/pipes.js),
// so an interactive exchange does not wait for the event loop's next turn;
// a plugin that does not answer costs few spins; nothing is lost or reordered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator, layout, waitOptions } from 'sabq';
import { plugin } from './plugins.mjs';
import { AnswerSpin } from '../../bindings-js/src/coordinator/pipes.js';

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

test('without the answer spin, an answer comes only on a later turn of the event loop', async () => {
  // The control for the test above: its measure can fail. With the spin off,
  // the parked read of stdout is woken by a task, which cannot run between a
  // write's resolution and the look at the stream.
  const saved = waitOptions.answerSpinMicros;
  waitOptions.answerSpinMicros = 0;
  try {
    assert.equal(await converse(20), 0);
  } finally {
    waitOptions.answerSpinMicros = saved;
  }
});

test('a plugin that does not answer: spins back off to one write in 64, and an answer resets that', () => {
  const saved = waitOptions.answerSpinMicros;
  waitOptions.answerSpinMicros = 1;
  try {
    const spin = new AnswerSpin();
    let looks = 0;
    let answer = null;
    spin.afterWrite(); // nothing attached: no stream reads stdout yet
    spin.attach(() => {
      looks++;
      return answer;
    });
    const spun = [];
    for (let w = 0; w < 300; w++) {
      const before = looks;
      spin.afterWrite();
      if (looks > before) spun.push(w);
    }
    // misses 1 and 2, then skips of 1, 2, 4, ... 64 between spins
    assert.deepEqual(spun.slice(0, 9), [0, 1, 3, 6, 11, 20, 37, 70, 135]);
    assert.equal(spun.length, 11); // 135, then every 65th write: 200, 265
    answer = new Uint8Array(1);
    for (let w = 0; w < 64; w++) spin.afterWrite(); // the skip runs out, a spin finds the answer
    const hitAt = looks;
    answer = null;
    spin.afterWrite();
    spin.afterWrite();
    assert.equal(looks - hitAt >= 2, true, 'after an answer, the next two writes spin again');
  } finally {
    waitOptions.answerSpinMicros = saved;
  }
});

test('answerSpinMicros 0 turns the spin off', () => {
  const saved = waitOptions.answerSpinMicros;
  waitOptions.answerSpinMicros = 0;
  try {
    const spin = new AnswerSpin();
    let looks = 0;
    spin.attach(() => {
      looks++;
      return null;
    });
    for (let w = 0; w < 10; w++) spin.afterWrite();
    assert.equal(looks, 0);
  } finally {
    waitOptions.answerSpinMicros = saved;
  }
});

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
