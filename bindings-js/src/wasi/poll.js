// bindings-js/src/wasi/poll.js — poll_oneoff for real: any number of
// subscriptions; fd_read / fd_write on sabq-backed stdio wait (Atomics.wait
// on the pipe's event word, never a spin) until one is ready or the earliest
// clock subscription expires; regular files are always ready. A C plugin's
// poll(stdin, 100 ms) sees data or the timeout, whichever comes first.

import {
  ERRNO, EVENTTYPE, CLOCKID, SUBCLOCKFLAGS_ABSTIME, EVENTRWFLAGS_HANGUP,
  SUBSCRIPTION_SIZE, EVENT_SIZE, readSubscription, writeEvent,
} from './abi.js';
import { FsError } from './fs/node.js';
import { parkOnce } from '../rings/wait.js';

const NS_PER_MS = 1e6;
/** With several pipes to watch, sleep on one in slices this long (ms), then look at all. */
const MULTI_WAIT_SLICE_MS = 1;

const clockNowMs = (id) => (id === CLOCKID.REALTIME ? Date.now() : performance.now());

/**
 * @param {import('./fd-table.js').FdTable} table
 * @param {import('./preview1.js').PluginMemory} mem
 */
export function pollCall(table, mem) {
  return function poll_oneoff(inPtr, outPtr, nsubs, neventsPtr) {
    const count = nsubs >>> 0;
    if (count === 0) return ERRNO.INVAL;
    let inAt;
    let outAt;
    try {
      // Every pointer checked before waiting: a bad one is FAULT, not a trap after the wait.
      inAt = mem.check(inPtr, count * SUBSCRIPTION_SIZE);
      outAt = mem.check(outPtr, count * EVENT_SIZE);
      mem.check(neventsPtr, 4);
    } catch (e) {
      if (e instanceof FsError) return e.errno;
      throw e;
    }
    const subs = [];
    for (let i = 0; i < count; i++) {
      const s = readSubscription(mem.view, inAt + i * SUBSCRIPTION_SIZE);
      if (s.tag > EVENTTYPE.FD_WRITE) return ERRNO.INVAL; // no such event type
      subs.push(s);
    }
    // Clock subscriptions become deadlines on performance.now()'s scale.
    let earliest = Infinity;
    for (const s of subs) {
      if (s.tag !== EVENTTYPE.CLOCK) continue;
      if (s.clock !== CLOCKID.REALTIME && s.clock !== CLOCKID.MONOTONIC) {
        s.error = ERRNO.INVAL;
        s.deadline = -Infinity;
        continue;
      }
      const timeoutMs = Number(s.timeout) / NS_PER_MS;
      const fromNow = s.flags & SUBCLOCKFLAGS_ABSTIME ? timeoutMs - clockNowMs(s.clock) : timeoutMs;
      s.deadline = performance.now() + Math.max(0, fromNow);
      earliest = Math.min(earliest, s.deadline);
    }
    const events = [];
    const check = () => {
      events.length = 0;
      const now = performance.now();
      const waits = [];
      for (const s of subs) {
        if (s.tag === EVENTTYPE.CLOCK) {
          if (s.deadline <= now) events.push({ s, error: s.error ?? ERRNO.SUCCESS, type: EVENTTYPE.CLOCK });
          continue;
        }
        const type = s.tag === EVENTTYPE.FD_READ ? EVENTTYPE.FD_READ : EVENTTYPE.FD_WRITE;
        let r;
        try {
          const fd = table.get(s.fd);
          r = type === EVENTTYPE.FD_READ ? fd.pollRead() : fd.pollWrite();
        } catch (e) {
          if (!(e instanceof FsError)) throw e;
          events.push({ s, error: e.errno, type });
          continue;
        }
        if (r.ready) events.push({ s, error: ERRNO.SUCCESS, type, nbytes: r.nbytes, hangup: r.hangup });
        else if (r.wait) waits.push(r.wait);
      }
      return waits;
    };
    for (;;) {
      const waits = check();
      if (events.length > 0) break;
      const left = earliest - performance.now();
      if (waits.length === 0) {
        // Nothing can become ready but a clock: sleep until it.
        if (left === Infinity) return ERRNO.INVAL; // would wait forever on nothing
        sleep(left);
        continue;
      }
      const slice = waits.length > 1 ? Math.min(left, MULTI_WAIT_SLICE_MS) : left;
      // Park on the first pipe's event word; its publisher wakes us. Readiness
      // is checked again after announcing, so no wake-up is lost.
      const w = waits[0];
      parkOnce(w.pipe.sabq, w.event, () => {
        check();
        return events.length > 0;
      }, slice);
    }
    mem.refresh();
    events.forEach((e, i) => {
      writeEvent(mem.view, outAt + i * EVENT_SIZE, e.s.userdata, e.error, e.type, e.nbytes ?? 0, e.hangup ? EVENTRWFLAGS_HANGUP : 0);
    });
    mem.view.setUint32(neventsPtr >>> 0, events.length, true);
    return ERRNO.SUCCESS;
  };
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this worker for `ms` without spinning. */
export function sleep(ms) {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}
