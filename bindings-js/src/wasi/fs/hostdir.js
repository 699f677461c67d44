// bindings-js/src/wasi/fs/hostdir.js — a real directory of the Node host,
// mounted for a plugin (opt-in), sandboxed. Runs in the plugin's worker_thread
// with synchronous node:fs calls. Linux only: it needs /proc/self/fd.
//
// Why nothing outside the root can be touched
// -------------------------------------------
// resolve.js walks a path one component at a time and refuses absolute paths,
// '..' above the start and links pointing out; but it only decides which
// *names* to ask for. The danger is the kernel re-walking a path string while
// another process swaps a directory for a symlink. So this backend never
// hands the kernel a path of more than one component below something it holds:
//
// 1. Every node holds an fd of its own, opened O_PATH (identity only: no read
//    permission needed, no side effects on devices or FIFOs; a file this
//    backend creates keeps the fd that created it). The root fd is opened
//    once, at open(). A child is reached as `/proc/self/fd/<dirfd>/<name>`:
//    the kernel follows the magic link /proc/self/fd/<dirfd> to the directory
//    *that fd holds* (wherever it has since been moved), then looks up one
//    name in it. checkName() makes sure `name` is exactly one component: never
//    '', '.', '..', and without '/' or NUL, whoever calls.
// 2. That last component is never followed: lookup opens it O_PATH|O_NOFOLLOW
//    (a symlink yields the link itself, whose target goes back to resolve.js
//    as a string; the node's type is the fd's, never a name's); createFile uses O_CREAT|O_EXCL (fails on any existing name,
//    links included); mkdir, unlink, rmdir, rename, symlink, lstat and lutimes
//    do not follow a final link by definition.
// 3. A node found by lookup is the inode the entry named at that instant (the
//    fd pins it). Later calls on it go through its own fd: open() reopens
//    /proc/self/fd/<pathfd> (the magic link leads to that inode, not to a
//    path), stat is fstat, setTimes utimes on the magic link. If another
//    process swaps the name for a symlink afterwards, we keep acting on the
//    directory we resolved, which is still inside (it was, when we resolved it).
// 4. A released node sets its fd to -1 and every use checks it (BADF), so a
//    caller's use-after-release can never address an fd number the process
//    has since reused for something else.
// What this does not stop (and need not): content placed inside the root by
// the host — a hard link to an outside file, a bind mount — is part of the
// tree; a directory we hold that another process moves out of the root is
// followed, as with any fd-based sandbox (openat2 RESOLVE_BENEATH included).

import fs from 'node:fs';
import { ERRNO, FILETYPE } from '../abi.js';
import { Dir, File, Symlink, OpenFile, Node, Quota, FsError, fail } from './node.js';
import { charging, countsTree, withEntries } from './charge.js';

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW } = fs.constants;
// O_PATH is not in fs.constants; 010000000 on every architecture listed here.
const O_PATH = ['x64', 'arm64', 'arm', 'ia32', 'riscv64', 'ppc64', 's390x', 'loong64'].includes(process.arch) ? 0o10000000 : 0;
const PROC_SUPER_MAGIC = 0x9fa0;
// A link replaced between open and readlink is looked up again, this many times.
const LOOKUP_TRIES = 8;

// WASI errnos abi.js does not list (yet).
const NFILE = 41;
const MLINK = 34;
const TXTBSY = 74;

/** Node's err.code → WASI errno; anything else is IO. */
const ERRNO_OF = {
  ENOENT: ERRNO.NOENT, EEXIST: ERRNO.EXIST, ENOTDIR: ERRNO.NOTDIR, EISDIR: ERRNO.ISDIR,
  ENOTEMPTY: ERRNO.NOTEMPTY, EACCES: ERRNO.ACCES, EPERM: ERRNO.PERM, ELOOP: ERRNO.LOOP,
  ENAMETOOLONG: ERRNO.NAMETOOLONG, EXDEV: ERRNO.XDEV, ENOSPC: ERRNO.NOSPC, EDQUOT: ERRNO.NOSPC,
  EFBIG: ERRNO.FBIG, EROFS: ERRNO.ROFS, EMFILE: ERRNO.MFILE, ENFILE: NFILE, EMLINK: MLINK,
  EBADF: ERRNO.BADF, EINVAL: ERRNO.INVAL, EBUSY: ERRNO.BUSY, ETXTBSY: TXTBSY, EIO: ERRNO.IO,
  ENOMEM: ERRNO.NOMEM, EAGAIN: ERRNO.AGAIN, EOVERFLOW: ERRNO.OVERFLOW, ENOTSUP: ERRNO.NOTSUP,
  EOPNOTSUPP: ERRNO.NOTSUP, ENOSYS: ERRNO.NOSYS, ESPIPE: ERRNO.SPIPE,
};

