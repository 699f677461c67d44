// bindings-js/src/rings/wait.js — how the JS binding waits on a ring's event: the
// same protocol as lib/wait.c (spin, announce with sabq_js_event_prepare,
// re-try, park on the event's sequence word), but parking with Atomics.wait in
// workers and Atomics.waitAsync on the main thread, which must never block.

import { layout, errno } from './layout.js';
import { SabqError } from './errors.js';

/** What an attempt returns when it should be retried after a wait. */
export const AGAIN = Symbol('sabq.again');

/** Milliseconds, monotonic. */
export const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

/**
 * Tunables: spins before parking (workers); microseconds of spinning on the
 * main thread before an async wait parks; microseconds a write to a running
 * plugin's stdin spends looking for its answer on the plugin's stdout (a
 * process handle's write(); 0: never), at most 100.
 */
export const waitOptions = {
  spin: layout.SPIN_DEFAULT,
  mainThreadSpinMicros: 5,
  answerSpinMicros: 100,
};

let blockingAllowed;
/** Whether this thread may block (false on a browser main thread). */
export function canBlock() {
  if (blockingAllowed === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0); // value differs: returns at once
      blockingAllowed = true;
    } catch {
      blockingAllowed = false;
    }
  }
  return blockingAllowed;
}

function deadlineOf(timeoutMs) {
  return timeoutMs === undefined || timeoutMs === Infinity ? Infinity : now() + Math.max(0, timeoutMs);
}

/** The re-check after announcing: an attempt that throws (a send on a closed
 * ring, a corrupt one) withdraws the announcement before the error goes on,
 * or the waiters word would count this thread for ever. */
function recheck(ex, event, attempt) {
  try {
    return attempt();
  } catch (e) {
    ex.sabq_js_event_cancel(event);
    throw e;
  }
}

/**
 * Blocks (workers, Node) until attempt() returns something other than AGAIN,
 * or the timeout passes (then returns null). While spinning, `worthTrying`
 * (optional) says whether the word the other side will change has changed:
 * polling it is a load or two, an attempt is a call into sabq.wasm (as
 * lib/wait.c's watch). `tried`: the caller's own attempt has just failed, so
 * the first one here is skipped. `spun`: the caller has spun already, in a
 * loop of its own (SpscRing.receiveIntoWait): go on to park.
 *
 * The clock is read only when the spin is over: a wait that the other side
 * answers while we spin (the common case between two busy workers) never pays
 * for it, and performance.now() is no cheap call (about 50 ns in Node, 200 ns
 * in a Chromium worker: more than a whole send). So the timeout counts from
 * the end of the spin, which is bounded (waitOptions.spin tries: tens of
 * microseconds).
 */
export function blockOn(sabq, event, attempt, timeoutMs, worthTrying, tried = false, spun = false) {
  if (!canBlock()) {
    throw new SabqError(-errno.EDEADLK, 'sabq: blocking call on the main thread');
  }
  let r;
  if (!tried) {
    r = attempt();
    if (r !== AGAIN) return r;
  }
  for (let i = spun ? waitOptions.spin : 0; i < waitOptions.spin; i++) {
    if (worthTrying !== undefined && !worthTrying()) continue;
    r = attempt();
    if (r !== AGAIN) return r;
  }
  const deadline = deadlineOf(timeoutMs);
  const ex = sabq.exports;
  const seqIndex = (event + 0) >> 2; // the event's seq word
  for (;;) {
    const key = ex.sabq_js_event_prepare(event);
    r = recheck(ex, event, attempt);
    if (r !== AGAIN) {
      ex.sabq_js_event_cancel(event);
      return r;
    }
    const left = deadline - now();
    if (left <= 0) {
      ex.sabq_js_event_cancel(event);
      return null;
    }
    Atomics.wait(sabq.i32, seqIndex, key, left === Infinity ? undefined : left);
    ex.sabq_js_event_cancel(event);
    r = attempt();
    if (r !== AGAIN) return r;
  }
}

