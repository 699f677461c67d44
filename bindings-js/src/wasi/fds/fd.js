// bindings-js/src/wasi/fds/fd.js — what a WASI file descriptor can be asked
// to do, with the answer POSIX gives when its kind cannot (a pipe cannot seek,
// a directory cannot be read as bytes). Each kind of fd (stdio.js, file.js,
// dir.js, host.js) overrides what it supports. Methods throw FsError; the
// preview1 layer turns that into the errno the plugin sees.

import { ERRNO, FILETYPE } from '../abi.js';
import { fail } from '../fs/node.js';

export class Fd {
  constructor({ filetype = FILETYPE.UNKNOWN, rightsBase = 0n, rightsInheriting = 0n, flags = 0 } = {}) {
    this.filetype = filetype;
    this.rightsBase = rightsBase;
    this.rightsInheriting = rightsInheriting;
    this.flags = flags;
  }

  /** Reads into memory u8 at the iovecs, a flat [ptr, len, ptr, len, ...]; returns the count. */
  readv(u8, iovs) { // eslint-disable-line no-unused-vars
    return fail(ERRNO.BADF, 'not open for reading');
  }

  /** Writes from memory u8 at the iovecs; returns the count. */
  writev(u8, iovs) { // eslint-disable-line no-unused-vars
    return fail(ERRNO.BADF, 'not open for writing');
  }

  preadv(u8, iovs, offset) { // eslint-disable-line no-unused-vars
    return fail(ERRNO.SPIPE);
  }

  pwritev(u8, iovs, offset) { // eslint-disable-line no-unused-vars
    return fail(ERRNO.SPIPE);
  }

  seek(offset, whence) { // eslint-disable-line no-unused-vars
    return fail(ERRNO.SPIPE);
  }

  tell() {
    return fail(ERRNO.SPIPE);
  }

  /** filestat fields (see abi.writeFilestat). */
  stat() {
    return {
      dev: 0n, ino: 0n, filetype: this.filetype, nlink: 1n, size: 0,
      atim: 0n, mtim: 0n, ctim: 0n,
    };
  }

  setSize(size) { // eslint-disable-line no-unused-vars
    fail(ERRNO.INVAL);
  }

  setTimes(atim, mtim) { // eslint-disable-line no-unused-vars
    fail(ERRNO.NOTSUP);
  }

  sync() {}

  allocate(offset, len) { // eslint-disable-line no-unused-vars
    fail(ERRNO.NOTSUP);
  }

  /** The directory node path calls start from; NOTDIR for anything else. */
  dir() {
    return fail(ERRNO.NOTDIR);
  }

  /** The name this fd was preopened as, or null. */
  get preopenName() {
    return null;
  }

  /**
   * For poll_oneoff: {ready, nbytes, hangup} now, and where to wait when not
   * ready ({sabq, event} of a sabq ring), or null when it will not change.
   */
  pollRead() {
    return { ready: true, nbytes: 0, hangup: false, wait: null };
  }

  pollWrite() {
    return { ready: true, nbytes: 0, hangup: false, wait: null };
  }

  /** The fd is closed (or replaced by fd_renumber): release what it holds. */
  close() {}
}
