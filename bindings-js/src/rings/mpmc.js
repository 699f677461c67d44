// bindings-js/src/rings/mpmc.js — the MPMC queue from JavaScript. Claim and publish
// are separate exports so JS copies straight into and out of the slot.

import { layout, errno } from './layout.js';
import { check } from './errors.js';
import { Region, END, bytesOf, unpack, blockingMoved, deprecatedAliases } from './region.js';
import { AGAIN, blockOn, waitOn } from './wait.js';

const EAGAIN = -errno.EAGAIN;
const EPIPE = -errno.EPIPE;

export class MpmcQueue extends Region {
  static size(sabq, slots, msgMax) {
    return Region.sizeFor(sabq, layout.KIND_MPMC, slots, msgMax);
  }

  /** Lays out a queue of `slots` slots (a power of two) of `msgMax` bytes at `offset`. */
  static create(sabq, offset, slots, msgMax) {
    const [size] = Region.layOut(sabq, layout.KIND_MPMC, offset, slots, msgMax, 'MpmcQueue');
    return new MpmcQueue(sabq, offset, size, layout.KIND_MPMC, slots, msgMax);
  }

  static attach(sabq, offset, size) {
    const [slots, msgMax] = Region.validate(sabq, layout.KIND_MPMC, offset, size, 'MpmcQueue');
    return new MpmcQueue(sabq, offset, size, layout.KIND_MPMC, slots, msgMax);
  }

  /** @protected */
  constructor(...args) {
    super(...args);
    this._got = { len: 0 }; // the length of the message C last claimed
  }

  /** Copies one message in. False when full. Never blocks (sabq_mpmc_push). Any thread. */
  push(data, noTimeout) {
    if (noTimeout !== undefined) blockingMoved('MpmcQueue.push', 'pushWait');
    const bytes = bytesOf(data);
    const ex = this.sabq.exports;
    const at = ex.sabq_js_mpmc_push_claim(this.offset, this.capacity, this.msgMax, bytes.length);
    if (at === EAGAIN) return false;
    check(at, 'MpmcQueue.push');
    this.sabq.u8.set(bytes, at);
    check(ex.sabq_js_mpmc_push_publish(this.offset, this.capacity, this.msgMax, at, bytes.length), 'MpmcQueue.push');
    return true;
  }

  /** Pushes, waiting up to timeoutMs for room (sabq_mpmc_push_wait). Workers
   * only. False on timeout. */
  pushWait(data, timeoutMs) {
    const bytes = bytesOf(data);
    return blockOn(this.sabq, this.writable, () => this.push(bytes) || AGAIN, timeoutMs) ?? false;
  }

  /** push() without blocking the thread. */
  async pushAsync(data, options = {}) {
    const bytes = bytesOf(data);
    return (await waitOn(this.sabq, this.writable, () => this.push(bytes) || AGAIN, options)) ?? false;
  }

  /** Copies the oldest message out: Uint8Array, null when empty, END when
   * closed and drained. Never blocks (sabq_mpmc_pop). Any thread. */
  pop(noTimeout) {
    if (noTimeout !== undefined) blockingMoved('MpmcQueue.pop', 'popWait');
    const ex = this.sabq.exports;
    // C claims the slot and reads its length once, checked: both come back
    // in one answer (unpack), so JS never re-reads the peer's length word.
    const v = this.msgMax < layout.JS_PACKED_LEN
      ? ex.sabq_js_mpmc_pop_claim(this.offset, this.capacity, this.msgMax)
      : ex.sabq_js_mpmc_pop_claim_wide(this.offset, this.capacity, this.msgMax);
    if (v < 0) {
      const rc = Number(v);
      if (rc === EAGAIN) return null;
      if (rc === EPIPE) return END;
      check(rc, 'MpmcQueue.pop');
    }
    const at = unpack(v, this._got);
    this.inData(at, this._got.len, 'MpmcQueue.pop: slot outside the queue'); // C's answer, checked anyway
    const copy = this.sabq.u8.slice(at, at + this._got.len);
    check(ex.sabq_js_mpmc_pop_release(this.offset, this.capacity, this.msgMax, at), 'MpmcQueue.pop');
    return copy;
  }

  /** Pops, waiting up to timeoutMs (sabq_mpmc_pop_wait). Workers only. Null on timeout. */
  popWait(timeoutMs) {
    return blockOn(this.sabq, this.readable, () => this.pop() ?? AGAIN, timeoutMs);
  }

  /** pop() without blocking the thread. Resolves null on timeout. */
  popAsync(options = {}) {
    return waitOn(this.sabq, this.readable, () => this.pop() ?? AGAIN, options);
  }
}

// The pre-0.2 names (see blockingMoved in region.js). Deprecated.
deprecatedAliases(MpmcQueue, { tryPush: 'push', tryPop: 'pop' });