/** Runs a node:fs call; an OS error becomes FsError with the matching WASI errno. */
function sys(call) {
  try {
    return call();
  } catch (e) {
    if (e instanceof FsError || typeof e?.code !== 'string') throw e;
    throw new FsError(ERRNO_OF[e.code] ?? ERRNO.IO, e.message);
  }
}

/** sys(), but ENOENT is null. */
function sysOrNull(call) {
  try {
    return sys(call);
  } catch (e) {
    if (e.errno === ERRNO.NOENT) return null;
    throw e;
  }
}

// An absent name is a common answer (every O_CREAT of a new file), and the
// stack trace of the Error Node builds for it costs more than the syscall:
// lookups skip it where Error.stackTraceLimit may be changed (not under
// --frozen-intrinsics).
const CAN_SKIP_STACKS = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable === true;

/** openSync, but ENOENT is null (and cheap); other errors are FsError (without a stack: they become errnos). */
function openOrNull(path, flags) {
  const limit = Error.stackTraceLimit;
  if (CAN_SKIP_STACKS) Error.stackTraceLimit = 0;
  try {
    return sysOrNull(() => fs.openSync(path, flags));
  } finally {
    if (CAN_SKIP_STACKS) Error.stackTraceLimit = limit;
  }
}

const fdPath = (fd) => `/proc/self/fd/${fd}`;

/** One component below a directory we hold; the sandbox depends on this check (point 1). */
function checkName(name) {
  if (typeof name !== 'string' || name.length === 0) fail(ERRNO.NOENT, 'empty name');
  if (name.includes('\0')) fail(ERRNO.INVAL, 'NUL in a name');
  if (name === '.' || name === '..' || name.includes('/')) fail(ERRNO.NOTCAPABLE, `'${name}' is not a name beneath this directory`);
  return name;
}

function filetypeOf(st) {
  if (st.isDirectory()) return FILETYPE.DIRECTORY;
  if (st.isFile()) return FILETYPE.REGULAR_FILE;
  if (st.isSymbolicLink()) return FILETYPE.SYMBOLIC_LINK;
  if (st.isCharacterDevice()) return FILETYPE.CHARACTER_DEVICE;
  return FILETYPE.UNKNOWN; // block device, FIFO, socket
}

/**
 * BigInt ns → what fs.utimes takes: seconds, a double, which libuv cuts to
 * whole microseconds. Half a microsecond more makes that cut round to the
 * nearest one (a double near 2^31 s is within 0.25 µs).
 */
const seconds = (ns) => Number(ns / 1000n) / 1e6 + 5e-7;

