// tests/js/wake-cases.mjs — the waits of the JS binding that
// tests/js/wake.test.mjs parks and wakes, as tests/test_wake.c does for C.
// Per case: the ring and whether it starts full, the non-blocking call its
// wait re-tries (the check), how the wait is called, the change that must end
// it (made through a second handle on the same ring) and what it must return.
// Shared by the test (main thread: async waits, and the changes) and
// tests/js/wake-worker.mjs (blocking waits).
import { SpscRing, Pipe, MpmcQueue, END } from '../../bindings-js/src/index.js';
import { parkOnce } from '../../bindings-js/src/rings/wait.js';

/** Every wait's timeout: far above WAKE_BOUND_MS, so a wake that comes only
 * after it (the last try after a timeout succeeds) is told apart. */
export const WAKE_TIMEOUT_MS = 10_000;

const CAP = 256;
export const rings = {
  spsc: {
    create: (sabq, at) => SpscRing.create(sabq, at, CAP),
    attach: (sabq, at, size) => SpscRing.attach(sabq, at, size),
    fill: (r) => { while (r.send(new Uint8Array(8))); },
    give: (o) => o.send(Uint8Array.of(42)),
    take: (o) => o.receive(),
  },
  pipe: {
    create: (sabq, at) => Pipe.create(sabq, at, CAP),
    attach: (sabq, at, size) => Pipe.attach(sabq, at, size),
    fill: (r) => r.write(new Uint8Array(CAP)),
    give: (o) => o.write(Uint8Array.of(42)),
    take: (o) => o.read(64),
  },
  mpmc: {
    create: (sabq, at) => MpmcQueue.create(sabq, at, 4, 8),
    attach: (sabq, at, size) => MpmcQueue.attach(sabq, at, size),
    fill: (r) => { while (r.push(new Uint8Array(8))); },
    give: (o) => o.push(Uint8Array.of(42)),
    take: (o) => o.pop(),
  },
};

const T = WAKE_TIMEOUT_MS;
const isFortyTwo = (v) => v instanceof Uint8Array && v.length === 1 && v[0] === 42;
const isEnd = (v) => v === END;
const threwEpipe = (v) => v?.threw === 'EPIPE';
const buf = new Uint8Array(64);

// `check`: the non-blocking call the wait re-tries, and how its answer says
// "not yet". `wait(r, sabq)` makes the call. `change`: give (data), take
// (room) or close. `expect`: what the wait must return ({threw: code} if it
// throws).
const cases = [
  ['spsc receiveWait, woken by a message', 'spsc', false, 'readable', ['receive', (v) => v === null], (r) => r.receiveWait(T), 'give', isFortyTwo],
  ['spsc receiveIntoWait, woken by a message', 'spsc', false, 'readable', ['receiveInto', (v) => v === null], (r) => r.receiveIntoWait(buf, T), 'give', (v) => v === 1 && buf[0] === 42],
  ['spsc sendWait, woken by room', 'spsc', true, 'writable', ['send', (v) => v === false], (r) => r.sendWait(Uint8Array.of(7), T), 'take', (v) => v === true],
  ['spsc receiveWait, woken by close', 'spsc', false, 'readable', ['receive', (v) => v === null], (r) => r.receiveWait(T), 'close', isEnd],
  ['spsc sendWait, woken by close', 'spsc', true, 'writable', ['send', (v) => v === false], (r) => r.sendWait(Uint8Array.of(7), T), 'close', threwEpipe],
  ['pipe readWait, woken by bytes', 'pipe', false, 'readable', ['read', (v) => v === null], (r) => r.readWait(64, T), 'give', isFortyTwo],
  ['pipe readIntoWait, woken by bytes', 'pipe', false, 'readable', ['readInto', (v) => v === -1], (r) => r.readIntoWait(buf, 0, 64, T), 'give', (v) => v === 1 && buf[0] === 42],
  ['pipe writeWait, woken by room', 'pipe', true, 'writable', ['_writeFrom', (v) => v === 0], (r) => r.writeWait(new Uint8Array(8), T), 'take', (v) => v === 8],
  ['pipe readWait, woken by close', 'pipe', false, 'readable', ['read', (v) => v === null], (r) => r.readWait(64, T), 'close', isEnd],
  ['pipe writeWait, woken by close', 'pipe', true, 'writable', ['_writeFrom', (v) => v === 0], (r) => r.writeWait(new Uint8Array(8), T), 'close', threwEpipe],
  ['mpmc popWait, woken by a message', 'mpmc', false, 'readable', ['pop', (v) => v === null], (r) => r.popWait(T), 'give', isFortyTwo],
  ['mpmc pushWait, woken by room', 'mpmc', true, 'writable', ['push', (v) => v === false], (r) => r.pushWait(Uint8Array.of(7), T), 'take', (v) => v === true],
  ['mpmc popWait, woken by close', 'mpmc', false, 'readable', ['pop', (v) => v === null], (r) => r.popWait(T), 'close', isEnd],
  ['mpmc pushWait, woken by close', 'mpmc', true, 'writable', ['push', (v) => v === false], (r) => r.pushWait(Uint8Array.of(7), T), 'close', threwEpipe],
  // The one-park primitive under WASI poll_oneoff: its check is the caller's.
  ['parkOnce (poll_oneoff), woken by a message', 'spsc', false, 'readable', ['ready', (v) => v === false],
    (r, sabq) => parkOnce(sabq, r.readable, () => r.ready(), T), 'give', (v) => v === true],
];

