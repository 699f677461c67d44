// bindings-js/src/wasi/stdio-overlay.js — sabq stdio for a WASI program run
// by any other preview1 runtime (node:wasi, @tybys/wasm-util, @wasmer/wasi,
// browser_wasi_shim, a hand-written one): give it the runtime's import
// object, get it back with fd 0, 1 and 2 — and poll_oneoff on them — served
// by sabq pipes. The program then blocks in fd_read (in its worker) until
// the page or another plugin writes, which a postMessage cannot make happen
// while a wasm call blocks. Every other call, and every other fd, stays the
// runtime's.
//
//   const stdio = sabqStdio({ stdin, stdout, stderr });   // sabq Pipes (or null)
//   const imports = stdio.wrap(wasi.getImportObject());
//   const instance = await WebAssembly.instantiate(module, imports);
//   stdio.bind(instance);                                  // its memory
//   wasi.start(instance);

import { ERRNO, writeFdstat, writeFilestat } from './abi.js';
import { FsError, fail } from './fs/node.js';
import { PluginMemory } from './preview1.js';
import { pollCall } from './poll.js';
import { PipeReadFd, PipeWriteFd } from './fds/stdio.js';

const NAMESPACES = ['wasi_snapshot_preview1', 'wasi_unstable'];

export class SabqStdio {
  /**
   * @param {{stdin?: import('../rings/pipe.js').Pipe|null, stdout?, stderr?, tty?: boolean}} pipes
   *   null (or absent) leaves that fd to the runtime.
   */
  constructor({ stdin = null, stdout = null, stderr = null, tty = false } = {}) {
    this.fds = [
      stdin ? new PipeReadFd(stdin, { tty, onClose: () => stdin.close() }) : null,
      stdout ? new PipeWriteFd(stdout, { tty }) : null,
      stderr ? new PipeWriteFd(stderr, { tty }) : null,
    ];
    this.memory = new PluginMemory();
  }

  /** Gives the overlay the instance's memory (or a WebAssembly.Memory); call before it runs. */
  bind(instanceOrMemory) {
    this.memory.bind(instanceOrMemory instanceof WebAssembly.Memory ? instanceOrMemory : instanceOrMemory.exports.memory);
    return this;
  }

  /** Is fd `n` ours (0, 1, 2 given a pipe, not closed)? */
  owns(n) {
    return n >= 0 && n <= 2 && this.fds[n] !== null && this.fds[n] !== undefined;
  }

  /** A copy of `importObject` with the stdio calls overlaid, for every preview1 namespace in it. */
  wrap(importObject) {
    const out = { ...importObject };
    for (const ns of NAMESPACES) if (importObject[ns]) out[ns] = this.overlay(importObject[ns]);
    return out;
  }

  overlay(orig) {
    const mem = this.memory;
    const mine = (n) => this.owns(n);
    const run = (fn) => {
      try {
        fn();
        return ERRNO.SUCCESS;
      } catch (e) {
        if (e instanceof FsError) return e.errno;
        throw e;
      }
    };
    // poll_oneoff over our fds, and the runtime's fds reported ready (their
    // regular files always are; anything else we cannot wait on).
    const table = {
      get: (n) => (mine(n) ? this.fds[n] : foreignReady),
    };
    const ourPoll = pollCall(table, mem);
    return {
      ...orig,
      fd_read: (fd, iovsPtr, n, nread) => (mine(fd) ? run(() => {
        mem.check(nread, 4); // before reading: a bad pointer must not cost the bytes (EFAULT)
        const iovs = mem.iovs(iovsPtr, n); // it renews mem.u8 if the memory grew
        const count = this.fds[fd].readv(mem.u8, iovs);
        mem.u32(nread, count);
      }) : orig.fd_read(fd, iovsPtr, n, nread)),
      fd_write: (fd, iovsPtr, n, nwritten) => (mine(fd) ? run(() => {
        mem.check(nwritten, 4);
        const iovs = mem.iovs(iovsPtr, n); // it renews mem.u8 if the memory grew
        const count = this.fds[fd].writev(mem.u8, iovs);
        mem.u32(nwritten, count);
      }) : orig.fd_write(fd, iovsPtr, n, nwritten)),
      fd_close: (fd) => (mine(fd) ? run(() => {
        const f = this.fds[fd];
        this.fds[fd] = undefined; // closed: further calls are EBADF, not the runtime's
        f.close();
      }) : this.closedStdio(fd) ?? orig.fd_close(fd)),
      fd_fdstat_get: (fd, ptr) => (mine(fd) ? run(() => {
        const f = this.fds[fd];
        writeFdstat(mem.view, mem.check(ptr, 24), f.filetype, f.flags, f.rightsBase, f.rightsInheriting);
      }) : this.closedStdio(fd) ?? orig.fd_fdstat_get(fd, ptr)),
      fd_filestat_get: (fd, ptr) => (mine(fd) ? run(() => {
        const s = this.fds[fd].stat();
        writeFilestat(mem.view, mem.check(ptr, 64), s);
      }) : this.closedStdio(fd) ?? orig.fd_filestat_get(fd, ptr)),
      fd_seek: (fd, offset, whence, to) => (mine(fd) ? ERRNO.SPIPE : this.closedStdio(fd) ?? orig.fd_seek(fd, offset, whence, to)),
      fd_tell: (fd, to) => (mine(fd) ? ERRNO.SPIPE : this.closedStdio(fd) ?? orig.fd_tell(fd, to)),
      poll_oneoff: (inPtr, outPtr, nsubs, neventsPtr) => (this.anyOurs(inPtr, nsubs)
        ? ourPoll(inPtr, outPtr, nsubs, neventsPtr)
        : orig.poll_oneoff(inPtr, outPtr, nsubs, neventsPtr)),
    };
  }

  /** EBADF for a stdio fd we served and the plugin closed; undefined otherwise. */
  closedStdio(fd) {
    return fd >= 0 && fd <= 2 && this.fds[fd] === undefined ? ERRNO.BADF : undefined;
  }

  /** Does any fd subscription in the poll_oneoff input name one of our fds? */
  anyOurs(inPtr, nsubs) {
    this.memory.refresh();
    const view = this.memory.view;
    for (let i = 0; i < nsubs; i++) {
      const at = inPtr + i * 48;
      if (view.getUint8(at + 8) !== 0 && this.owns(view.getUint32(at + 16, true))) return true;
    }
    return false;
  }
}

/** A runtime's fd in a poll that also watches ours: taken as ready. */
const foreignReady = {
  pollRead: () => ({ ready: true, nbytes: 0, hangup: false, wait: null }),
  pollWrite: () => ({ ready: true, nbytes: 0, hangup: false, wait: null }),
};

/** sabq stdio for another runtime's import object (see SabqStdio). */
export function sabqStdio(pipes) {
  return new SabqStdio(pipes);
}


