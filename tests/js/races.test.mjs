// tests/js/races.test.mjs — the races behind "nothing lost under chaos",
// each made to happen every time:
// - a worker finishes its task just as the task is cancelled (or times out)
//   and has already taken the next task id from the queue: stopping it then
//   lost that next task, which sat "running" on a dead worker until its own
//   timeout (a pipeline stage that never ran: the next stage saw end of file
//   and the pipeline reported exit 0 on empty output);
// - a claim that arrives from a worker stopped after sending it;
// - close() while a replacement worker is still starting never settled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator } from 'sabq';

const tasks = new URL('./fixtures/tasks.mjs', import.meta.url);

/** `promise`, or a rejection naming `what` after `ms`. */
function within(ms, promise, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled after ${ms} ms`)), ms);
  })]).finally(() => clearTimeout(timer));
}

/** Blocks this thread for `ms`: whatever the worker posts meanwhile waits unread. */
function busy(ms) {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

/**
 * Starts `gated` on the only worker and queues `square` behind it; opens the
 * gate and blocks this thread while the worker reports the first and claims
 * the second, so that both messages are still unread when `then` runs.
 */
async function finishUnseen(c, options, then) {
  const gate = new Int32Array(new SharedArrayBuffer(8));
  const first = c.run({ url: tasks, export: 'gated' }, { gate }, options);
  first.catch(() => {});
  while (Atomics.load(gate, 1) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  const second = c.run({ url: tasks, export: 'square' }, { i: 3, runs: new Int32Array(new SharedArrayBuffer(16)) });
  Atomics.store(gate, 0, 1);
  Atomics.notify(gate, 0);
  busy(300);
  then();
  return { first, second };
}

test('a task cancelled as its worker finishes it: the worker is not stopped, and the task it took next runs', async () => {
  const c = await Coordinator.create({ workers: 1 });
  try {
    const [w] = c.pool.workers;
    const abort = new AbortController();
    const { first, second } = await finishUnseen(c, { signal: abort.signal }, () => abort.abort());
    assert.equal(await within(5000, second, 'the task queued behind'), 9);
    await first.then(() => {}, (e) => assert.equal(e.code, 'ECANCELED'));
    assert.deepEqual([...c.pool.workers], [w], 'the same worker still serves');
  } finally {
    await c.close();
  }
});

test('a task timed out as its worker finishes it: the task it took next runs', async () => {
  const c = await Coordinator.create({ workers: 1 });
  try {
    // The timer is due while this thread is busy: it fires before the worker's messages are read.
    const { second } = await finishUnseen(c, { timeoutMs: 100 }, () => {});
    assert.equal(await within(5000, second, 'the task queued behind'), 9);
  } finally {
    await c.close();
  }
});

test('a claim from a worker stopped after sending it: the task runs on another worker', async () => {
  const c = await Coordinator.create({ workers: 1 });
  try {
    const [w] = c.pool.workers;
    // As when a worker dies between its claim and the coordinator reading it.
    const { second } = await finishUnseen(c, {}, () => c.dispatch.crashed(w, new Error('stopped from outside')));
    assert.equal(await within(5000, second, 'the task the stopped worker claimed'), 9);
    assert.ok(![...c.pool.workers].includes(w));
  } finally {
    await c.close();
  }
});

test('close() while a worker that replaces a stopped one is still starting: it settles', async () => {
  for (let round = 0; round < 5; round++) {
    const c = await Coordinator.create({ workers: 1 });
    const runs = new Int32Array(new SharedArrayBuffer(8));
    const abort = new AbortController();
    const running = c.run({ url: tasks, export: 'hang' }, { i: 0, runs }, { signal: abort.signal });
    running.catch(() => {});
    while (Atomics.load(runs, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    abort.abort(); // its worker is stopped, and a new one starts
    await within(10_000, c.close(), `round ${round}: close()`);
    assert.equal(c.pool.workers.size + c.pool.retiring.size, 0);
  }
});