const asyncCases = [
  ['spsc receiveAsync, woken by a message', 'spsc', false, 'readable', ['receive', (v) => v === null], (r) => r.receiveAsync({ timeoutMs: T }), 'give', isFortyTwo],
  ['spsc sendAsync, woken by room', 'spsc', true, 'writable', ['send', (v) => v === false], (r) => r.sendAsync(Uint8Array.of(7), { timeoutMs: T }), 'take', (v) => v === true],
  ['spsc receiveAsync, woken by close', 'spsc', false, 'readable', ['receive', (v) => v === null], (r) => r.receiveAsync({ timeoutMs: T }), 'close', isEnd],
  ['pipe readAsync, woken by bytes', 'pipe', false, 'readable', ['read', (v) => v === null], (r) => r.readAsync(64, { timeoutMs: T }), 'give', isFortyTwo],
  ['pipe writeAsync, woken by room', 'pipe', true, 'writable', ['_writeFrom', (v) => v === 0], (r) => r.writeAsync(new Uint8Array(8), { timeoutMs: T }), 'take', (v) => v === 8],
  ['mpmc popAsync, woken by a message', 'mpmc', false, 'readable', ['pop', (v) => v === null], (r) => r.popAsync({ timeoutMs: T }), 'give', isFortyTwo],
  ['mpmc pushAsync, woken by room', 'mpmc', true, 'writable', ['push', (v) => v === false], (r) => r.pushAsync(Uint8Array.of(7), { timeoutMs: T }), 'take', (v) => v === true],
  ['spsc sendAsync, woken by close', 'spsc', true, 'writable', ['send', (v) => v === false], (r) => r.sendAsync(Uint8Array.of(7), { timeoutMs: T }), 'close', threwEpipe],
  ['pipe writeAsync, woken by close', 'pipe', true, 'writable', ['_writeFrom', (v) => v === 0], (r) => r.writeAsync(new Uint8Array(8), { timeoutMs: T }), 'close', threwEpipe],
  ['mpmc popAsync, woken by close', 'mpmc', false, 'readable', ['pop', (v) => v === null], (r) => r.popAsync({ timeoutMs: T }), 'close', isEnd],
];

const toCase = ([name, ring, full, event, [check, notYet], wait, change, expect]) =>
  ({ name, ring, full, event, check, notYet, wait, change, expect });

/** Waits that block: run in a worker (tests/js/wake-worker.mjs). */
export const blockingCases = cases.map(toCase);
/** Waits that return a promise: run on the main thread. */
export const promiseCases = asyncCases.map(toCase);

/** The change `name` ('give', 'take', 'close') made through handle `other`. */
export function makeChange(ringKind, name, other) {
  if (name === 'close') other.close();
  else if (!rings[ringKind][name](other)) throw new Error(`${ringKind}: ${name} changed nothing`);
}

/**
 * Wraps `ring[c.check]` so that the change is made right after its
 * `injectAt`-th answer of "not yet" (when `claim()` says the change is still
 * to be made): the moment a lost wake-up needs, between a failed check and
 * the sleep. Returns {attempts() (checks made), injectedAt (performance.now()
 * of the change, or undefined)}. parkOnce's check is `ready`, given here.
 */
export function hookCheck(ring, c, injectAt, claim, change) {
  const state = { calls: 0, n: 0, injectedAt: undefined };
  const original = c.check === 'ready' ? () => ring.used > 0 : ring[c.check];
  if (typeof original !== 'function') throw new Error(`${c.name}: the ring has no ${c.check}() to re-try`);
  ring[c.check] = function (...args) {
    state.calls++;
    const v = original.apply(this, args);
    if (c.notYet(v) && ++state.n === injectAt && claim()) {
      change();
      state.injectedAt = performance.now();
    }
    return v;
  };
  return { attempts: () => state.calls, get injectedAt() { return state.injectedAt; } };
}
