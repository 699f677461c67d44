// bindings-js/src/wasi/preview1.js — the fd_*, path_* and sock_* calls of
// WASI preview1 over an FdTable: read the arguments out of the plugin's
// memory, ask the Fd (or paths.js), write the results back, and turn an
// FsError into the errno it carries. Every other exception is a bug or a trap
// and is let through.

import {
  ERRNO, RIGHTS, FDFLAGS, writeFilestat, writeFdstat, writeDirentHead, DIRENT_HEAD,
} from './abi.js';
import { FsError, fail } from './fs/node.js';
import { timesFrom } from './fds/file.js';
import * as paths from './paths.js';

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const ERRNO_NOTSOCK = 57;

/** Views of the plugin's memory, renewed when it grows. */
export class PluginMemory {
  constructor() {
    this.memory = null;
    this.buffer = null;
  }

  bind(memory) {
    this.memory = memory;
  }

  refresh() {
    const buffer = this.memory.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.u8 = new Uint8Array(buffer);
      this.view = new DataView(buffer);
    }
  }

  /** The iovec array at `ptr` (n entries) as a flat [ptr, len, ...], bounds-checked. */
  iovs(ptr, n) {
    this.refresh();
    const out = new Array(n * 2);
    for (let i = 0; i < n; i++) {
      const at = this.view.getUint32(ptr + i * 8, true);
      const len = this.view.getUint32(ptr + i * 8 + 4, true);
      if (at + len > this.u8.length) fail(ERRNO.INVAL, 'iovec outside memory'); // FAULT in spirit
      out[i * 2] = at;
      out[i * 2 + 1] = len;
    }
    return out;
  }

  string(ptr, len) {
    this.refresh();
    if (ptr + len > this.u8.length) fail(ERRNO.INVAL, 'path outside memory');
    return decoder.decode(this.u8.slice(ptr, ptr + len)); // a copy: memory may be shared
  }
}

/** Runs a call, turning a refusal into its errno. */
function errnoOf(e) {
  if (e instanceof FsError) return e.errno;
  throw e;
}

/**
 * The preview1 functions over `table`, reading and writing `mem`.
 * @param {import('./fd-table.js').FdTable} table
 * @param {PluginMemory} mem
 */
