// bindings-js/src/spsc.js — the SPSC message ring from JavaScript. A thin
// class over sabq.wasm: C decides where a message goes and validates what the
// peer wrote; JS only copies bytes in and out of the places C returns.

import { layout, errno } from './layout.js';
import { check } from './errors.js';
import { Region, END, bytesOf, textOf, copyOut, blockingMoved, deprecatedAliases } from './region.js';
import { AGAIN, blockOn, waitOn, canBlock } from './wait.js';

const EAGAIN = -errno.EAGAIN;
const EPIPE = -errno.EPIPE;

export class SpscRing extends Region {
  /** Bytes of memory a ring of `capacity` data bytes needs. */
  static size(sabq, capacity) {
    return Region.sizeFor(sabq, layout.KIND_SPSC, capacity);
  }

  /**
   * Lays out a new ring at `offset` (a multiple of 64) in sabq's memory.
   * @param {{msgMax?: number}} [options] largest message; default capacity/2 - 8
   */
  static create(sabq, offset, capacity, options = {}) {
    const [size, msgMax] = Region.layOut(sabq, layout.KIND_SPSC, offset, capacity, options.msgMax ?? 0, 'SpscRing');
    return new SpscRing(sabq, offset, size, layout.KIND_SPSC, capacity, msgMax);
  }

  /** Attaches to a ring another thread created; validates its header. */
  static attach(sabq, offset, size) {
    const [capacity, msgMax] = Region.validate(sabq, layout.KIND_SPSC, offset, size, 'SpscRing');
    return new SpscRing(sabq, offset, size, layout.KIND_SPSC, capacity, msgMax);
  }

  // ---- producer ------------------------------------------------------------

  /**
   * Reserves room for `len` bytes and returns a writable view of it, or null
   * when the ring is full. Fill it, then commit(). Producer only.
   */
  reserve(len) {
    const at = this.sabq.exports.sabq_js_spsc_reserve(this.offset, this.capacity, this.msgMax, len);
    if (at === EAGAIN) return null;
    check(at, 'SpscRing.reserve');
    this._resv = at;
    this._resvLen = len;
    return this.sabq.u8.subarray(at, at + len);
  }

  /** Publishes the reserved message, `len` bytes of it (default: all). */
  commit(len = this._resvLen) {
    if (this._resv === undefined) throw new Error('SpscRing.commit: nothing reserved');
    const at = this._resv;
    this._resv = undefined;
    check(this.sabq.exports.sabq_js_spsc_commit(this.offset, this.capacity, this.msgMax, at, this._resvLen, len), 'SpscRing.commit');
  }

  /**
   * Copies one message (bytes or a string) in. False when full; never blocks,
   * like sabq_spsc_send. Producer only.
   */
  send(data, noTimeout) {
    if (noTimeout !== undefined) blockingMoved('SpscRing.send', 'sendWait');
    const bytes = bytesOf(data);
    const len = bytes.length;
    const ex = this.sabq.exports;
    // reserve + copy + commit without an intermediate view: no allocation.
    const at = ex.sabq_js_spsc_reserve(this.offset, this.capacity, this.msgMax, len);
    if (at === EAGAIN) return false;
    check(at, 'SpscRing.send');
    this.sabq.u8.set(bytes, at);
    check(ex.sabq_js_spsc_commit(this.offset, this.capacity, this.msgMax, at, len, len), 'SpscRing.send');
    return true;
  }

  /** Sends, waiting for room up to timeoutMs (sabq_spsc_send_wait). Workers
   * only. False on timeout. */
  sendWait(data, timeoutMs) {
    const bytes = bytesOf(data);
    if (canBlock() && this.send(bytes)) return true; // the common case: no closure, no wait
    return blockOn(this.sabq, this.writable, () => this.send(bytes) || AGAIN, timeoutMs) ?? false;
  }

  /** Sends, awaiting room without blocking the thread. Resolves false on timeout. */
  async sendAsync(data, options = {}) {
    const bytes = bytesOf(data);
    return (await waitOn(this.sabq, this.writable, () => this.send(bytes) || AGAIN, options)) ?? false;
  }

  // ---- consumer ------------------------------------------------------------

  /**
   * A view of the oldest message, without removing it: a Uint8Array over the
   * ring (valid until release()), null when empty, END when closed and drained.
   * Consumer only.
   */
  peek() {
    const ex = this.sabq.exports;
    const at = ex.sabq_js_spsc_peek(this.offset, this.capacity, this.msgMax);
    if (at === EAGAIN) return null;
    if (at === EPIPE) return END;
    check(at, 'SpscRing.peek');
    // C checked the record; read its length once more and check it again, in
    // case the peer changed it since.
    const len = this.sabq.u32[(at - layout.REC_HDR) >> 2];
    if (len > this.msgMax) check(-errno.EPROTO, 'SpscRing.peek');
    this.inData(at, len, 'SpscRing.peek: record outside the ring');
    this._peeked = at;
    this._peekedLen = len;
    return this.sabq.u8.subarray(at, at + len);
  }

