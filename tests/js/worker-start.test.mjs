// tests/js/worker-start.test.mjs — a worker that never becomes ready. Once in
// a 10^5-task chaos soak three fresh workers never said ready, and every
// queued task waited on them for good. The pool now gives a start
// startTimeoutMs: past it the worker counts as crashed (onCrash) and is
// replaced; its rings go back to the arena even when its thread was never
// created. Driven here with threads that never answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sabq, compileSabq } from '../../bindings-js/src/rings/module.js';
import { Arena } from '../../bindings-js/src/coordinator/arena.js';
import { MpmcQueue } from '../../bindings-js/src/rings/mpmc.js';
import { WorkerPool } from '../../bindings-js/src/coordinator/pool.js';

async function poolWith(startWorker) {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 1024, shared: true });
  const sabqModule = await compileSabq();
  const sabq = await Sabq.instantiate(memory, { module: sabqModule });
  const arena = new Arena(memory);
  const queue = MpmcQueue.create(sabq, arena.alloc(MpmcQueue.size(sabq, 16, 8)), 16, 8);
  const crashes = [];
  const pool = new WorkerPool({
    memory, sabq, sabqModule, arena, queue,
    shimUrl: null,
    modules: () => [],
    onStarted: () => {},
    onRetired: () => {},
    onMessage: () => {},
    onCrash: (w, error) => {
      crashes.push(error);
      pool.retire(w); // as Dispatcher.crashed does, less the replacement
    },
    startWorker,
    startTimeoutMs: 200,
  });
  return { pool, arena, crashes, regions: arena.inUse.size };
}

// The pool's start timer does not keep a process alive (a Coordinator's
// workers do that); here nothing else would.
function held(fn) {
  return async () => {
    const hold = setInterval(() => {}, 1000);
    try {
      await fn();
    } finally {
      clearInterval(hold);
    }
  };
}

// A thread that exists but never answers its init.
function silentThread(log) {
  return {
    post: () => {},
    terminate: async () => log.push('terminated'),
    ref() {},
    unref() {},
    onMessage() {},
    onError() {},
    onExit() {},
  };
}

test('a worker stuck in its init counts as crashed after startTimeoutMs, and is terminated', held(async () => {
  const log = [];
  const { pool, arena, crashes, regions } = await poolWith(async () => silentThread(log));
  const w = pool.start(false);
  assert.equal(arena.inUse.size, regions + 3, 'its two rings and its run word');
  await assert.rejects(w.ready, /not ready after 200 ms/);
  assert.equal(crashes.length, 1);
  await w.gone;
  assert.deepEqual(log, ['terminated']);
  assert.equal(arena.inUse.size, regions, 'its regions are back in the arena');
}));

test('a worker whose thread is never created is given up, and its retire settles', held(async () => {
  const { pool, arena, crashes, regions } = await poolWith(() => new Promise(() => {}));
  const w = pool.start(false);
  await assert.rejects(w.ready, /not ready after 200 ms/);
  assert.equal(crashes.length, 1);
  const settled = await Promise.race([w.gone.then(() => 'gone'), new Promise((r) => setTimeout(() => r('still waiting'), 2000))]);
  assert.equal(settled, 'gone');
  assert.equal(arena.inUse.size, regions);
}));

test('a worker that becomes ready in time is left alone', held(async () => {
  const log = [];
  let answer;
  const thread = { ...silentThread(log), onMessage: (fn) => { answer = fn; }, post: (m) => m.type === 'init' && setTimeout(() => answer({ type: 'ready' }), 50) };
  const { pool, crashes } = await poolWith(async () => thread);
  const w = pool.start(false);
  await w.ready;
  await new Promise((r) => setTimeout(r, 300)); // past the start timeout
  assert.equal(crashes.length, 0);
  assert.equal(w.dead, false);
}));
