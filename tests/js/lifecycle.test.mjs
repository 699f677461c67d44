// tests/js/lifecycle.test.mjs — every public call settles its own work
// before it resolves, so close() right after any of them never rejects a
// promise nobody holds; and a worker that dies in the middle of writing a
// large stdout costs that task only (ECRASHED), gives the reader exactly the
// bytes written, and leaves memory and the pool as they were.
// SABQ_LIFECYCLE_ROUNDS sets the rounds (1000 by default).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator, TaskError } from 'sabq';
import { plugin } from './plugins.mjs';

const ROUNDS = Number(process.env.SABQ_LIFECYCLE_ROUNDS ?? 1000);
const task = { url: new URL('./fixtures/tasks.mjs', import.meta.url), export: 'square' };

/**
 * `promise`, or an error naming `what` if it takes longer than `ms`: a stuck
 * round says where, and `state()` (if given) what the coordinator looked like.
 */
function within(ms, promise, what, state = () => '') {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`stuck for ${ms} ms: ${what} ${state()}`)), ms);
  })]).finally(() => clearTimeout(timer));
}

/** The task's state and every worker's, for a stuck round's message. */
function stateOf(c, p) {
  const workers = [...c.pool.workers].map((w) => ({ id: w.id, ready: !!w.isReady, dead: w.dead, task: w.task?.id ?? null }));
  return JSON.stringify({ task: { id: p._task.id, state: p._task.state, worker: p._task.worker?.id ?? null }, workers, tasks: [...c.dispatch.tasks.keys()] });
}

/** Fails the test on any rejection nobody handled while `fn` runs (and a turn after). */
async function noUnhandled(fn) {
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    await fn();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled.map(String), [], 'unhandled rejections');
}

// Each public call, awaited as a user would, then close() at once.
const calls = {
  'create': async () => {},
  'load': (c) => c.load('gen', plugin('gen')),
  'image': (c) => c.image({ a: 'b' }),
  'run': (c) => c.run(task, { i: 3, runs: new Int32Array(new SharedArrayBuffer(16)) }),
  'spawn().text()': async (c) => {
    await c.load('wc', plugin('wc'));
    await c.spawn('wc', { stdin: 'a b\n' }).text();
  },
  'pipeline().text()': async (c) => {
    await c.load('gen', plugin('gen'));
    await c.load('wc', plugin('wc'));
    const r = await c.pipeline([{ plugin: 'gen', args: ['100'] }, { plugin: 'wc' }], { stdin: null }).text();
    assert.equal(r.stdout, '100 100 292\n');
  },
  'spawn().files()': async (c) => {
    await c.load('wc', plugin('wc'));
    const p = c.spawn('wc', { stdin: null, mounts: { '/w': { x: 'y' } } });
    assert.equal(new TextDecoder().decode((await p.files('/w')).x), 'y');
  },
  'spawn() left running': async (c) => {
    await c.load('wc', plugin('wc'));
    c.spawn('wc'); // waits for stdin; close() ends it, and nobody holds its promise
  },
};

test(`each public call, then close(), ${ROUNDS} rounds in all: no unhandled rejection`, { timeout: 600_000 }, async () => {
  const names = Object.keys(calls);
  await noUnhandled(async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const c = await Coordinator.create({ workers: 1 });
      await calls[names[i % names.length]](c);
      await c.close();
    }
  });
});

test(`a worker dies mid-write ${ROUNDS} times: ECRASHED, a clean prefix, memory and pool flat`, { timeout: 600_000 }, async () => {
  const c = await Coordinator.create({ workers: 2 });
  try {
    await c.load('gen', plugin('gen'));
    const expected = Array.from({ length: 400_000 }, (_, k) => `${k + 1}\n`).join('');
    const memory = c.memory.buffer.byteLength;
    let arenaUsed = null;
    let killed = 0;
    await noUnhandled(async () => {
      for (let i = 0; i < ROUNDS; i++) {
        const p = c.spawn('gen', { args: ['400000'], stdin: null });
        const reader = p.stdout.getReader();
        let got = '';
        const decoder = new TextDecoder();
        // Read a little, then kill the worker's thread under it.
        for (let k = 0; k < 1 + (i % 3); k++) {
          const { value, done } = await within(30_000, reader.read(), `round ${i}: first reads`, () => stateOf(c, p));
          if (done) break;
          got += decoder.decode(value, { stream: true });
        }
        // gen writes 2.6 MB, far more than its stdout pipe holds: after a few
        // reads it is still writing, so a worker runs it in every round.
        const w = [...c.pool.workers].find((x) => x.task === p._task);
        assert.ok(w, `round ${i}: no worker runs the task to kill: ${stateOf(c, p)}`);
        await within(30_000, w.thread.terminate(), `round ${i}: terminate`);
        killed++;
        for (;;) {
          const { value, done } = await within(30_000, reader.read(), `round ${i}: reads after the crash`, () => stateOf(c, p));
          if (done) break;
          got += decoder.decode(value, { stream: true });
        }
        let error = null;
        await within(30_000, p.exit.catch((e) => {
          error = e;
        }), `round ${i}: exit`, () => stateOf(c, p));
        assert.ok(error instanceof TaskError && error.code === 'ECRASHED', `round ${i}: ${error}`);
        assert.ok(expected.startsWith(got), `round ${i}: the reader got bytes that were never written`);
        await within(30_000, p._task.quiet, `round ${i}: quiet`, () => stateOf(c, p));
        if (i === 10) arenaUsed = c.dispatch.queue.sabq && c.ctx.arena.used;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    });
    assert.equal(killed, ROUNDS, 'every round killed the worker under its task');
    assert.equal(c.pool.size, 2, 'the pool is back to its size');
    assert.equal(c.memory.buffer.byteLength, memory, 'the shared memory did not grow');
    assert.ok(c.ctx.arena.used <= arenaUsed, `pipes went back to the arena (${c.ctx.arena.used} > ${arenaUsed})`);
  } finally {
    await c.close(); // also when a round failed: live workers would keep the process up
  }
});
