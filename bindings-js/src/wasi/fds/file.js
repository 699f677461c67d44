// bindings-js/src/wasi/fds/file.js — an open regular file and an open
// directory of a mounted file system. The fd owns the position (and append
// mode); the backend's OpenFile moves the bytes; reads and writes go straight
// between the plugin's memory and the file (no intermediate copy).

import { ERRNO, FILETYPE, RIGHTS, WHENCE, FSTFLAGS, FDFLAGS } from '../abi.js';
import { fail, nowNs } from '../fs/node.js';
import { Fd } from './fd.js';

/** {atim, mtim} to set (null: leave) from fd_filestat_set_times's arguments. */
export function timesFrom(atim, mtim, fst) {
  if ((fst & FSTFLAGS.ATIM && fst & FSTFLAGS.ATIM_NOW) || (fst & FSTFLAGS.MTIM && fst & FSTFLAGS.MTIM_NOW)) {
    fail(ERRNO.INVAL, 'time given and NOW requested');
  }
  const now = nowNs();
  return {
    atim: fst & FSTFLAGS.ATIM_NOW ? now : fst & FSTFLAGS.ATIM ? atim : null,
    mtim: fst & FSTFLAGS.MTIM_NOW ? now : fst & FSTFLAGS.MTIM ? mtim : null,
  };
}

export class FileFd extends Fd {
  /**
   * @param {import('../fs/node.js').File} node   held until close
   * @param {import('../fs/node.js').OpenFile} file
   * @param {object} mount {readOnly, quota, path}
   */
  constructor(node, file, mount, { rightsBase, rightsInheriting, flags }) {
    super({ filetype: FILETYPE.REGULAR_FILE, rightsBase, rightsInheriting, flags });
    this.node = node;
    this.file = file;
    this.mount = mount;
    this.pos = 0;
    this.written = false; // for the host's "file closed after writing" event
  }

  get readable() {
    return (this.rightsBase & RIGHTS.FD_READ) !== 0n;
  }

  get writable() {
    return (this.rightsBase & RIGHTS.FD_WRITE) !== 0n;
  }

  readv(u8, iovs) {
    const n = this.preadv(u8, iovs, this.pos);
    this.pos += n;
    return n;
  }

  preadv(u8, iovs, offset) {
    if (!this.readable) fail(ERRNO.BADF, 'not open for reading');
    let done = 0;
    let pos = Number(offset);
    for (let i = 0; i < iovs.length; i += 2) {
      const len = iovs[i + 1];
      const n = this.file.read(u8.subarray(iovs[i], iovs[i] + len), pos);
      done += n;
      pos += n;
      if (n < len) break;
    }
    return done;
  }

  writev(u8, iovs) {
    if (this.flags & FDFLAGS.APPEND) this.pos = this.file.size();
    const n = this.pwritev(u8, iovs, this.pos);
    this.pos += n;
    return n;
  }

  pwritev(u8, iovs, offset) {
    if (!this.writable) fail(ERRNO.BADF, 'not open for writing');
    let done = 0;
    let pos = Number(offset);
    for (let i = 0; i < iovs.length; i += 2) {
      const len = iovs[i + 1];
      if (len === 0) continue;
      try {
        this.file.write(u8.subarray(iovs[i], iovs[i] + len), pos);
      } catch (e) {
        if (done > 0) break; // a short write; the next one reports the error
        throw e;
      }
      done += len;
      pos += len;
    }
    if (done > 0) this.written = true;
    return done;
  }

  seek(offset, whence) {
    let base;
    if (whence === WHENCE.SET) base = 0n;
    else if (whence === WHENCE.CUR) base = BigInt(this.pos);
    else if (whence === WHENCE.END) base = BigInt(this.file.size());
    else fail(ERRNO.INVAL, 'bad whence');
    const to = base + offset;
    if (to < 0n || to > BigInt(Number.MAX_SAFE_INTEGER)) fail(ERRNO.INVAL, 'seek out of range');
    this.pos = Number(to);
    return to;
  }

  tell() {
    return BigInt(this.pos);
  }

  stat() {
    return this.node.stat();
  }

  setSize(size) {
    if (!this.writable) fail(ERRNO.BADF, 'not open for writing');
    if (size > BigInt(Number.MAX_SAFE_INTEGER)) fail(ERRNO.FBIG);
    this.file.truncate(Number(size));
    this.written = true;
  }

  setTimes(atim, mtim) {
    this.node.setTimes(atim, mtim);
  }

  sync() {
    this.file.sync();
  }

  allocate(offset, len) {
    if (!this.writable) fail(ERRNO.BADF, 'not open for writing');
    const end = Number(offset + len);
    if (end > this.file.size()) this.file.truncate(end);
  }

  pollRead() {
    return { ready: true, nbytes: Math.max(0, this.file.size() - this.pos), hangup: false, wait: null };
  }

  close() {
    this.file.close();
    this.node.release();
    this.mount.quota.closed();
  }
}

export class DirFd extends Fd {
  /**
   * @param {import('../fs/node.js').Dir} node
   * @param {object} mount {readOnly, quota, path}
   * @param {string|null} preopen the name it was preopened as (its node is
   *   the mount's root, which the mount releases, not the fd)
   */
  constructor(node, mount, { rightsBase, rightsInheriting, preopen = null }) {
    super({ filetype: FILETYPE.DIRECTORY, rightsBase, rightsInheriting });
    this.node = node;
    this.mount = mount;
    this.preopen = preopen;
    this.listing = null; // the entries fd_readdir walks, taken at cookie 0
  }

  get preopenName() {
    return this.preopen;
  }

  dir() {
    return this.node;
  }

  stat() {
    return this.node.stat();
  }

  setTimes(atim, mtim) {
    this.node.setTimes(atim, mtim);
  }

  /**
   * The directory's entries for fd_readdir, '.' and '..' first. Cookies are
   * positions in a snapshot taken when reading starts (cookie 0), so they
   * stay valid while the plugin changes the directory under its reading.
   */
  entries(cookie) {
    if (cookie === 0n || this.listing === null) {
      const self = this.node.stat().ino;
      this.listing = [
        { name: '.', type: FILETYPE.DIRECTORY, ino: self },
        { name: '..', type: FILETYPE.DIRECTORY, ino: self },
        ...this.node.list(),
      ];
    }
    return this.listing;
  }

  close() {
    if (this.preopen === null) {
      this.node.release();
      this.mount.quota.closed();
    }
  }
}
