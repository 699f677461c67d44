// tests/browser/threads-page.js — a terminated coordinator thread touches
// shared memory no more once terminate() has resolved (threads.js webThread).
// Chromium runs a terminated worker on for 2 s, and a notify wakes it: the
// page terminates a thread blocked in Atomics.wait, wakes it at once, and
// watches the word it counts in after terminate() resolved. A thread
// terminated before it has told its life lock never gets its memory. Where a
// browser has no Web Locks (the thread says a null lock), terminate() waits
// the grace period instead.
// Results: window.__result.
import { webThread } from '/bindings-js/src/coordinator/threads.js';

const WITH_LOCKS = '/tests/browser/threads-worker.js';
const WITHOUT_LOCKS = '/tests/browser/threads-worker-no-locks.js';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const start = (url = WITH_LOCKS) => webThread(new Worker(url, { type: 'module' }));

try {
  const woken = [];
  // Three threads with Web Locks, then one without (the grace period).
  for (const url of [WITH_LOCKS, WITH_LOCKS, WITH_LOCKS, WITHOUT_LOCKS]) {
    const i32 = new Int32Array(new SharedArrayBuffer(12));
    const t = start(url);
    const ready = new Promise((resolve) => t.onMessage(resolve));
    t.post({ sab: i32.buffer }); // held back until the thread has its lock
    await ready;
    const t0 = performance.now();
    const stopped = t.terminate();
    Atomics.store(i32, 1, 1); // (whether it waits already or not yet)
    Atomics.notify(i32, 1); // a Chromium worker, terminated, runs on from here
    await stopped;
    const stopMs = performance.now() - t0;
    const atStop = Atomics.load(i32, 0);
    await sleep(250);
    woken.push({ locks: url === WITH_LOCKS, atStop, later: Atomics.load(i32, 0), stopMs: Math.round(stopMs) });
  }
  // Terminated at once: its memory is never sent.
  const i32 = new Int32Array(new SharedArrayBuffer(12));
  const t = start();
  t.post({ sab: i32.buffer });
  await t.terminate();
  await sleep(250);
  window.__result = { crossOriginIsolated, woken, unsentGotMemory: Atomics.load(i32, 2) === 1 };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
