// bindings-js/src/wasi/fds/fd.js — what a WASI file descriptor can be asked
// to do, with the answer wasmtime gives when its kind cannot (a pipe cannot
// seek: SPIPE; anything but a regular file cannot be synced, resized or
// advised: BADF). Each kind of fd (stdio.js, file.js, host.js) overrides what
// it supports, and checks its rights there (rights.js). Methods throw FsError;
// the preview1 layer turns that into the errno the plugin sees.

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
    fail(ERRNO.BADF, 'not a regular file');
  }

  setTimes(atim, mtim) { // eslint-disable-line no-unused-vars
    fail(ERRNO.BADF, 'not a file or directory');
  }

  /** fsync (`data`: fdatasync). */
  sync(data) { // eslint-disable-line no-unused-vars
    fail(ERRNO.BADF, 'not a file or directory');
  }

  allocate(offset, len) { // eslint-disable-line no-unused-vars
    fail(ERRNO.BADF, 'not a regular file');
  }

  advise(offset, len, advice) { // eslint-disable-line no-unused-vars
    fail(ERRNO.BADF, 'not a regular file');
  }

  /** fd_fdstat_set_flags. */
  setFlags(flags) { // eslint-disable-line no-unused-vars
    fail(ERRNO.BADF, 'not a regular file');
  }

  /** The directory node path calls start from; BADF for anything but a directory. */
  dir() {
    return fail(ERRNO.BADF, 'not a directory');
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