export class HostDirFs {
  /**
   * Mounts the directory `rootPath` (links in rootPath itself are followed:
   * the host chose it). Throws FsError: NOTSUP where there is no Linux
   * /proc/self/fd (the sandbox cannot be kept there), NOENT / NOTDIR / ACCES
   * for rootPath.
   * @param {string} rootPath
   * @param {{readOnly?: boolean, quota?: Quota, dev?: bigint}} [options]
   *   dev: reported as the device of every node on rootPath's file system
   *   (nodes on other file systems mounted inside keep the OS's number).
   */
  static open(rootPath, { readOnly = false, quota = new Quota(), dev = null } = {}) {
    checkProc();
    const fd = sys(() => fs.openSync(rootPath, O_PATH | O_DIRECTORY));
    try {
      const st = sys(() => fs.fstatSync(fd, { bigint: true }));
      // The magic link must lead back to this very directory, or /proc is not ours.
      const via = sys(() => fs.statSync(fdPath(fd), { bigint: true }));
      if (via.dev !== st.dev || via.ino !== st.ino) fail(ERRNO.NOTSUP, 'sabq hostDir: /proc/self/fd does not lead to our own fds');
      return new HostDirFs(fd, st.dev, { readOnly, quota, dev });
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  constructor(rootFd, rootDev, { readOnly, quota, dev }) {
    this.readOnly = readOnly;
    this.quota = quota;
    this.rootDev = rootDev;
    this.dev = dev;
    this.charging = charging(quota);
    if (countsTree(quota)) countTree(rootFd, quota);
    this.root = new HostDir(this, rootFd);
  }

  /** Releases the root; nodes still held by callers stay valid until released. */
  close() {
    if (this.root) this.root.release();
    this.root = null;
  }

  writable() {
    if (this.readOnly) fail(ERRNO.ROFS, 'read-only mount');
  }

  /** Runs `change`, which adds `delta` entries, charged if this mount counts. */
  withEntries(delta, change) {
    return this.charging ? withEntries(this.quota, delta, change) : change();
  }

  /**
   * A node for the entry at `pathFd` (opened O_PATH|O_NOFOLLOW), found as
   * `name` in `dir`; null when it was a link that has since been replaced.
   */
  nodeFor(dir, name, pathFd) {
    const st = sys(() => fs.fstatSync(pathFd, { bigint: true }));
    switch (filetypeOf(st)) {
      case FILETYPE.DIRECTORY: return new HostDir(this, pathFd);
      case FILETYPE.REGULAR_FILE: return new HostFile(this, pathFd);
      case FILETYPE.SYMBOLIC_LINK: {
        // Linux cannot readlink an O_PATH fd from Node: read the name, then
        // check that the name is still the link we opened.
        const at = dir.at(name);
        let target;
        try {
          target = sys(() => fs.readlinkSync(at));
        } catch (e) {
          if (e.errno === ERRNO.NOENT || e.errno === ERRNO.INVAL) return null; // gone, or no longer a link
          throw e;
        }
        const now = sysOrNull(() => fs.lstatSync(at, { bigint: true }));
        if (now?.ino !== st.ino || now?.dev !== st.dev) return null;
        return new HostSymlink(this, pathFd, dir, name, st.ino, target);
      }
      default: return new HostSpecial(this, pathFd, filetypeOf(st));
    }
  }

  statOf(st) {
    return {
      dev: this.dev !== null && st.dev === this.rootDev ? this.dev : st.dev,
      ino: st.ino,
      filetype: filetypeOf(st),
      nlink: st.nlink,
      size: Number(st.size),
      atim: st.atimeNs,
      mtim: st.mtimeNs,
      ctim: st.ctimeNs,
    };
  }
}

function checkProc() {
  if (process.platform !== 'linux' || O_PATH === 0) {
    fail(ERRNO.NOTSUP, `sabq hostDir: needs Linux (O_PATH and /proc/self/fd) to keep the plugin inside the directory; not available on ${process.platform}/${process.arch}`);
  }
  let type;
  try {
    type = fs.statfsSync('/proc').type;
  } catch {
    type = -1;
  }
  if (type !== PROC_SUPER_MAGIC) fail(ERRNO.NOTSUP, 'sabq hostDir: /proc is not mounted (procfs); the sandbox needs /proc/self/fd');
}

/**
 * Counts the entries and file bytes beneath `dirFd` into quota (links not
 * followed; a file with hard links counts its bytes once, its names each).
 */
function countTree(dirFd, quota, linked = new Set()) {
  for (const name of sys(() => fs.readdirSync(fdPath(dirFd)))) {
    const at = `${fdPath(dirFd)}/${name}`;
    const st = sysOrNull(() => fs.lstatSync(at));
    if (!st) continue; // removed meanwhile
    quota.files++;
    if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink <= 1 || !linked.has(key)) quota.bytes += st.size;
      if (st.nlink > 1) linked.add(key);
    }
    if (!st.isDirectory()) continue;
    const sub = sysOrNull(() => fs.openSync(at, O_PATH | O_DIRECTORY | O_NOFOLLOW));
    if (sub === null) continue;
    try {
      countTree(sub, quota, linked);
    } finally {
      fs.closeSync(sub);
    }
  }
}

/** What every node of a host directory has: its own fd (O_PATH but for a file it created; point 3), released once. */
const HostNode = (Base) => class extends Base {
  constructor(hostFs, pathFd) {
    super();
    this.fs = hostFs;
    this.pathFd = pathFd;
    this.refs = 1; // the caller's; a link found in this directory holds one more
    this.knownIno = null;
  }

  /** The fd, or BADF once released (point 4). */
  get fd() {
    if (this.pathFd < 0) fail(ERRNO.BADF, 'node used after release');
    return this.pathFd;
  }

  /** The inode number (the fd pins the inode, so it never changes). */
  get ino() {
    return (this.knownIno ??= this.stat().ino);
  }

  /** `/proc/self/fd/<this>/<name>`: one name in this very directory (point 1). */
  at(name) {
    return `${fdPath(this.fd)}/${checkName(name)}`;
  }

  stat() {
    return this.fs.statOf(sys(() => fs.fstatSync(this.fd, { bigint: true })));
  }

  /** utimes on the magic link: the inode this node holds, wherever it is now. */
  setTimes(atim, mtim) {
    this.fs.writable();
    const now = atim === null || mtim === null ? this.stat() : null;
    sys(() => fs.utimesSync(fdPath(this.fd), seconds(atim ?? now.atim), seconds(mtim ?? now.mtim)));
  }

  retain() {
    if (this.pathFd < 0) fail(ERRNO.BADF, 'node used after release');
    this.refs++;
  }

  release() {
    if (this.pathFd < 0 || --this.refs > 0) return;
    fs.closeSync(this.pathFd);
    this.pathFd = -1;
  }
};

