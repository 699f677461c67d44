// bindings-js/src/rings/spsc.js — the SPSC message ring from JavaScript. A thin
// class over sabq.wasm: C decides where a message goes and validates what the
// peer wrote; JS only copies bytes in and out of the places C returns.
// Short messages (up to layout.PROD_STAGE_BYTES in, CONS_STAGE_BYTES out)
// pass through the producer's or the consumer's stage, private bytes on its
// own line of the ring, so that a send or a receive is one call into C.

import { layout, errno } from './layout.js';
import { check } from './errors.js';
import { Region, END, bytesOf, textOf, copyOut, unpack, blockingMoved, deprecatedAliases } from './region.js';
import { AGAIN, blockOn, waitOn, canBlock, waitOptions } from './wait.js';

const EAGAIN = -errno.EAGAIN;
const EPIPE = -errno.EPIPE;
const EMSGSIZE = -errno.EMSGSIZE;
const USE_WIDE = layout.JS_USE_WIDE;
const PROD_STAGE_BYTES = layout.PROD_STAGE_BYTES;
const CONS_STAGE_BYTES = layout.CONS_STAGE_BYTES;

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

  /** @protected */
  constructor(...args) {
    super(...args);
    this._got = { len: 0 }; // the length of the message C last located
    // Int32Array indices of the words a waiting side watches (hints only:
    // the attempt that follows is C's, with its checks).
    this._tailAt = (this.offset + layout.CONS_TAIL) >> 2;
    this._tailCacheAt = (this.offset + layout.PROD_TAIL_CACHE) >> 2;
    this._closedAt = (this.offset + layout.HDR_CLOSED) >> 2;
    this._dataAt = this.dataStart >> 2;
    this._sealAppeared = () => {
      const i32 = this.sabq.i32;
      const tail = Atomics.load(i32, this._tailAt); // our own index
      return Atomics.load(i32, this._dataAt + ((tail & (this.capacity - 1)) >> 2) + 1) === ((tail + 1) | 0) ||
        Atomics.load(i32, this._closedAt) !== 0;
    };
    this._tailMoved = () => {
      const i32 = this.sabq.i32;
      return Atomics.load(i32, this._tailAt) !== Atomics.load(i32, this._tailCacheAt) ||
        Atomics.load(i32, this._closedAt) !== 0;
    };
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
    if (len <= PROD_STAGE_BYTES) {
      // Staged: copied into the producer's stage, then one call sends it.
      const u8 = this.sabq.u8;
      const stage = this.offset + layout.PROD_STAGE;
      for (let i = 0; i < len; i++) u8[stage + i] = bytes[i];
      const rc = ex.sabq_js_spsc_send_small(this.offset, this.capacity, this.msgMax, len);
      if (rc === 0) return true;
      if (rc === EAGAIN) return false;
      check(rc, 'SpscRing.send');
    }
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
    const tried = canBlock(); // else blockOn throws
    if (tried && this.send(bytes)) return true; // the common case: no closure, no wait
    return blockOn(this.sabq, this.writable, () => this.send(bytes) || AGAIN, timeoutMs, this._tailMoved, tried) ?? false;
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
    const at = this._peek('SpscRing.peek');
    if (at === EAGAIN) return null;
    if (at === EPIPE) return END;
    this._peeked = at;
    this._peekedLen = this._got.len;
    return this.sabq.u8.subarray(at, at + this._got.len);
  }

  /** Removes the message returned by the last peek(). */
  release() {
    if (this._peeked === undefined) throw new Error('SpscRing.release: nothing peeked');
    const at = this._peeked;
    this._peeked = undefined;
    this._release(at, this._peekedLen, 'SpscRing.release');
  }

  /** The oldest message's address (its length in this._got.len) as C found it and
   * checked it, or EAGAIN/EPIPE. */
  _peek(what) {
    const ex = this.sabq.exports;
    const v = this.msgMax < layout.JS_PACKED_LEN
      ? ex.sabq_js_spsc_peek(this.offset, this.capacity, this.msgMax)
      : ex.sabq_js_spsc_peek_wide(this.offset, this.capacity, this.msgMax);
    if (v < 0) {
      const rc = Number(v);
      if (rc === EAGAIN || rc === EPIPE) return rc;
      check(rc, what);
    }
    const at = unpack(v, this._got);
    this.inData(at, this._got.len, `${what}: record outside the ring`); // C's answer, checked anyway
    return at;
  }

  /** Hands back the message at `at`; C looks at the ring again and checks that
   * it is still the oldest one. */
  _release(at, len, what) {
    check(this.sabq.exports.sabq_js_spsc_release(this.offset, this.capacity, this.msgMax, at, len), what);
  }

  /**
   * Takes the oldest message for a buffer of `room` bytes: a short one is now
   * in the consumer's stage and removed (returns its length, at most
   * CONS_STAGE_BYTES); a longer one stays in place: returns its address
   * (> CONS_STAGE_BYTES, length in this._got.len) for the caller to copy and
   * release. Or EAGAIN, EPIPE; throws EMSGSIZE when it is longer than room.
   */
  _take(room, what) {
    const v = this.sabq.exports.sabq_js_spsc_recv_small(this.offset, this.capacity, this.msgMax, room);
    if (v >= 0) {
      if (v <= CONS_STAGE_BYTES) return v;
      const at = unpack(v, this._got);
      this.inData(at, this._got.len, `${what}: record outside the ring`);
      return at;
    }
    if (v === EAGAIN || v === EPIPE) return v;
    if (v === USE_WIDE) return this._peek(what);
    check(v, v === EMSGSIZE ? `${what}: buffer too small` : what);
  }

  /** Copies the oldest message out: Uint8Array, null when empty, END when
   * closed and drained. Never blocks (sabq_spsc_recv). Consumer only. */
  receive(noTimeout) {
    if (noTimeout !== undefined) blockingMoved('SpscRing.receive', 'receiveWait');
    const got = this._take(this.msgMax, 'SpscRing.receive');
    if (got === EAGAIN) return null;
    if (got === EPIPE) return END;
    const u8 = this.sabq.u8;
    if (got <= CONS_STAGE_BYTES) {
      const stage = this.offset + layout.CONS_STAGE;
      return u8.slice(stage, stage + got);
    }
    const copy = u8.slice(got, got + this._got.len);
    this._release(got, this._got.len, 'SpscRing.receive');
    return copy;
  }

  /**
   * Copies the oldest message into `buf` (no allocation): its length, null
   * when empty, END when closed and drained. Throws SabqError EMSGSIZE when
   * `buf` is too small (the message stays queued). Never blocks. Consumer only.
   */
  receiveInto(buf, noTimeout) {
    if (noTimeout !== undefined) blockingMoved('SpscRing.receiveInto', 'receiveIntoWait');
    const got = this._take(buf.length, 'SpscRing.receiveInto');
    if (got === EAGAIN) return null;
    if (got === EPIPE) return END;
    const u8 = this.sabq.u8;
    if (got <= CONS_STAGE_BYTES) {
      const stage = this.offset + layout.CONS_STAGE;
      for (let i = 0; i < got; i++) buf[i] = u8[stage + i];
      return got;
    }
    const len = this._got.len;
    if (len > buf.length) check(EMSGSIZE, 'SpscRing.receiveInto: buffer too small');
    copyOut(u8, got, len, buf);
    this._release(got, len, 'SpscRing.receiveInto');
    return len;
  }

  /**
   * receiveInto, waiting up to timeoutMs. Workers only. Null on timeout.
   *
   * The spin is written out here, and blockOn only parks: blockOn's loop
   * calls whatever closure each caller passes, this one one method of one
   * class, which measured faster — an 8-byte round trip between two Node
   * workers took 0.60x and 0.82x the time in two series of interleaved runs
   * (bench/js/node-bench.mjs rtt sabq; 6 and 8 rounds, AMD EPYC Zen 4).
   * tests/js/wait.test.mjs checks that the spin is not run twice.
   */
  receiveIntoWait(buf, timeoutMs) {
    const tried = canBlock(); // else blockOn throws
    if (tried) {
      let n = this.receiveInto(buf); // the common case: no closure, no wait
      if (n !== null) return n;
      for (let i = waitOptions.spin; i > 0; i--) {
        if (!this._sealAppeared()) continue;
        n = this.receiveInto(buf);
        if (n !== null) return n;
      }
    }
    return blockOn(this.sabq, this.readable, () => this.receiveInto(buf) ?? AGAIN, timeoutMs, this._sealAppeared, tried, tried);
  }

  /** Receives, waiting up to timeoutMs (sabq_spsc_recv_wait). Workers only.
   * Null on timeout. Spins as receiveIntoWait does. */
  receiveWait(timeoutMs) {
    const tried = canBlock(); // else blockOn throws
    if (tried) {
      let m = this.receive();
      if (m !== null) return m;
      for (let i = waitOptions.spin; i > 0; i--) {
        if (!this._sealAppeared()) continue;
        m = this.receive();
        if (m !== null) return m;
      }
    }
    return blockOn(this.sabq, this.readable, () => this.receive() ?? AGAIN, timeoutMs, this._sealAppeared, tried, tried);
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
