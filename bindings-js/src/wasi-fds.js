// bindings-js/src/wasi-fds.js — file descriptors for @bjorn3/browser_wasi_shim
// backed by sabq pipes: a plugin's fd_read on stdin blocks in its worker until
// the host (or the previous plugin) writes or closes; fd_write streams out.
// Also the /host directory through which a plugin calls the host.

import { SabqError } from './errors.js';

/**
 * The fd classes, built on the shim module the worker imported (by URL: a
 * worker cannot resolve the bare name '@bjorn3/browser_wasi_shim' in a browser
 * without an import map).
 */
export function makeFds({ Fd, wasi }) {

  /** How a pipe fd presents itself: a character device reads as a terminal to
   * libc (line-buffered stdout, interactive interpreters), anything else as a
   * pipe (fully buffered, fast for bulk data). */
  function fdstat(tty, rights) {
    const stat = new wasi.Fdstat(tty ? wasi.FILETYPE_CHARACTER_DEVICE : wasi.FILETYPE_UNKNOWN, 0);
    stat.fs_rights_base = BigInt(rights);
    return stat;
  }

  /** The read end of a sabq Pipe, as a WASI fd. fd_read blocks until at least one
   * byte or the end of the stream (an empty read). */
  class PipeReadFd extends Fd {
    constructor(pipe, { tty = false, onClose } = {}) {
      super();
      this.pipe = pipe;
      this.tty = tty;
      this.onClose = onClose;
      this.scratch = new Uint8Array(0);
    }

    fd_fdstat_get() {
      return { ret: 0, fdstat: fdstat(this.tty, wasi.RIGHTS_FD_READ) };
    }

    fd_read(size) {
      if (this.scratch.length < size) this.scratch = new Uint8Array(Math.min(Math.max(size, 4096), this.pipe.capacity));
      try {
        const n = this.pipe.readIntoWait(this.scratch, 0, Math.min(size, this.scratch.length));
        return { ret: 0, data: n > 0 ? this.scratch.slice(0, n) : new Uint8Array(0) };
      } catch (e) {
        return { ret: e instanceof SabqError ? wasi.ERRNO_IO : wasi.ERRNO_IO, data: new Uint8Array(0) };
      }
    }

    fd_close() {
      this.onClose?.();
      return 0;
    }
  }

  /** The write end of a sabq Pipe, as a WASI fd. fd_write blocks until all bytes
   * are in the pipe; a closed reader gives ERRNO_PIPE (as SIGPIPE would). */
  class PipeWriteFd extends Fd {
    constructor(pipe, { tty = false } = {}) {
      super();
      this.pipe = pipe;
      this.tty = tty;
    }

    fd_fdstat_get() {
      return { ret: 0, fdstat: fdstat(this.tty, wasi.RIGHTS_FD_WRITE) };
    }

    fd_write(data) {
      try {
        return { ret: 0, nwritten: this.pipe.writeWait(data) };
      } catch (e) {
        return { ret: e instanceof SabqError && e.code === 'EPIPE' ? wasi.ERRNO_PIPE : wasi.ERRNO_IO, nwritten: 0 };
      }
    }

    fd_close() {
      this.pipe.close();
      return 0;
    }
  }

  /** A read-only fd over bytes already here (a short host-call answer). */
  class BytesReadFd extends Fd {
    constructor(bytes) {
      super();
      this.bytes = bytes;
      this.at = 0;
    }

    fd_fdstat_get() {
      return { ret: 0, fdstat: fdstat(false, wasi.RIGHTS_FD_READ) };
    }

    fd_read(size) {
      const data = this.bytes.slice(this.at, this.at + size);
      this.at += data.length;
      return { ret: 0, data };
    }
  }

  /** An fd whose writes vanish (stdout or stderr nobody asked for). */
  class NullFd extends Fd {
    fd_write(data) {
      return { ret: 0, nwritten: data.byteLength };
    }

    fd_read() {
      return { ret: 0, data: new Uint8Array(0) };
    }
  }

  /**
   * The preopened directory /host. Opening `call/NAME/REQUEST` or `run/CMDLINE`
   * under it asks the host, synchronously: `request(kind, rest)` posts the
   * request and blocks until the host answers with a pipe to read the response
   * from (or a WASI errno). See include/sabq/host.h and docs/plugins.md.
   */
  class HostDirFd extends Fd {
    /** `onClose(pipe)`: the plugin closed the fd of an answer. */
    constructor(request, onClose) {
      super();
      this.request = request;
      this.onClose = onClose;
    }

    fd_prestat_get() {
      return { ret: 0, prestat: wasi.Prestat.dir('/host') };
    }

    fd_fdstat_get() {
      return { ret: 0, fdstat: new wasi.Fdstat(wasi.FILETYPE_DIRECTORY, 0) };
    }

    path_open(dirflags, path, oflags) {
      if (oflags & (wasi.OFLAGS_CREAT | wasi.OFLAGS_TRUNC)) return { ret: wasi.ERRNO_ROFS, fd_obj: null };
      const slash = path.indexOf('/');
      const kind = slash < 0 ? path : path.slice(0, slash);
      if (kind !== 'call' && kind !== 'run') return { ret: wasi.ERRNO_NOENT, fd_obj: null };
      const rest = decodeURIComponent(path.slice(slash + 1));
      const answer = this.request(kind, rest);
      if (typeof answer === 'number') return { ret: answer, fd_obj: null };
      if (answer instanceof Uint8Array) return { ret: 0, fd_obj: new BytesReadFd(answer) };
      return { ret: 0, fd_obj: new PipeReadFd(answer, { onClose: () => this.onClose?.(answer) }) };
    }

    path_filestat_get() {
      return { ret: wasi.ERRNO_NOTSUP, filestat: null };
    }
  }

  return { PipeReadFd, PipeWriteFd, BytesReadFd, NullFd, HostDirFd };
}