  /** Removes the message returned by the last peek(). */
  release() {
    if (this._peeked === undefined) throw new Error('SpscRing.release: nothing peeked');
    const at = this._peeked;
    this._peeked = undefined;
    check(this.sabq.exports.sabq_js_spsc_release(this.offset, this.capacity, this.msgMax, at, this._peekedLen), 'SpscRing.release');
  }

  /** Where the oldest message is and how long, checked; or EAGAIN/EPIPE. */
  _locate(what) {
    const at = this.sabq.exports.sabq_js_spsc_peek(this.offset, this.capacity, this.msgMax);
    if (at === EAGAIN || at === EPIPE) return at;
    check(at, what);
    // C checked the record; read its length once more and check it again, in
    // case the peer changed it since.
    const len = this.sabq.u32[(at - layout.REC_HDR) >> 2];
    if (len > this.msgMax) check(-errno.EPROTO, what);
    this.inData(at, len, `${what}: record outside the ring`);
    this._locLen = len;
    return at;
  }

  /** Copies the oldest message out: Uint8Array, null when empty, END when
   * closed and drained. Never blocks (sabq_spsc_recv). Consumer only. */
  receive(noTimeout) {
    if (noTimeout !== undefined) blockingMoved('SpscRing.receive', 'receiveWait');
    const at = this._locate('SpscRing.receive');
    if (at === EAGAIN) return null;
    if (at === EPIPE) return END;
    const len = this._locLen;
    const copy = this.sabq.u8.slice(at, at + len);
    check(this.sabq.exports.sabq_js_spsc_release(this.offset, this.capacity, this.msgMax, at, len), 'SpscRing.receive');
    return copy;
  }

  /**
   * Copies the oldest message into `buf` (no allocation): its length, null
   * when empty, END when closed and drained. Throws SabqError EMSGSIZE when
   * `buf` is too small (the message stays queued). Never blocks. Consumer only.
   */
  receiveInto(buf, noTimeout) {
    if (noTimeout !== undefined) blockingMoved('SpscRing.receiveInto', 'receiveIntoWait');
    const at = this._locate('SpscRing.receiveInto');
    if (at === EAGAIN) return null;
    if (at === EPIPE) return END;
    const len = this._locLen;
    if (len > buf.length) check(-errno.EMSGSIZE, 'SpscRing.receiveInto: buffer too small');
    copyOut(this.sabq.u8, at, len, buf);
    check(this.sabq.exports.sabq_js_spsc_release(this.offset, this.capacity, this.msgMax, at, len), 'SpscRing.receiveInto');
    return len;
  }

  /** receiveInto, waiting up to timeoutMs. Workers only. Null on timeout. */
  receiveIntoWait(buf, timeoutMs) {
    if (canBlock()) {
      const n = this.receiveInto(buf); // the common case: no closure, no wait
      if (n !== null) return n;
    }
    return blockOn(this.sabq, this.readable, () => this.receiveInto(buf) ?? AGAIN, timeoutMs);
  }

  /** Receives, waiting up to timeoutMs (sabq_spsc_recv_wait). Workers only.
   * Null on timeout. */
  receiveWait(timeoutMs) {
    return blockOn(this.sabq, this.readable, () => this.receive() ?? AGAIN, timeoutMs);
  }

  /** Receives without blocking the thread. Resolves null on timeout. */
  receiveAsync(options = {}) {
    return waitOn(this.sabq, this.readable, () => this.receive() ?? AGAIN, options);
  }

  /** receive, decoded as UTF-8. Never blocks. */
  receiveString(noTimeout) {
    if (noTimeout !== undefined) blockingMoved('SpscRing.receiveString', 'receiveStringWait');
    const m = this.receive();
    return m === null || m === END ? m : textOf(m);
  }

  /** receiveWait, decoded as UTF-8. Workers only. */
  receiveStringWait(timeoutMs) {
    const m = this.receiveWait(timeoutMs);
    return m === null || m === END ? m : textOf(m);
  }

  /** receiveAsync, decoded as UTF-8. */
  async receiveStringAsync(options) {
    const m = await this.receiveAsync(options);
    return m === null || m === END ? m : textOf(m);
  }
}

// Names from before 0.2, when the JS non-blocking calls carried a `try`
// prefix that C's never had. Deprecated: use the names without it.
deprecatedAliases(SpscRing, {
  trySend: 'send',
  tryReceive: 'receive',
  tryReceiveInto: 'receiveInto',
  tryReceiveString: 'receiveString',
});
