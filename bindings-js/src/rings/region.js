// bindings-js/src/rings/region.js — what every ring class shares: where the region
// is, its validated geometry (kept in JS, never re-read from shared memory),
// create/attach through sabq.wasm, close.

import { layout, errno } from './layout.js';
import { check, SabqError } from './errors.js';

export class Region {
  /** @protected */
  constructor(sabq, offset, size, kind, capacity, msgMax) {
    this.sabq = sabq;
    this.offset = offset;
    this.size = size;
    this.kind = kind;
    this.capacity = capacity;
    this.msgMax = msgMax;
    this.dataStart = offset + layout.DATA_OFFSET;
    this.readable = offset + layout.READABLE_EVENT;
    this.writable = offset + layout.WRITABLE_EVENT;
    sabq.ensure(offset + size); // the cached views reach every byte of this ring
  }

  /** Bytes a region of this kind needs (0 if the arguments are invalid). */
  static sizeFor(sabq, kind, capacity, msgMax = 0) {
    return sabq.exports.sabq_js_size(kind, capacity, msgMax) >>> 0;
  }

  /** Lays out a new region at `offset` and returns [size, msgMax]. */
  static layOut(sabq, kind, offset, capacity, msgMax, what) {
    const size = Region.sizeFor(sabq, kind, capacity, msgMax);
    if (size === 0) throw new SabqError(-22, `${what}.create: invalid capacity or message size`);
    if (!Number.isInteger(offset) || offset <= 0 || offset % layout.ALIGN !== 0) {
      // 0 is C's null pointer inside wasm, so a region cannot start there.
      throw new SabqError(-22, `${what}.create: offset must be a positive multiple of ${layout.ALIGN}`);
    }
    if (offset + size > sabq.memory.buffer.byteLength) throw new SabqError(-22, `${what}.create: region does not fit in the memory`);
    const rc = check(sabq.exports.sabq_js_init(kind, offset, size, capacity, msgMax), `${what}.create`);
    return [size, kind === layout.KIND_SPSC ? rc : msgMax];
  }

  /** Validates the header at `offset` (once, in C) and returns [capacity, msgMax]. */
  static validate(sabq, kind, offset, size, what) {
    if (!Number.isInteger(offset) || offset < 0 || offset + size > sabq.memory.buffer.byteLength) {
      throw new SabqError(-22, `${what}.attach: region outside the memory`);
    }
    const ex = sabq.exports;
    if (kind === layout.KIND_SPSC && size >= layout.DATA_OFFSET &&
        new DataView(sabq.memory.buffer).getUint16(offset + layout.HDR_KIND, true) === layout.KIND_SPSC_FIXED) {
      // C's sabq_spsc_attach takes either form; this binding speaks only the
      // variable-length one (sabq.wasm refuses the other too: EPROTO).
      throw new SabqError(-errno.EPROTO, `${what}.attach: a fixed-size ring (sabq_spsc_init_fixed) is not supported from JavaScript`);
    }
    const capacity = check(ex.sabq_js_attach_capacity(kind, offset, size), `${what}.attach`);
    const msgMax = check(ex.sabq_js_attach_msg_max(kind, offset, size, capacity), `${what}.attach`);
    return [capacity, msgMax];
  }

  /** Closes the ring and wakes every waiter, on both sides. Idempotent. */
  close() {
    this.sabq.exports.sabq_js_close(this.offset);
  }

  get closed() {
    return this.sabq.exports.sabq_js_is_closed(this.offset) !== 0;
  }

  /** What is queued now: bytes (ring, pipe) or messages (mpmc). */
  get used() {
    return this.sabq.exports.sabq_js_used(this.offset, this.capacity);
  }

  /**
   * Threads announced as waiting on each side now: {readable, writable}
   * (the events' waiter words). For diagnostics: a count that stays above
   * the number of threads that can be waiting means a wait was never withdrawn.
   */
  get waiters() {
    const u32 = this.sabq.u32;
    return {
      readable: Atomics.load(u32, (this.offset + layout.READABLE_WAITERS) >> 2),
      writable: Atomics.load(u32, (this.offset + layout.WRITABLE_WAITERS) >> 2),
    };
  }

  /** What a worker needs to attach to the same ring: post it with the memory. */
  toJSON() {
    return { offset: this.offset, size: this.size };
  }

  /** Throws unless [start, start+len) lies in the data area: values JS reads
   * from the ring itself are checked before use (the peer is untrusted). */
  inData(start, len, what) {
    if (start < this.dataStart || len < 0 || start + len > this.offset + this.size) {
      throw new SabqError(-71, what);
    }
  }
}

const TWO32 = 4294967296;
const LOW32 = 0xffffffffn;

/**
 * Where a message is and how long, from one answer of sabq.wasm: C packs the
 * two as len * 2^32 + address in one f64 (exact below layout.JS_PACKED_LEN),
 * or as a BigInt (len << 32 | address) for rings with longer messages; so
 * JS never reads the length again from memory the peer can write.
 * Returns the address; the length is left in `out.len`.
 */
export function unpack(v, out) {
  if (typeof v === 'bigint') {
    out.len = Number(v >> 32n);
    return Number(v & LOW32);
  }
  const at = v >>> 0;
  out.len = (v - at) / TWO32;
  return at;
}

/** The end-of-stream marker returned by receive and read calls. */
export const END = Symbol('sabq.end');

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes of a string or typed array, as a Uint8Array. */
export function bytesOf(data) {
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || data instanceof SharedArrayBuffer) return new Uint8Array(data);
  throw new TypeError('sabq: expected a string, a typed array or an ArrayBuffer');
}

/**
 * Copies u8[at, at + len) into buf. Short messages go byte by byte: making a
 * subarray view for set() costs more than copying a few bytes.
 */
export function copyOut(u8, at, len, buf) {
  if (len <= 32) {
    for (let i = 0; i < len; i++) buf[i] = u8[at + i];
  } else {
    buf.set(u8.subarray(at, at + len));
  }
}

/** TextDecoder refuses views of shared memory: decode a private copy. */
export function textOf(view) {
  return decoder.decode(view.slice());
}

/**
 * Since 0.2 the JS names mean what the C names mean: `send`, `receive`,
 * `write`, `read`, `push`, `pop` never block (sabq_spsc_send ...), `...Wait`
 * blocks (sabq_spsc_send_wait ...), `...Async` returns a promise. A caller
 * still passing the timeout of the old blocking form is told so, rather than
 * silently getting a call that no longer waits.
 */
export function blockingMoved(what, instead) {
  throw new TypeError(`${what}() never blocks and takes no timeout since sabq 0.2; the blocking form is ${instead}()`);
}

const warned = new Set();

/** Adds the pre-0.2 `try*` names to `cls` as deprecated aliases, each warning once. */
export function deprecatedAliases(cls, aliases) {
  for (const [old, now] of Object.entries(aliases)) {
    Object.defineProperty(cls.prototype, old, {
      configurable: true,
      writable: true,
      value(...args) {
        if (!warned.has(`${cls.name}.${old}`)) {
          warned.add(`${cls.name}.${old}`);
          console.warn(`sabq: ${cls.name}.${old}() is deprecated; use ${now}() (same behaviour)`);
        }
        return this[now](...args);
      },
    });
  }
}