// In Node, a pending Atomics.waitAsync does not keep the process alive; an
// interval timer does, for as long as anybody awaits.
let pendingWaits = 0;
let keepAlive;
function holdProcess() {
  if (pendingWaits++ === 0 && typeof process !== 'undefined' && process.versions?.node) {
    keepAlive = setInterval(() => {}, 1 << 30);
  }
}
function releaseProcess() {
  if (--pendingWaits === 0 && keepAlive !== undefined) {
    clearInterval(keepAlive);
    keepAlive = undefined;
  }
}

const hasWaitAsync = typeof Atomics.waitAsync === 'function';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when the word at i32[index] is no longer `key`, or after `ms` (any thread). */
export async function parkAsync(i32, index, key, ms) {
  if (hasWaitAsync && !waitOptions.forcePolling) {
    const res = Atomics.waitAsync(i32, index, key, ms === Infinity ? undefined : ms);
    if (res.async) await res.value;
    return;
  }
  // Fallback (Firefox before 145): poll with a backoff up to 4 ms.
  const end = now() + ms;
  for (let nap = 0; Atomics.load(i32, index) === key && now() < end; nap = Math.min(4, nap * 2 || 0.25)) {
    await sleep(Math.min(nap, Math.max(0, end - now())));
  }
}

/**
 * The non-blocking counterpart of blockOn, for any thread: spins at most
 * waitOptions.mainThreadSpinMicros, then awaits the event with waitAsync.
 * Resolves to attempt()'s result, or null on timeout; rejects with an
 * AbortError when `signal` aborts. In Node the wait keeps the process alive
 * unless `keepAlive` is false (for a listener that should not, like a pool's
 * request loop). `spinMicros` (at most 100) replaces the default spin, for a
 * caller that expects the next message very soon.
 */
export async function waitOn(sabq, event, attempt, { timeoutMs, signal, keepAlive = true, spinMicros } = {}) {
  let r = attempt();
  if (r !== AGAIN) return r;
  const deadline = deadlineOf(timeoutMs);
  // Never more than 100 µs of spinning on a thread that must stay responsive.
  const spin = Math.min(100, spinMicros ?? waitOptions.mainThreadSpinMicros);
  const spinEnd = now() + spin / 1000;
  while (now() < spinEnd) {
    r = attempt();
    if (r !== AGAIN) return r;
  }
  const ex = sabq.exports;
  const seqIndex = event >> 2;
  // An abort wakes the wait early: a spurious wake-up is harmless to every
  // waiter on that word, they all re-check.
  const onAbort = () => Atomics.notify(sabq.i32, seqIndex);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (keepAlive) holdProcess();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const key = ex.sabq_js_event_prepare(event);
      r = recheck(ex, event, attempt);
      if (r !== AGAIN) {
        ex.sabq_js_event_cancel(event);
        return r;
      }
      const left = deadline - now();
      if (left <= 0) {
        ex.sabq_js_event_cancel(event);
        return null;
      }
      try {
        await parkAsync(sabq.i32, seqIndex, key, left);
      } finally {
        ex.sabq_js_event_cancel(event);
      }
      r = attempt();
      if (r !== AGAIN) return r;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (keepAlive) releaseProcess();
  }
}

/**
 * One announced park, without spinning (workers only): announce on `event`,
 * re-check `ready()`, sleep on the event's sequence word up to timeoutMs, then
 * withdraw. Returns ready()'s last answer. For a caller that watches several
 * things (poll_oneoff) and must not burn a core while it waits.
 */
export function parkOnce(sabq, event, ready, timeoutMs) {
  if (!canBlock()) throw new SabqError(-errno.EDEADLK, 'sabq: blocking call on the main thread');
  const ex = sabq.exports;
  const key = ex.sabq_js_event_prepare(event);
  try {
    if (ready()) return true;
    if (timeoutMs > 0) Atomics.wait(sabq.i32, event >> 2, key, timeoutMs === Infinity ? undefined : timeoutMs);
  } finally {
    ex.sabq_js_event_cancel(event);
  }
  return ready();
}
