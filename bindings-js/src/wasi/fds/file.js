// bindings-js/src/wasi/fds/file.js — an open regular file and an open
// directory of a mounted file system. The fd owns the position (and append
// mode) and its rights (each call checks the one it needs: rights.js); the
// backend's OpenFile moves the bytes; reads and writes go straight between
// the plugin's memory and the file (no intermediate copy).

import { ERRNO, FILETYPE, RIGHTS, WHENCE, FSTFLAGS, FDFLAGS } from '../abi.js';
import { fail, nowNs } from '../fs/node.js';
import { need } from '../rights.js';
import { Fd } from './fd.js';

/** Offsets past this cannot be addressed exactly in JS (and no backend holds such a file). */
const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

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
    if (!this.readable) fail(ERRNO.BADF, 'not open for reading');
    const n = this.readAt(u8, iovs, this.pos);
    this.pos += n;
    return n;
  }

  preadv(u8, iovs, offset) {
    if (!this.readable) fail(ERRNO.BADF, 'not open for reading');
    need(this, RIGHTS.FD_SEEK, 'fd_pread');
    if (offset > BigInt(MAX_OFFSET)) fail(ERRNO.INVAL, 'offset out of range');
    return this.readAt(u8, iovs, offset);
  }

  readAt(u8, iovs, offset) {
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
    if (!this.writable) fail(ERRNO.BADF, 'not open for writing');
    if (this.flags & FDFLAGS.APPEND) this.pos = this.file.size();
    const n = this.writeAt(u8, iovs, this.pos);
    this.pos += n;
    return n;
  }

  pwritev(u8, iovs, offset) {
    if (!this.writable) fail(ERRNO.BADF, 'not open for writing');
    need(this, RIGHTS.FD_SEEK, 'fd_pwrite');
    return this.writeAt(u8, iovs, offset);
  }

  writeAt(u8, iovs, offset) {
    let total = 0;
    for (let i = 1; i < iovs.length; i += 2) total += iovs[i];
    if (BigInt(offset) + BigInt(total) > BigInt(MAX_OFFSET)) fail(ERRNO.FBIG, 'the write would end past the largest file offset');
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
    // lseek(fd, 0, SEEK_CUR) is ftell: FD_TELL is enough for it (as wasi-common).
    need(this, offset === 0n && whence === WHENCE.CUR ? RIGHTS.FD_TELL : RIGHTS.FD_SEEK, 'fd_seek');
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
    need(this, RIGHTS.FD_TELL, 'fd_tell');
    return BigInt(this.pos);
  }

  stat() {
    need(this, RIGHTS.FD_FILESTAT_GET, 'fd_filestat_get');
    return this.node.stat();
  }

  setSize(size) {
    if (!this.writable) fail(ERRNO.BADF, 'not open for writing');
    need(this, RIGHTS.FD_FILESTAT_SET_SIZE, 'fd_filestat_set_size');
    if (size > BigInt(MAX_OFFSET)) fail(ERRNO.FBIG);
    this.file.truncate(Number(size));
    this.written = true;
  }

  setTimes(atim, mtim) {
    need(this, RIGHTS.FD_FILESTAT_SET_TIMES, 'fd_filestat_set_times');
    this.node.setTimes(atim, mtim);
  }

  sync(data) {
    need(this, data ? RIGHTS.FD_DATASYNC : RIGHTS.FD_SYNC, data ? 'fd_datasync' : 'fd_sync');
    this.file.sync();
  }

  allocate(offset, len) {
    if (!this.writable) fail(ERRNO.BADF, 'not open for writing');
    need(this, RIGHTS.FD_ALLOCATE, 'fd_allocate');
    const end = offset + len;
    if (end > BigInt(MAX_OFFSET)) fail(ERRNO.FBIG);
    if (Number(end) > this.file.size()) this.file.truncate(Number(end));
  }

  advise() {
    need(this, RIGHTS.FD_ADVISE, 'fd_advise'); // advice is a hint: nothing to do
  }

  /** APPEND and NONBLOCK can change; the sync flags cannot (INVAL, as wasmtime). */
  setFlags(flags) {
    need(this, RIGHTS.FD_FDSTAT_SET_FLAGS, 'fd_fdstat_set_flags');
    if (flags & (FDFLAGS.DSYNC | FDFLAGS.RSYNC | FDFLAGS.SYNC)) fail(ERRNO.INVAL, 'sync flags cannot be changed on an open fd');
    this.flags = flags;
  }

  dir() {
    return fail(ERRNO.NOTDIR, 'not a directory');
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

  // A directory is not read, written, sought or resized as bytes: BADF, as
  // wasmtime answers (POSIX says EISDIR for read and write).
  readv() {
    return fail(ERRNO.BADF, 'a directory is not read as bytes (fd_readdir lists it)');
  }

  preadv() {
    return fail(ERRNO.BADF, 'a directory is not read as bytes');
  }

  writev() {
    return fail(ERRNO.BADF, 'a directory is not written as bytes');
  }

  pwritev() {
    return fail(ERRNO.BADF, 'a directory is not written as bytes');
  }

  seek() {
    return fail(ERRNO.BADF, 'a directory has no position');
  }

  tell() {
    return fail(ERRNO.BADF, 'a directory has no position');
  }

  stat() {
    need(this, RIGHTS.FD_FILESTAT_GET, 'fd_filestat_get');
    return this.node.stat();
  }

  setTimes(atim, mtim) {
    need(this, RIGHTS.FD_FILESTAT_SET_TIMES, 'fd_filestat_set_times');
    this.node.setTimes(atim, mtim);
  }

  /** fsync of a directory succeeds, as POSIX's (wasmtime: BADF): programs sync a directory after a rename. */
  sync(data) {
    need(this, data ? RIGHTS.FD_DATASYNC : RIGHTS.FD_SYNC, data ? 'fd_datasync' : 'fd_sync');
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
