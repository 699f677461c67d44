// bindings-js/src/rings/pipe.js — the SPSC byte pipe from JavaScript: partial reads
// and writes, end of stream. C hands out contiguous spans; JS copies into them.

import { layout, errno } from './layout.js';
import { check } from './errors.js';
import { Region, END, bytesOf, blockingMoved, deprecatedAliases } from './region.js';
import { AGAIN, blockOn, waitOn, canBlock, waitOptions } from './wait.js';

const EAGAIN = -errno.EAGAIN;

export class Pipe extends Region {
  static size(sabq, capacity) {
    return Region.sizeFor(sabq, layout.KIND_PIPE, capacity);
  }

  /** Lays out a new pipe of `capacity` bytes (a power of two) at `offset`. */
  static create(sabq, offset, capacity) {
    const [size] = Region.layOut(sabq, layout.KIND_PIPE, offset, capacity, 0, 'Pipe');
    return new Pipe(sabq, offset, size, layout.KIND_PIPE, capacity, 0);
  }

  static attach(sabq, offset, size) {
    const [capacity] = Region.validate(sabq, layout.KIND_PIPE, offset, size, 'Pipe');
    return new Pipe(sabq, offset, size, layout.KIND_PIPE, capacity, 0);
  }

  /** Writes what fits of `data` (bytes or string); returns the count (0 when
   * full). Never blocks (sabq_pipe_write). Writer only. */
  write(data, noTimeout) {
    if (noTimeout !== undefined) blockingMoved('Pipe.write', 'writeWait');
    return this._writeFrom(bytesOf(data), 0);
  }

  _writeFrom(bytes, from) {
    const ex = this.sabq.exports;
    let done = 0;
    while (from + done < bytes.length) {
      const n = ex.sabq_js_pipe_write_span(this.offset, this.capacity);
      if (n === EAGAIN) break;
      check(n, 'Pipe.write');
      const at = ex.sabq_js_pipe_write_addr(this.offset, this.capacity);
      const take = Math.min(n, bytes.length - from - done);
      this.inData(at, take, 'Pipe.write: span outside the pipe');
      this.sabq.u8.set(bytes.subarray(from + done, from + done + take), at);
      check(ex.sabq_js_pipe_write_commit(this.offset, this.capacity, take), 'Pipe.write');
      done += take;
    }
    return done;
  }

  /** Writes all of `data`, waiting for room up to timeoutMs in total
   * (sabq_pipe_write_all). Workers only. Returns the bytes written (fewer only
   * on timeout). */
  writeWait(data, timeoutMs) {
    const bytes = bytesOf(data);
    let done = 0;
    while (done < bytes.length) {
      const n = blockOn(this.sabq, this.writable, () => this._writeFrom(bytes, done) || AGAIN, timeoutMs);
      if (n === null) break;
      done += n;
    }
    return done;
  }

  /** write() without blocking the thread. */
  async writeAsync(data, options = {}) {
    const bytes = bytesOf(data);
    let done = 0;
    while (done < bytes.length) {
      const n = await waitOn(this.sabq, this.writable, () => this._writeFrom(bytes, done) || AGAIN, options);
      if (n === null) break;
      done += n;
    }
    return done;
  }

  /**
   * Copies up to `max` bytes into `target` (a Uint8Array) at `at`; returns the
   * count, 0 at end of stream, or -1 when nothing is there yet. Never blocks
   * (sabq_pipe_read). Reader only.
   */
  readInto(target, at = 0, max = target.length - at, noTimeout) {
    if (noTimeout !== undefined) blockingMoved('Pipe.readInto', 'readIntoWait');
    const ex = this.sabq.exports;
    let done = 0;
    while (done < max) {
      const n = ex.sabq_js_pipe_read_span(this.offset, this.capacity);
      if (n === EAGAIN || n === 0) {
        if (done > 0) break;
        return n === 0 ? 0 : -1;
      }
      check(n, 'Pipe.read');
      const from = ex.sabq_js_pipe_read_addr(this.offset, this.capacity);
      const take = Math.min(n, max - done);
      this.inData(from, take, 'Pipe.read: span outside the pipe');
      target.set(this.sabq.u8.subarray(from, from + take), at + done);
      check(ex.sabq_js_pipe_read_consume(this.offset, this.capacity, take), 'Pipe.read');
      done += take;
    }
    return done;
  }

  /** Up to `max` bytes: a Uint8Array, null when empty, END at end of stream.
   * Never blocks. */
  read(max = this.capacity, noTimeout) {
    if (noTimeout !== undefined) blockingMoved('Pipe.read', 'readWait');
    const span = this.sabq.exports.sabq_js_pipe_read_span(this.offset, this.capacity);
    if (span === EAGAIN) return null;
    if (span === 0) return END;
    check(span, 'Pipe.read');
    // Sized by what is there (this span, and what follows it when the data
    // wraps), not by `max`: a reader polling a nearly empty pipe for chunks
    // of 64 KiB allocated and zeroed 64 KiB per look — most of the page's
    // time in a line-by-line exchange with a plugin.
    const buf = new Uint8Array(Math.min(max, this.capacity, Math.max(span, this.used)));
    const n = this.readInto(buf);
    return n < 0 ? null : n === 0 ? END : buf.subarray(0, n);
  }

  /** readInto, waiting up to timeoutMs for at least one byte or the end
   * (sabq_pipe_read_wait). Workers only. Returns the count, 0 at end of
   * stream, -1 on timeout. */
  readIntoWait(target, at = 0, max = target.length - at, timeoutMs) {
    // The spin in a loop of its own, as SpscRing.receiveIntoWait's: a WASI
    // plugin's blocking fd_read of stdin comes here.
    const tried = canBlock(); // else blockOn throws
    if (tried) {
      for (let i = waitOptions.spin; i >= 0; i--) {
        const got = this.readInto(target, at, max);
        if (got >= 0) return got;
      }
    }
    const n = blockOn(this.sabq, this.readable, () => {
      const got = this.readInto(target, at, max);
      return got < 0 ? AGAIN : got;
    }, timeoutMs, undefined, tried, tried);
    return n === null ? -1 : n;
  }

  /** read, waiting up to timeoutMs. Workers only. Null on timeout. */
  readWait(max = this.capacity, timeoutMs) {
    return blockOn(this.sabq, this.readable, () => this.read(max) ?? AGAIN, timeoutMs);
  }

  /** read without blocking the thread. Resolves null on timeout. */
  readAsync(max = this.capacity, options = {}) {
    return waitOn(this.sabq, this.readable, () => this.read(max) ?? AGAIN, options);
  }
}

// The pre-0.2 names (see blockingMoved in region.js). Deprecated.
deprecatedAliases(Pipe, { tryWrite: 'write', tryRead: 'read', tryReadInto: 'readInto' });
