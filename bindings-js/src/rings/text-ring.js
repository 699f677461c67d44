// bindings-js/src/text-ring.js — short texts (the JSON of protocol messages)
// over an SPSC ring, without allocating per message. A string sent with
// SpscRing.send is first encoded into a new Uint8Array, and one received with
// receiveString is copied out twice (TextDecoder refuses shared memory): in
// Node each of those allocations costs about a microsecond, more than the
// ring itself. Here each side encodes into and receives into a private
// buffer of its own, reused for every message. One TextRing per side: the
// producer only sends, the consumer only receives.

import { SabqError } from './errors.js';
import { errno } from './layout.js';
import { END } from './region.js';
import { AGAIN, blockOn, waitOn } from './wait.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class TextRing {
  /** @param {import('./spsc.js').SpscRing} ring */
  constructor(ring) {
    this.ring = ring;
    this.scratch = new Uint8Array(ring.msgMax); // no message is longer
  }

  /** The UTF-8 bytes of `text` in the scratch buffer (a view of it), or null when they would not fit a message. */
  encode(text) {
    const { read, written } = encoder.encodeInto(text, this.scratch);
    return read < text.length ? null : this.scratch.subarray(0, written);
  }

  /** Sends `text`; false when the ring is full. Never blocks. Throws EMSGSIZE for a text longer than a message. */
  send(text) {
    return this.ring.send(this._bytes(text));
  }

  /** Sends, waiting for room up to timeoutMs. Workers only. False on timeout. */
  sendWait(text, timeoutMs) {
    return this.ring.sendWait(this._bytes(text), timeoutMs);
  }

  /** Sends, awaiting room without blocking the thread. Resolves false on timeout. */
  sendAsync(text, options) {
    // A copy: the scratch buffer may be reused before the send is done.
    return this.ring.sendAsync(this._bytes(text).slice(), options);
  }

  _bytes(text) {
    const bytes = this.encode(text);
    if (bytes === null) throw new SabqError(-errno.EMSGSIZE, `TextRing.send: longer than ${this.ring.msgMax} bytes`);
    return bytes;
  }

  /** The oldest text, null when empty, END when closed and drained. Never blocks. */
  receive() {
    const n = this.ring.receiveInto(this.scratch);
    if (n === null || n === END) return n;
    return decoder.decode(this.scratch.subarray(0, n));
  }

  /** receive, waiting up to timeoutMs (Infinity: for ever). Workers only. Null on timeout. */
  receiveWait(timeoutMs) {
    return blockOn(this.ring.sabq, this.ring.readable, () => this.receive() ?? AGAIN, timeoutMs);
  }

  /** receive without blocking the thread (options as SpscRing.receiveAsync). Resolves null on timeout. */
  receiveAsync(options) {
    return waitOn(this.ring.sabq, this.ring.readable, () => this.receive() ?? AGAIN, options);
  }
}
