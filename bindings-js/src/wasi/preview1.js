// bindings-js/src/wasi/preview1.js — the fd_*, path_* and sock_* calls of
// WASI preview1 over an FdTable: check the arguments (flags and enums: INVAL;
// pointers: FAULT, memory.js), read them out of the plugin's memory, ask the
// Fd (or paths.js), write the results back, and turn an FsError into the
// errno it carries. Every other exception is a bug and is let through (the
// plugin traps); no argument a plugin can pass leads to one
// (tests/js/wasip1-fuzz.test.mjs calls every function with bad ones).
//
// What each call does per kind of fd and mount, and where the witx left a
// choice, what was chosen (wasmtime's answer unless said otherwise):
// docs/plugins.md, "Every preview1 call".

import {
  ERRNO, RIGHTS, FILETYPE, VALID, writeFilestat, writeFdstat, writeDirentHead, DIRENT_HEAD,
} from './abi.js';
import { FsError, fail } from './fs/node.js';
import { timesFrom } from './fds/file.js';
import { need, checkRights, dropRights } from './rights.js';
import { PluginMemory } from './memory.js';
import * as paths from './paths.js';

export { PluginMemory };

const encoder = new TextEncoder();
const FDSTAT_SIZE = 24;
const FILESTAT_SIZE = 64;

/** Runs a call, turning a refusal into its errno. */
function errnoOf(e) {
  if (e instanceof FsError) return e.errno;
  throw e;
}

/** A u64 argument as the unsigned value it is (wasm passes i64 signed, as a BigInt). */
const u64 = (value) => BigInt.asUintN(64, BigInt(value));

