// tests/js/wake.test.mjs — every wait of the JS binding is woken, and soon:
// what tests/test_wake.c checks for C. A waiter parks at once (spin 0); the
// test waits until it has counted itself in its event's waiters word (no
// sleeping "to let it park"), makes the change the waiter waits for, and
// measures how long the waiter takes to return. A lost wake-up leaves it
// asleep until its timeout, and then its last try succeeds: a wake slower than
// WAKE_BOUND_MS, far below WAKE_TIMEOUT_MS, fails.
//
// Where the change lands matters. Made once the waiter has announced itself,
// it finds the waiter on its way to sleep or asleep. Made by the waiter itself
// right after its k-th check answered "not yet" (k = 1, 2, 3), it lands in the
// window between a failed check and the sleep, the one a wait that reads its
// key after the check would lose (the bug of issue 18, caught by k = 2). A
// waiter that parks before its k-th check gets the change from the test
// after GRACE_MS instead: asleep, most likely.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { compileSabq, waitOptions, layout } from '../../bindings-js/src/index.js';
import { freshSabq } from './helpers.mjs';
import { blockingCases, promiseCases, rings, makeChange, hookCheck, WAKE_TIMEOUT_MS } from './wake-cases.mjs';

// As in test_wake.c: 40x below the timeout. A JS wake measured here is a few
// microseconds to a few milliseconds, tens of ms on a loaded machine.
const WAKE_BOUND_MS = 250;
const GRACE_MS = 30;
const ROUNDS = Number(process.env.SABQ_WAKE_ROUNDS ?? 2);
const MODES = [0, 1, 2, 3]; // 0: the test changes as soon as the waiter announced itself; k: after check k
const modeName = (k) => (k === 0 ? 'once announced' : `right after check ${k}`);

const CONTROL = { offset: 64, words: 2, CHANGED: 0, DONE: 1 };
const RING_AT = 4096;

const waitersWord = (ring, event) => (ring.offset + (event === 'readable' ? layout.READABLE_WAITERS : layout.WRITABLE_WAITERS)) >> 2;

/** Blocks this (Node main) thread until cond() holds; fails after the wait timeout. */
function until(i32, cond, what) {
  const end = performance.now() + WAKE_TIMEOUT_MS;
  const scratch = new Int32Array(new SharedArrayBuffer(4));
  while (!cond()) {
    if (performance.now() > end) assert.fail(what);
    Atomics.wait(scratch, 0, 0, 0.05);
  }
}

test('every blocking wait is woken within the bound: once announced, and by a change right after each failed check', { timeout: 300_000 }, async () => {
  const sabq = await freshSabq();
  const i32 = sabq.i32;
  const ctl = new Int32Array(sabq.memory.buffer, CONTROL.offset, CONTROL.words);
  const worker = new Worker(new URL('./wake-worker.mjs', import.meta.url), {
    workerData: { memory: sabq.memory, module: await compileSabq(), control: CONTROL },
  });
  const nextMessage = () => new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  try {
    await nextMessage(); // ready
    let round = 0;
    for (const [index, c] of blockingCases.entries()) {
      for (const injectAt of MODES) {
        for (let n = 0; n < ROUNDS; n++) {
          round++;
          const what = `${c.name}, change ${modeName(injectAt)}`;
          const ring = rings[c.ring].create(sabq, RING_AT);
          if (c.full) rings[c.ring].fill(ring);
          Atomics.store(ctl, CONTROL.CHANGED, 0);
          const reply = nextMessage();
          worker.postMessage({ round, index, at: ring.offset, size: ring.size, injectAt });
          const waiters = waitersWord(ring, c.event);
          until(i32, () => Atomics.load(i32, waiters) > 0 || Atomics.load(ctl, CONTROL.CHANGED) !== 0 ||
            Atomics.load(ctl, CONTROL.DONE) === round, `${what}: the waiter never announced itself`);
          // The waiter makes the change itself when its injectAt-th check comes
          // before it parks; otherwise the test makes it.
          if (injectAt > 0) Atomics.wait(ctl, CONTROL.CHANGED, 0, GRACE_MS);
          let t0;
          if (Atomics.compareExchange(ctl, CONTROL.CHANGED, 0, 2) === 0) {
            t0 = performance.now();
            makeChange(c.ring, c.change, ring);
          }
          const end = performance.now() + 2 * WAKE_TIMEOUT_MS;
          for (let done; (done = Atomics.load(ctl, CONTROL.DONE)) !== round && performance.now() < end;) {
            Atomics.wait(ctl, CONTROL.DONE, done, end - performance.now());
          }
          const returnedAt = performance.now();
          const m = await reply;
          const took = t0 !== undefined ? returnedAt - t0 : m.tookMs;
          assert.ok(m.ok, `${what}: returned ${m.got}`);
          assert.ok(m.checks >= 1, `${what}: the wait never called ${c.check}(): the test no longer sees its checks`);
          assert.ok(took < WAKE_BOUND_MS, `${what}: woken after ${took.toFixed(1)} ms (bound ${WAKE_BOUND_MS} ms)`);
          assert.equal(Atomics.load(i32, waiters), 0, `${what}: the waiter kept its count`);
        }
      }
    }
  } finally {
    await worker.terminate();
  }
});

test('every promise-returning wait is woken within the bound: once parked, and by a change right after each failed check', { timeout: 300_000 }, async () => {
  const sabq = await freshSabq();
  const saved = waitOptions.mainThreadSpinMicros;
  waitOptions.mainThreadSpinMicros = 0; // park at once
  try {
    for (const c of promiseCases) {
      for (const injectAt of MODES) {
        for (let n = 0; n < ROUNDS; n++) {
          const what = `${c.name}, change ${modeName(injectAt)}`;
          const ring = rings[c.ring].create(sabq, RING_AT);
          const other = rings[c.ring].attach(sabq, ring.offset, ring.size);
          if (c.full) rings[c.ring].fill(ring);
          let changed = false;
          const claim = () => !changed && (changed = true);
          const hook = hookCheck(ring, c, injectAt, claim, () => makeChange(c.ring, c.change, other));
          // An async wait runs to its first await at once: checked, announced
          // and parked (Atomics.waitAsync), unless the change came first.
          const pending = c.wait(ring);
          const waiters = Atomics.load(sabq.i32, waitersWord(ring, c.event));
          assert.ok(changed || waiters > 0, `${what}: the wait did not announce itself before parking`);
          if (!changed && injectAt > 0) await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
          let t0;
          if (claim()) {
            t0 = performance.now();
            makeChange(c.ring, c.change, other);
          }
          let v;
          try {
            v = await pending;
          } catch (e) {
            v = { threw: e?.code ?? String(e) };
          }
          const took = performance.now() - (t0 ?? hook.injectedAt);
          assert.ok(c.expect(v), `${what}: resolved to ${typeof v === 'object' && !(v instanceof Uint8Array) ? JSON.stringify(v) : String(v)}`);
          assert.ok(hook.attempts() >= 1, `${what}: the wait never called ${c.check}(): the test no longer sees its checks`);
          assert.ok(took < WAKE_BOUND_MS, `${what}: woken after ${took.toFixed(1)} ms (bound ${WAKE_BOUND_MS} ms)`);
          assert.equal(Atomics.load(sabq.i32, waitersWord(ring, c.event)), 0, `${what}: the waiter kept its count`);
        }
      }
    }
  } finally {
    waitOptions.mainThreadSpinMicros = saved;
  }
});
