// bindings-js/src/wasi/fd-table.js — a plugin's file descriptors: the one
// place that numbers them. New fds take the lowest free number (as POSIX
// requires; programs that close stdin and open a file expect fd 0 back), and
// fd_renumber replaces the target as dup2 does. An Fd carries its filetype,
// flags and rights, so renumbering moves them with it.

import { ERRNO } from './abi.js';
import { fail } from './fs/node.js';

export class FdTable {
  /** `onClose(fd)`: called for every Fd as it is closed (the host's file events). */
  constructor({ onClose = null } = {}) {
    this.fds = [];
    this.onClose = onClose;
  }

  /** The Fd numbered `n`; BADF if none. */
  get(n) {
    const fd = this.fds[n];
    if (fd === undefined) fail(ERRNO.BADF, `fd ${n} is not open`);
    return fd;
  }

  /** Adds `fd` at the lowest free number, which it returns. */
  add(fd) {
    let n = this.fds.indexOf(undefined);
    if (n < 0) n = this.fds.length;
    this.fds[n] = fd;
    return n;
  }

  close(n) {
    const fd = this.get(n);
    this.fds[n] = undefined;
    while (this.fds.length > 0 && this.fds[this.fds.length - 1] === undefined) this.fds.pop();
    this.release(fd);
  }

  /**
   * fd_renumber: `from` replaces `to` (closing what `to` was), and `from` is
   * free. `to` must be open (BADF otherwise): the witx defines renumbering as
   * replacing an fd, not dup2 to any number (which wasmtime allows), and so
   * the table stays dense however large a number a plugin passes.
   */
  renumber(from, to) {
    const fd = this.get(from);
    const old = this.get(to);
    if (from === to) return;
    this.fds[to] = fd;
    this.fds[from] = undefined;
    while (this.fds.length > 0 && this.fds[this.fds.length - 1] === undefined) this.fds.pop();
    this.release(old);
  }

  release(fd) {
    try {
      fd.close();
    } finally {
      this.onClose?.(fd);
    }
  }

  /** Closes every fd still open (the program ended): each exactly once. */
  closeAll() {
    const open = this.fds;
    this.fds = [];
    let first = null;
    for (const fd of open) {
      if (fd === undefined) continue;
      try {
        this.release(fd);
      } catch (e) {
        first ??= e;
      }
    }
    if (first) throw first;
  }
}