export class HostDir extends HostNode(Dir) {
  lookup(name) {
    const at = this.at(name);
    for (let tries = 0; tries < LOOKUP_TRIES; tries++) {
      const fd = openOrNull(at, O_PATH | O_NOFOLLOW); // point 2
      if (fd === null) return null;
      let node = null;
      try {
        node = this.fs.nodeFor(this, name, fd); // its type from the fd: what we hold, not what lstat saw
      } finally {
        if (!node) fs.closeSync(fd);
      }
      if (node) return node;
    }
    return fail(ERRNO.AGAIN, `'${name}' keeps being replaced while it is looked up`);
  }

  list() {
    const out = [];
    for (const name of sys(() => fs.readdirSync(fdPath(this.fd)))) {
      const st = sysOrNull(() => fs.lstatSync(this.at(name), { bigint: true }));
      if (st) out.push({ name, type: filetypeOf(st), ino: st.ino });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  mkdir(name) {
    this.fs.writable();
    const at = this.at(name);
    this.fs.withEntries(1, () => sys(() => fs.mkdirSync(at, 0o777)));
  }

  createFile(name) {
    this.fs.writable();
    const at = this.at(name);
    // O_EXCL: fails on any existing name, a dangling link included (point 2).
    // The fd that created the file is the node's own (read-only access: it
    // is only an identity, as an O_PATH fd would be).
    return this.fs.withEntries(1, () => new HostFile(this.fs, sys(() => fs.openSync(at, O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW, 0o666))));
  }

  /** Stores `target` as given: resolve.js refuses to follow it out of the mount. */
  symlink(name, target) {
    this.fs.writable();
    if (typeof target !== 'string' || target.length === 0 || target.includes('\0')) fail(ERRNO.INVAL, 'bad link target');
    const at = this.at(name);
    this.fs.withEntries(1, () => sys(() => fs.symlinkSync(target, at)));
  }

  unlink(name) {
    this.fs.writable();
    const at = this.at(name);
    const st = this.fs.charging ? sys(() => fs.lstatSync(at)) : null;
    sys(() => fs.unlinkSync(at)); // Linux: EISDIR for a directory
    if (st) this.forget(st);
  }

  rmdir(name) {
    this.fs.writable();
    sys(() => fs.rmdirSync(this.at(name))); // ENOTDIR for a link, even to a directory
    if (this.fs.charging) this.fs.quota.entries(-1);
  }

  rename(name, toDir, toName) {
    this.fs.writable();
    if (!(toDir instanceof HostDir) || toDir.fs !== this.fs) fail(ERRNO.XDEV, 'rename across mounts');
    const from = this.at(name);
    const to = toDir.at(toName);
    const src = this.fs.charging ? sys(() => fs.lstatSync(from)) : null;
    const there = this.fs.charging ? sysOrNull(() => fs.lstatSync(to)) : null;
    try {
      sys(() => fs.renameSync(from, to)); // the kernel refuses a directory beneath itself (EINVAL)
    } catch (e) {
      // Linux may say EEXIST for a non-empty target directory; the contract says NOTEMPTY.
      if (e.errno === ERRNO.EXIST) throw new FsError(ERRNO.NOTEMPTY, e.message);
      throw e;
    }
    if (there && !(there.ino === src.ino && there.dev === src.dev)) this.forget(there);
  }

  /**
   * A hard link: one more name, in this directory, for what `fromName` in
   * `fromDir` is. link(2) on one name below each directory we hold (point
   * 1); Linux's link() does not follow a final symbolic link (point 2).
   */
  link(name, fromDir, fromName) {
    this.fs.writable();
    if (!(fromDir instanceof HostDir) || fromDir.fs !== this.fs) fail(ERRNO.XDEV, 'a hard link across mounts');
    const from = fromDir.at(fromName);
    const to = this.at(name);
    this.fs.withEntries(1, () => sys(() => fs.linkSync(from, to))); // a name more; the bytes are the same
  }

  /** An entry left the tree: give back its name, and a file's bytes with its last name (`st`: lstat before). */
  forget(st) {
    this.fs.quota.entries(-1);
    if (st.isFile() && st.nlink <= 1) this.fs.quota.bytes -= st.size;
  }
}

export class HostFile extends HostNode(File) {
  /** Reopens the inode through its magic link: the very file that was looked up (point 3). */
  open({ read = true, write = false } = {}) {
    if (write) this.fs.writable();
    const flags = write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
    return new HostOpenFile(this.fs, sys(() => fs.openSync(fdPath(this.fd), flags)));
  }
}

/** FIFOs, sockets and devices: visible and removable, never opened (opening a FIFO would block the worker). */
export class HostSpecial extends HostNode(Node) {
  constructor(hostFs, pathFd, type) {
    super(hostFs, pathFd);
    this.type = type;
  }

  open() {
    fail(ERRNO.NOTSUP, 'not a regular file: devices, FIFOs and sockets are not opened from a host directory');
  }
}

export class HostSymlink extends HostNode(Symlink) {
  /** The link's own O_PATH fd and target, plus a hold on its directory for lutimes. */
  constructor(hostFs, pathFd, dir, name, ino, target) {
    super(hostFs, pathFd);
    dir.retain();
    this.dir = dir;
    this.name = name;
    this.knownIno = ino;
    this.target = target;
  }

  /** The target read at lookup: the contents of the very link that was looked up. */
  readlink() {
    return this.target;
  }

  /** lutimes by name (nothing sets a link's times through an fd), if the name is still this link. */
  setTimes(atim, mtim) {
    this.fs.writable();
    const at = this.dir.at(this.name);
    const now = atim === null || mtim === null ? this.stat() : null;
    const st = sysOrNull(() => fs.lstatSync(at, { bigint: true }));
    if (!st || st.ino !== this.knownIno || !st.isSymbolicLink()) fail(ERRNO.NOENT, `link '${this.name}' was moved or replaced`);
    sys(() => fs.lutimesSync(at, seconds(atim ?? now.atim), seconds(mtim ?? now.mtim)));
  }

  release() {
    const last = this.pathFd >= 0 && this.refs === 1;
    super.release();
    if (last) this.dir.release();
  }
}

class HostOpenFile extends OpenFile {
  constructor(hostFs, fd) {
    super();
    this.fs = hostFs;
    this.osFd = fd;
  }

  get fd() {
    if (this.osFd < 0) fail(ERRNO.BADF, 'file used after close');
    return this.osFd;
  }

  read(dst, pos) {
    return sys(() => fs.readSync(this.fd, dst, 0, dst.length, pos));
  }

  write(src, pos) {
    this.fs.writable();
    const fd = this.fd;
    if (src.length === 0) return 0;
    const end = pos + src.length;
    const before = this.fs.charging ? this.size() : 0;
    if (this.fs.charging && end > before) this.fs.quota.resize(before, end); // throws, writing nothing, past a limit
    try {
      for (let done = 0; done < src.length;) {
        done += sys(() => fs.writeSync(fd, src, done, src.length - done, pos + done));
      }
    } catch (e) {
      if (this.fs.charging && end > before) this.settle(end); // part of it may be written
      throw e;
    }
    return src.length;
  }

  size() {
    return sys(() => fs.fstatSync(this.fd).size);
  }

  truncate(size) {
    this.fs.writable();
    const fd = this.fd;
    if (!this.fs.charging) return sys(() => fs.ftruncateSync(fd, size));
    const before = this.size();
    this.fs.quota.resize(before, size);
    try {
      sys(() => fs.ftruncateSync(fd, size));
    } catch (e) {
      this.settle(size);
      throw e;
    }
  }

  /** After a failure: corrects the charge made for a size of `charged` to the file's real size. */
  settle(charged) {
    const real = sysOrNull(() => fs.fstatSync(this.osFd).size) ?? charged;
    this.fs.quota.bytes += real - charged;
  }

  sync() {
    sys(() => fs.fsyncSync(this.fd));
  }

  close() {
    if (this.osFd < 0) return;
    fs.closeSync(this.osFd);
    this.osFd = -1;
  }
}