/** INVAL unless `value` (a flags or enum argument) is within `max` (VALID). */
function valid(value, max, what, flags = true) {
  const v = Number(value);
  if (flags ? (v & ~max) !== 0 || v < 0 : v < 0 || v > max) fail(ERRNO.INVAL, `bad ${what}`);
  return v;
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

  /** The directory fd a path call starts from: BADF for anything else (as wasmtime). */
  const dirFd = (n) => {
    const f = table.get(n);
    if (f.filetype !== FILETYPE.DIRECTORY) fail(ERRNO.BADF, `fd ${n} is not a directory`);
    return f;
  };

  return {
    // The two hot calls are written out: no closure, no spread per call.
    fd_read(fd, iovsPtr, iovsLen, nreadPtr) {
      try {
        const f = table.get(fd);
        mem.check(nreadPtr, 4); // before reading: a bad pointer must not cost the bytes
        const iovs = mem.iovs(iovsPtr, iovsLen);
        const n = f.readv(mem.u8, iovs);
        mem.u32(nreadPtr, n);
        return ERRNO.SUCCESS;
      } catch (e) {
        return errnoOf(e);
      }
    },

    fd_write(fd, iovsPtr, iovsLen, nwrittenPtr) {
      try {
        const f = table.get(fd);
        mem.check(nwrittenPtr, 4);
        const iovs = mem.iovs(iovsPtr, iovsLen);
        const n = f.writev(mem.u8, iovs);
        mem.u32(nwrittenPtr, n);
        return ERRNO.SUCCESS;
      } catch (e) {
        return errnoOf(e);
      }
    },

    fd_pread: guard((fd, iovsPtr, iovsLen, offset, nreadPtr) => {
      const f = table.get(fd);
      mem.check(nreadPtr, 4);
      const iovs = mem.iovs(iovsPtr, iovsLen); // first: it renews mem.u8 if the memory grew
      const n = f.preadv(mem.u8, iovs, u64(offset));
      mem.u32(nreadPtr, n);
    }),

    fd_pwrite: guard((fd, iovsPtr, iovsLen, offset, nwrittenPtr) => {
      const f = table.get(fd);
      mem.check(nwrittenPtr, 4);
      const iovs = mem.iovs(iovsPtr, iovsLen); // first: it renews mem.u8 if the memory grew
      const n = f.pwritev(mem.u8, iovs, u64(offset));
      mem.u32(nwrittenPtr, n);
    }),

    fd_seek: guard((fd, offset, whence, newOffsetPtr) => {
      valid(whence, VALID.WHENCE, 'whence', false);
      const f = table.get(fd);
      mem.check(newOffsetPtr, 8);
      mem.u64(newOffsetPtr, f.seek(offset, whence));
    }),

    fd_tell: guard((fd, offsetPtr) => {
      const f = table.get(fd);
      mem.check(offsetPtr, 8);
      mem.u64(offsetPtr, f.tell());
    }),

    fd_close: guard((fd) => table.close(fd)),

    fd_renumber: guard((from, to) => table.renumber(from, to)),

    fd_sync: guard((fd) => table.get(fd).sync(false)),
    fd_datasync: guard((fd) => table.get(fd).sync(true)),

    fd_advise: guard((fd, offset, len, advice) => {
      valid(advice, VALID.ADVICE, 'advice', false);
      table.get(fd).advise(u64(offset), u64(len), advice);
    }),

    fd_allocate: guard((fd, offset, len) => table.get(fd).allocate(u64(offset), u64(len))),

    fd_fdstat_get: guard((fd, ptr) => {
      const f = table.get(fd);
      mem.check(ptr, FDSTAT_SIZE);
      writeFdstat(mem.view, ptr >>> 0, f.filetype, f.flags, f.rightsBase, f.rightsInheriting);
    }),

    fd_fdstat_set_flags: guard((fd, flags) => {
      valid(flags, VALID.FDFLAGS, 'fdflags');
      table.get(fd).setFlags(flags);
    }),

    fd_fdstat_set_rights: guard((fd, base, inheriting) => {
      checkRights(u64(base));
      checkRights(u64(inheriting));
      dropRights(table.get(fd), u64(base), u64(inheriting));
    }),

    fd_filestat_get: guard((fd, ptr) => {
      const f = table.get(fd);
      mem.check(ptr, FILESTAT_SIZE);
      const s = f.stat();
      writeFilestat(mem.view, mem.check(ptr, FILESTAT_SIZE), s);
    }),

    fd_filestat_set_size: guard((fd, size) => table.get(fd).setSize(u64(size))),

    fd_filestat_set_times: guard((fd, atim, mtim, fst) => {
      valid(fst, VALID.FSTFLAGS, 'fstflags');
      const f = table.get(fd);
      const t = timesFrom(u64(atim), u64(mtim), fst);
      f.setTimes(t.atim, t.mtim);
    }),

    fd_prestat_get: guard((fd, ptr) => {
      const name = table.get(fd).preopenName;
      if (name === null) fail(ERRNO.BADF, 'not a preopened directory');
      mem.check(ptr, 8);
      mem.u32(ptr, 0); // tag: directory
      mem.u32((ptr >>> 0) + 4, encoder.encode(name).length);
    }),

    // A fd that is open but not preopened is NOTDIR here (wasmtime's answer),
    // BADF in fd_prestat_get.
    fd_prestat_dir_name: guard((fd, ptr, len) => {
      const name = table.get(fd).preopenName;
      if (name === null) fail(ERRNO.NOTDIR, 'not a preopened directory');
      const bytes = encoder.encode(name);
      if (bytes.length > len >>> 0) fail(ERRNO.NAMETOOLONG, 'the buffer is smaller than the name');
      mem.set(ptr, bytes);
    }),

    fd_readdir: guard((fd, buf, bufLen, cookieArg, bufusedPtr) => {
      const cookie = u64(cookieArg);
      const f = dirFd(fd);
      if (typeof f.entries !== 'function') fail(ERRNO.BADF, 'not a directory of a mount');
      need(f, RIGHTS.FD_READDIR, 'fd_readdir');
      const start = mem.check(buf, bufLen);
      const size = bufLen >>> 0;
      mem.check(bufusedPtr, 4);
      const entries = f.entries(cookie);
      mem.refresh();
      let used = 0;
      // Entry k resumes at cookie k + 1; start after `cookie`.
      for (let k = cookie > BigInt(entries.length) ? entries.length : Number(cookie); k < entries.length && used < size; k++) {
        const e = entries[k];
        const name = encoder.encode(e.name);
        const room = size - used;
        if (room >= DIRENT_HEAD) {
          writeDirentHead(mem.view, start + used, BigInt(k + 1), e.ino, name.length, e.type);
          mem.u8.set(name.subarray(0, Math.min(name.length, room - DIRENT_HEAD)), start + used + DIRENT_HEAD);
        } else {
          // Not even the head fits: write what does; a full buffer tells
          // the caller to grow it and ask again from this cookie.
          const head = new DataView(new ArrayBuffer(DIRENT_HEAD));
          writeDirentHead(head, 0, BigInt(k + 1), e.ino, name.length, e.type);
          mem.u8.set(new Uint8Array(head.buffer, 0, room), start + used);
        }
        used = Math.min(size, used + DIRENT_HEAD + name.length);
      }
      mem.u32(bufusedPtr, used);
    }),

    path_open: guard((fd, dirflags, pathPtr, pathLen, oflags, rightsBase, rightsInheriting, fdflags, openedPtr) => {
      valid(dirflags, VALID.LOOKUPFLAGS, 'lookupflags');
      valid(oflags, VALID.OFLAGS, 'oflags');
      valid(fdflags, VALID.FDFLAGS, 'fdflags');
      checkRights(u64(rightsBase));
      checkRights(u64(rightsInheriting));
      const from = table.get(fd);
      // path_open from a regular file is NOTDIR, from anything else not a directory BADF (as wasmtime).
      if (from.filetype === FILETYPE.REGULAR_FILE) fail(ERRNO.NOTDIR, `fd ${fd} is a file, not a directory`);
      if (from.filetype !== FILETYPE.DIRECTORY) fail(ERRNO.BADF, `fd ${fd} is not a directory`);
      mem.check(openedPtr, 4); // before opening: nothing is opened for a result that cannot be told
      const path = mem.string(pathPtr, pathLen);
      const options = { dirflags, oflags, rightsBase: u64(rightsBase), rightsInheriting: u64(rightsInheriting), fdflags };
      const opened = typeof from.openAt === 'function' ? from.openAt(path, options) : paths.openAt(from, path, options);
      opened.path = joinPath(from.path, path);
      mem.u32(openedPtr, table.add(opened));
    }),

    path_create_directory: guard((fd, pathPtr, pathLen) => paths.mkdirAt(dirFd(fd), mem.string(pathPtr, pathLen))),

    path_filestat_get: guard((fd, flags, pathPtr, pathLen, ptr) => {
      valid(flags, VALID.LOOKUPFLAGS, 'lookupflags');
      const from = dirFd(fd);
      mem.check(ptr, FILESTAT_SIZE);
      const s = paths.statAt(from, mem.string(pathPtr, pathLen), flags);
      writeFilestat(mem.view, mem.check(ptr, FILESTAT_SIZE), s);
    }),

    path_filestat_set_times: guard((fd, flags, pathPtr, pathLen, atim, mtim, fst) => {
      valid(flags, VALID.LOOKUPFLAGS, 'lookupflags');
      valid(fst, VALID.FSTFLAGS, 'fstflags');
      const from = dirFd(fd);
      const t = timesFrom(u64(atim), u64(mtim), fst);
      paths.setTimesAt(from, mem.string(pathPtr, pathLen), flags, t.atim, t.mtim);
    }),

    path_link: guard((oldFd, oldFlags, oldPtr, oldLen, newFd, newPtr, newLen) => {
      valid(oldFlags, VALID.LOOKUPFLAGS, 'lookupflags');
      const from = dirFd(oldFd);
      const to = dirFd(newFd);
      paths.linkAt(from, mem.string(oldPtr, oldLen), oldFlags, to, mem.string(newPtr, newLen));
    }),

    path_readlink: guard((fd, pathPtr, pathLen, buf, bufLen, nreadPtr) => {
      const from = dirFd(fd);
      const at = mem.check(buf, bufLen);
      mem.check(nreadPtr, 4);
      const target = paths.readlinkAt(from, mem.string(pathPtr, pathLen));
      const n = Math.min(target.length, bufLen >>> 0); // readlink(2) truncates silently
      mem.u8.set(target.subarray(0, n), at);
      mem.u32(nreadPtr, n);
    }),

    path_remove_directory: guard((fd, pathPtr, pathLen) => paths.rmdirAt(dirFd(fd), mem.string(pathPtr, pathLen))),

    path_rename: guard((fd, oldPtr, oldLen, newFd, newPtr, newLen) => {
      const from = dirFd(fd);
      const to = dirFd(newFd);
      paths.renameAt(from, mem.string(oldPtr, oldLen), to, mem.string(newPtr, newLen));
    }),

    path_symlink: guard((oldPtr, oldLen, fd, newPtr, newLen) => {
      const target = mem.string(oldPtr, oldLen);
      paths.symlinkAt(target, dirFd(fd), mem.string(newPtr, newLen));
    }),

    path_unlink_file: guard((fd, pathPtr, pathLen) => paths.unlinkAt(dirFd(fd), mem.string(pathPtr, pathLen))),

    // No sockets: a fd that is not open is BADF, any other NOTSOCK (as
    // wasmtime); a plugin's shutdown() or send() gets -1 and that errno.
    sock_accept: guard((fd, flags) => {
      valid(flags, VALID.FDFLAGS, 'fdflags');
      table.get(fd);
      fail(ERRNO.NOTSOCK, 'not a socket');
    }),
    sock_recv: guard((fd, riData, riLen, riFlags) => {
      valid(riFlags, VALID.RIFLAGS, 'riflags');
      table.get(fd);
      fail(ERRNO.NOTSOCK, 'not a socket');
    }),
    sock_send: guard((fd, siData, siLen, siFlags) => {
      valid(siFlags, VALID.SIFLAGS, 'siflags');
      table.get(fd);
      fail(ERRNO.NOTSOCK, 'not a socket');
    }),
    sock_shutdown: guard((fd, how) => {
      valid(how, VALID.SDFLAGS, 'sdflags');
      table.get(fd);
      fail(ERRNO.NOTSOCK, 'not a socket');
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