export function fdCalls(table, mem) {
  const guard = (fn) => function wasiCall(...args) {
    try {
      fn(...args);
      return ERRNO.SUCCESS;
    } catch (e) {
      return errnoOf(e);
    }
  };
  const u32 = (ptr, value) => mem.view.setUint32(ptr, value, true);
  const u64 = (ptr, value) => mem.view.setBigUint64(ptr, BigInt(value), true);

  return {
    // The two hot calls are written out: no closure, no spread per call.
    fd_read(fd, iovsPtr, iovsLen, nreadPtr) {
      try {
        const f = table.get(fd);
        const iovs = mem.iovs(iovsPtr, iovsLen);
        const n = f.readv(mem.u8, iovs);
        mem.refresh();
        u32(nreadPtr, n);
        return ERRNO.SUCCESS;
      } catch (e) {
        return errnoOf(e);
      }
    },

    fd_write(fd, iovsPtr, iovsLen, nwrittenPtr) {
      try {
        const f = table.get(fd);
        const iovs = mem.iovs(iovsPtr, iovsLen);
        const n = f.writev(mem.u8, iovs);
        mem.refresh();
        u32(nwrittenPtr, n);
        return ERRNO.SUCCESS;
      } catch (e) {
        return errnoOf(e);
      }
    },

    fd_pread: guard((fd, iovsPtr, iovsLen, offset, nreadPtr) => {
      const f = table.get(fd);
      const iovs = mem.iovs(iovsPtr, iovsLen); // first: it renews mem.u8 if the memory grew
      const n = f.preadv(mem.u8, iovs, offset);
      mem.refresh();
      u32(nreadPtr, n);
    }),

    fd_pwrite: guard((fd, iovsPtr, iovsLen, offset, nwrittenPtr) => {
      const f = table.get(fd);
      const iovs = mem.iovs(iovsPtr, iovsLen); // first: it renews mem.u8 if the memory grew
      const n = f.pwritev(mem.u8, iovs, offset);
      mem.refresh();
      u32(nwrittenPtr, n);
    }),

    fd_seek: guard((fd, offset, whence, newOffsetPtr) => {
      const to = table.get(fd).seek(offset, whence);
      mem.refresh();
      u64(newOffsetPtr, to);
    }),

    fd_tell: guard((fd, offsetPtr) => {
      const at = table.get(fd).tell();
      mem.refresh();
      u64(offsetPtr, at);
    }),

    fd_close: guard((fd) => table.close(fd)),

    fd_renumber: guard((from, to) => table.renumber(from, to)),

    fd_sync: guard((fd) => table.get(fd).sync()),
    fd_datasync: guard((fd) => table.get(fd).sync()),

    fd_advise: guard((fd, offset, len, advice) => {
      table.get(fd);
      if (advice > 5) fail(ERRNO.INVAL, 'unknown advice');
    }),

    fd_allocate: guard((fd, offset, len) => table.get(fd).allocate(offset, len)),

    fd_fdstat_get: guard((fd, ptr) => {
      const f = table.get(fd);
      mem.refresh();
      writeFdstat(mem.view, ptr, f.filetype, f.flags, f.rightsBase, f.rightsInheriting);
    }),

    fd_fdstat_set_flags: guard((fd, flags) => {
      const f = table.get(fd);
      const known = FDFLAGS.APPEND | FDFLAGS.DSYNC | FDFLAGS.NONBLOCK | FDFLAGS.RSYNC | FDFLAGS.SYNC;
      if (flags & ~known) fail(ERRNO.INVAL);
      f.flags = flags;
    }),

    fd_fdstat_set_rights: guard((fd, base, inheriting) => {
      const f = table.get(fd);
      // Rights can be dropped, never gained.
      if ((base & ~f.rightsBase) !== 0n || (inheriting & ~f.rightsInheriting) !== 0n) fail(ERRNO.NOTCAPABLE);
      f.rightsBase = base;
      f.rightsInheriting = inheriting;
    }),

    fd_filestat_get: guard((fd, ptr) => {
      const s = table.get(fd).stat();
      mem.refresh();
      writeFilestat(mem.view, ptr, s);
    }),

    fd_filestat_set_size: guard((fd, size) => table.get(fd).setSize(size)),

    fd_filestat_set_times: guard((fd, atim, mtim, fst) => {
      const f = table.get(fd);
      const t = timesFrom(atim, mtim, fst);
      f.setTimes(t.atim, t.mtim);
    }),

    fd_prestat_get: guard((fd, ptr) => {
      const name = table.get(fd).preopenName;
      if (name === null) fail(ERRNO.BADF, 'not a preopened directory');
      mem.refresh();
      u32(ptr, 0); // tag: directory
      u32(ptr + 4, encoder.encode(name).length);
    }),

    fd_prestat_dir_name: guard((fd, ptr, len) => {
      const name = table.get(fd).preopenName;
      if (name === null) fail(ERRNO.BADF, 'not a preopened directory');
      const bytes = encoder.encode(name);
      if (bytes.length > len) fail(ERRNO.NAMETOOLONG);
      mem.refresh();
      mem.u8.set(bytes, ptr);
    }),

    fd_readdir: guard((fd, buf, bufLen, cookie, bufusedPtr) => {
      const f = table.get(fd);
      if (typeof f.entries !== 'function') fail(ERRNO.NOTDIR);
      if (!(f.rightsBase & RIGHTS.FD_READDIR)) fail(ERRNO.NOTCAPABLE);
      const entries = f.entries(cookie);
      mem.refresh();
      let used = 0;
      // Entry k resumes at cookie k + 1; start after `cookie`.
      for (let k = Number(cookie); k < entries.length && used < bufLen; k++) {
        const e = entries[k];
        const name = encoder.encode(e.name);
        const room = bufLen - used;
        if (room >= DIRENT_HEAD) {
          writeDirentHead(mem.view, buf + used, BigInt(k + 1), e.ino, name.length, e.type);
          mem.u8.set(name.subarray(0, Math.min(name.length, room - DIRENT_HEAD)), buf + used + DIRENT_HEAD);
        } else {
          // Not even the head fits: write what does; a full buffer tells
          // the caller to grow it and ask again from this cookie.
          const head = new DataView(new ArrayBuffer(DIRENT_HEAD));
          writeDirentHead(head, 0, BigInt(k + 1), e.ino, name.length, e.type);
          mem.u8.set(new Uint8Array(head.buffer, 0, room), buf + used);
        }
        used = Math.min(bufLen, used + DIRENT_HEAD + name.length);
      }
      u32(bufusedPtr, used);
    }),

    path_open: guard((fd, dirflags, pathPtr, pathLen, oflags, rightsBase, rightsInheriting, fdflags, openedPtr) => {
      const dirFd = table.get(fd);
      const path = mem.string(pathPtr, pathLen);
      const opened = typeof dirFd.openAt === 'function'
        ? dirFd.openAt(path, { dirflags, oflags, rightsBase, rightsInheriting, fdflags })
        : paths.openAt(dirFd, path, { dirflags, oflags, rightsBase, rightsInheriting, fdflags });
      opened.path = joinPath(dirFd.path, path);
      const n = table.add(opened);
      mem.refresh();
      u32(openedPtr, n);
    }),

    path_create_directory: guard((fd, pathPtr, pathLen) => paths.mkdirAt(table.get(fd), mem.string(pathPtr, pathLen))),

    path_filestat_get: guard((fd, flags, pathPtr, pathLen, ptr) => {
      const s = paths.statAt(table.get(fd), mem.string(pathPtr, pathLen), flags);
      mem.refresh();
      writeFilestat(mem.view, ptr, s);
    }),

    path_filestat_set_times: guard((fd, flags, pathPtr, pathLen, atim, mtim, fst) => {
      const t = timesFrom(atim, mtim, fst);
      paths.setTimesAt(table.get(fd), mem.string(pathPtr, pathLen), flags, t.atim, t.mtim);
    }),

    // Hard links are not offered: no backend can give every one of them.
    path_link: guard((oldFd, oldFlags, oldPtr, oldLen, newFd) => {
      table.get(oldFd);
      table.get(newFd);
      fail(ERRNO.NOTSUP, 'hard links are not supported');
    }),

    path_readlink: guard((fd, pathPtr, pathLen, buf, bufLen, nreadPtr) => {
      const target = paths.readlinkAt(table.get(fd), mem.string(pathPtr, pathLen));
      const n = Math.min(target.length, bufLen); // readlink(2) truncates silently
      mem.refresh();
      mem.u8.set(target.subarray(0, n), buf);
      u32(nreadPtr, n);
    }),

    path_remove_directory: guard((fd, pathPtr, pathLen) => paths.rmdirAt(table.get(fd), mem.string(pathPtr, pathLen))),

    path_rename: guard((fd, oldPtr, oldLen, newFd, newPtr, newLen) => {
      paths.renameAt(table.get(fd), mem.string(oldPtr, oldLen), table.get(newFd), mem.string(newPtr, newLen));
    }),

    path_symlink: guard((oldPtr, oldLen, fd, newPtr, newLen) => {
      paths.symlinkAt(mem.string(oldPtr, oldLen), table.get(fd), mem.string(newPtr, newLen));
    }),

    path_unlink_file: guard((fd, pathPtr, pathLen) => paths.unlinkAt(table.get(fd), mem.string(pathPtr, pathLen))),

    // No sockets: a plugin gets an errno, not a trap (the shim throws here).
    sock_accept: guard((fd) => {
      table.get(fd);
      fail(ERRNO_NOTSOCK);
    }),
    sock_recv: guard((fd) => {
      table.get(fd);
      fail(ERRNO_NOTSOCK);
    }),
    sock_send: guard((fd) => {
      table.get(fd);
      fail(ERRNO_NOTSOCK);
    }),
    sock_shutdown: guard((fd) => {
      table.get(fd);
      fail(ERRNO_NOTSOCK);
    }),
  };
}

/** `dir`/`path`, with '.' and '..' folded as text: a label for events, not a resolution. */
export function joinPath(dir, path) {
  if (dir === undefined || dir === null) return null;
  // The common case, an absolute directory and a plain relative path (no
  // '.', no empty part): nothing to fold, and splitting costs a host call
  // as much as its answer does.
  if (dir[0] === '/' && path !== '' && path[0] !== '/' && path[path.length - 1] !== '/' &&
      !path.includes('.') && !path.includes('//')) {
    return dir === '/' ? `/${path}` : `${dir}/${path}`;
  }
  const out = [];
  for (const part of `${dir}/${path}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}
