// bindings-js/src/wasi/fds/stdio.js — a plugin's stdin, stdout and stderr as
// sabq pipes: fd_read blocks in the worker (Atomics.wait inside the pipe's
// wait) until the host or the previous plugin writes or closes; fd_write
// blocks until every byte is in the pipe. Bytes go straight between the
// plugin's memory and the pipe's span: no intermediate buffer, no allocation.

import { ERRNO, FILETYPE, RIGHTS } from '../abi.js';
import { fail } from '../fs/node.js';
import { SabqError } from '../../rings/errors.js';
import { Fd } from './fd.js';

const READ_RIGHTS = RIGHTS.FD_READ | RIGHTS.POLL_FD_READWRITE;
const WRITE_RIGHTS = RIGHTS.FD_WRITE | RIGHTS.POLL_FD_READWRITE;

/** A character device reads as a terminal to libc (line-buffered stdout,
 * interactive interpreters); anything else as a pipe (fully buffered). */
const typeOf = (tty) => (tty ? FILETYPE.CHARACTER_DEVICE : FILETYPE.UNKNOWN);

/** The read end of a sabq Pipe. */
export class PipeReadFd extends Fd {
  /** `onClose`: the plugin closed it (a writer then gets EPIPE). */
  constructor(pipe, { tty = false, onClose = null } = {}) {
    super({ filetype: typeOf(tty), rightsBase: READ_RIGHTS });
    this.pipe = pipe;
    this.onClose = onClose;
  }

  readv(u8, iovs) {
    let done = 0;
    for (let i = 0; i < iovs.length; i += 2) {
      const at = iovs[i];
      const len = iovs[i + 1];
      if (len === 0) continue;
      // Block for the first bytes only; take what else is there without waiting.
      const n = done === 0 ? this.pipe.readIntoWait(u8, at, len) : this.pipe.readInto(u8, at, len);
      if (n <= 0) break; // end of stream (0) or, after some bytes, nothing more yet (-1)
      done += n;
      if (n < len) break;
    }
    return done;
  }

  pollRead() {
    const used = this.pipe.used;
    const closed = this.pipe.closed;
    return { ready: used > 0 || closed, nbytes: used, hangup: closed && used === 0, wait: { pipe: this.pipe, event: this.pipe.readable } };
  }

  close() {
    this.onClose?.();
  }
}

/** The write end of a sabq Pipe. A closed reader gives PIPE (as SIGPIPE would). */
export class PipeWriteFd extends Fd {
  constructor(pipe, { tty = false } = {}) {
    super({ filetype: typeOf(tty), rightsBase: WRITE_RIGHTS });
    this.pipe = pipe;
  }

  writev(u8, iovs) {
    let done = 0;
    for (let i = 0; i < iovs.length; i += 2) {
      const len = iovs[i + 1];
      if (len === 0) continue;
      try {
        done += this.pipe.writeWait(u8.subarray(iovs[i], iovs[i] + len));
      } catch (e) {
        if (!(e instanceof SabqError)) throw e;
        if (done > 0) return done; // report what went through; the next write fails
        fail(e.code === 'EPIPE' ? ERRNO.PIPE : ERRNO.IO, e.message);
      }
    }
    return done;
  }

  pollWrite() {
    const room = this.pipe.capacity - this.pipe.used;
    const closed = this.pipe.closed;
    return { ready: room > 0 || closed, nbytes: room, hangup: closed, wait: { pipe: this.pipe, event: this.pipe.writable } };
  }

  close() {
    this.pipe.close();
  }
}

/** Bytes already here, read once (a short host-call answer). */
export class BytesReadFd extends Fd {
  constructor(bytes) {
    super({ filetype: FILETYPE.REGULAR_FILE, rightsBase: READ_RIGHTS });
    this.bytes = bytes;
    this.at = 0;
  }

  readv(u8, iovs) {
    let done = 0;
    for (let i = 0; i < iovs.length && this.at < this.bytes.length; i += 2) {
      const n = Math.min(iovs[i + 1], this.bytes.length - this.at);
      u8.set(this.bytes.subarray(this.at, this.at + n), iovs[i]);
      this.at += n;
      done += n;
    }
    return done;
  }

  pollRead() {
    return { ready: true, nbytes: this.bytes.length - this.at, hangup: false, wait: null };
  }
}

/** /dev/null: stdin that is empty, or stdout/stderr nobody asked for. Seekable,
 * so that libc's isatty() says no, as it does for /dev/null. */
export class NullFd extends Fd {
  constructor() {
    super({ filetype: FILETYPE.CHARACTER_DEVICE, rightsBase: READ_RIGHTS | WRITE_RIGHTS | RIGHTS.FD_SEEK | RIGHTS.FD_TELL });
  }

  seek() {
    return 0n;
  }

  tell() {
    return 0n;
  }

  readv() {
    return 0;
  }

  writev(u8, iovs) {
    let n = 0;
    for (let i = 1; i < iovs.length; i += 2) n += iovs[i];
    return n;
  }
}
