// tests/browser/threads-page.js — a terminated coordinator thread touches
// shared memory no more once terminate() has resolved (threads.js webThread).
// Chromium runs a terminated worker on for 2 s, and a notify wakes it: the
// page terminates a thread blocked in Atomics.wait, wakes it at once, and
// watches the word it counts in after terminate() resolved. A thread
// terminated before it has told its life lock never gets its memory.
// Results: window.__result.
import { webThread } from '/bindings-js/src/coordinator/threads.js';

const URL_ = '/tests/browser/threads-worker.js';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const start = () => webThread(new Worker(URL_, { type: 'module' }));

try {
  const woken = [];
  for (let round = 0; round < 3; round++) {
    const i32 = new Int32Array(new SharedArrayBuffer(12));
    const t = start();
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
    woken.push({ atStop, later: Atomics.load(i32, 0), stopMs: Math.round(stopMs) });
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
