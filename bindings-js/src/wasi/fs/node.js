// bindings-js/src/wasi/fs/node.js — what every mounted file system gives the
// WASI layer: a tree of nodes (directories, files, symbolic links) with
// synchronous methods, since they run inside a plugin's blocking wasm call.
// Backends (memory, shared image, Node host directory, OPFS) implement these
// classes; path resolution (resolve.js) and the fd calls (../preview1.js) are
// written once, against them.
//
// The contract, for a backend author:
// - Every method is synchronous and throws FsError(errno) on failure (WASI
//   errno numbers from ../abi.js), never anything else for a refused operation.
// - A name passed to a Dir method is one path component: never '', '.', '..'
//   and never containing '/' (resolve.js guarantees it).
// - Nodes returned by lookup() may hold a resource (an open directory fd, a
//   handle in a helper): the caller calls release() on every node it got when
//   it is done with it, and retain() first to share it with another holder.
//   For in-memory nodes both do nothing.
// - Times are BigInt nanoseconds since the Unix epoch.
// - A read-only mount refuses every change with ROFS; the WASI layer checks
//   the mount's flag first, backends check again where they can.

import { ERRNO, FILETYPE } from '../abi.js';

/** A refused file-system operation: `errno` is the WASI errno. */
export class FsError extends Error {
  constructor(errno, message = `WASI errno ${errno}`) {
    super(message);
    this.name = 'FsError';
    this.errno = errno;
  }
}

export const fail = (errno, message) => {
  throw new FsError(errno, message);
};

/** Now, as WASI time (BigInt ns). */
export const nowNs = () => BigInt(Date.now()) * 1_000_000n;

/**
 * Limits of one mount. Counters are charged by the backends as the tree
 * changes; a charge past a limit throws (NOSPC for bytes and files, FBIG for
 * one file's size) and changes nothing. Open files are counted by the fd table
 * (MFILE).
 */
export class Quota {
  /** @param {{maxBytes?: number, maxFiles?: number, maxFileSize?: number, maxOpenFiles?: number}} limits */
  constructor(limits = {}) {
    this.maxBytes = limits.maxBytes ?? Infinity;
    this.maxFiles = limits.maxFiles ?? Infinity;
    this.maxFileSize = limits.maxFileSize ?? Infinity;
    this.maxOpenFiles = limits.maxOpenFiles ?? Infinity;
    this.bytes = 0; // bytes of regular files in the mount
    this.files = 0; // entries (files, directories, links) in the mount, the root excepted
    this.openFiles = 0;
  }

  /** A file grows from `from` to `to` bytes (or shrinks: to < from). */
  resize(from, to) {
    if (to > from) {
      if (to > this.maxFileSize) fail(ERRNO.FBIG, 'file larger than the mount allows');
      if (this.bytes + (to - from) > this.maxBytes) fail(ERRNO.NOSPC, 'mount full (maxBytes)');
    }
    this.bytes += to - from;
  }

  /** An entry is created (`+1`) or removed (`-1`). */
  entries(delta) {
    if (delta > 0 && this.files + delta > this.maxFiles) fail(ERRNO.NOSPC, 'mount full (maxFiles)');
    this.files += delta;
  }

  opened() {
    if (this.openFiles + 1 > this.maxOpenFiles) fail(ERRNO.MFILE, 'too many open files in this mount');
    this.openFiles++;
  }

  closed() {
    this.openFiles--;
  }
}

/**
 * Every node. `type` is a FILETYPE; `ino` a BigInt unique within the mount.
 * @abstract
 */
export class Node {
  /** {dev, ino, filetype, nlink, size, atim, mtim, ctim} (BigInts but filetype and size) */
  stat() {
    return fail(ERRNO.NOTSUP);
  }

  /** Sets access and/or modification time; null leaves one as it is. */
  setTimes(atim, mtim) { // eslint-disable-line no-unused-vars
    fail(ERRNO.NOTSUP);
  }

  release() {}

  /** One more holder of this node (each holder calls release() once). */
  retain() {}

  get isDir() {
    return this.type === FILETYPE.DIRECTORY;
  }

  get isFile() {
    return this.type === FILETYPE.REGULAR_FILE;
  }

  get isSymlink() {
    return this.type === FILETYPE.SYMBOLIC_LINK;
  }
}

/** @abstract */
export class Dir extends Node {
  get type() {
    return FILETYPE.DIRECTORY;
  }

  /** The child called `name` (not following a link), or null. */
  lookup(name) { // eslint-disable-line no-unused-vars
    return fail(ERRNO.NOTSUP);
  }

  /** A snapshot of the entries: [{name, type, ino}], in a stable order. */
  list() {
    return fail(ERRNO.NOTSUP);
  }

  /** Creates an empty directory; EXIST if the name is taken. */
  mkdir(name) { // eslint-disable-line no-unused-vars
    fail(ERRNO.NOTSUP);
  }

  /** Creates an empty regular file and returns its node; EXIST if taken. */
  createFile(name) { // eslint-disable-line no-unused-vars
    return fail(ERRNO.NOTSUP);
  }

  /** Creates a symbolic link to `target` (stored as given). */
  symlink(name, target) { // eslint-disable-line no-unused-vars
    fail(ERRNO.NOTSUP);
  }

  /** Removes a file or link; ISDIR for a directory, NOENT if absent. */
  unlink(name) { // eslint-disable-line no-unused-vars
    fail(ERRNO.NOTSUP);
  }

  /** Removes an empty directory; NOTEMPTY, NOTDIR, NOENT. */
  rmdir(name) { // eslint-disable-line no-unused-vars
    fail(ERRNO.NOTSUP);
  }

  /**
   * Adds `name` as one more name of `node`, a file or link found as
   * `fromName` in `fromDir` (a Dir of the same mount): a hard link, so both
   * names share one node (one ino, nlink one more, one set of times).
   * EXIST if `name` is taken; NOTSUP where the backend has no hard links.
   */
  link(name, fromDir, fromName, node) { // eslint-disable-line no-unused-vars
    fail(ERRNO.NOTSUP);
  }

  /**
   * Moves `name` to `toName` in `toDir` (a Dir of the same mount), replacing
   * what is there as rename(2) does: a file replaces a file, a directory an
   * empty directory; ISDIR / NOTDIR / NOTEMPTY otherwise. Moving a directory
   * beneath itself is INVAL (resolve.js cannot see that; backends must).
   */
  rename(name, toDir, toName) { // eslint-disable-line no-unused-vars
    fail(ERRNO.NOTSUP);
  }
}

/** @abstract */
export class File extends Node {
  get type() {
    return FILETYPE.REGULAR_FILE;
  }

  /** Opens the file's contents for I/O; returns an OpenFile. */
  open({ read, write }) { // eslint-disable-line no-unused-vars
    return fail(ERRNO.NOTSUP);
  }
}

/** @abstract */
export class Symlink extends Node {
  get type() {
    return FILETYPE.SYMBOLIC_LINK;
  }

  /** The target, as stored. */
  readlink() {
    return fail(ERRNO.NOTSUP);
  }
}

/**
 * A file opened for I/O (one per WASI fd; the fd keeps the position).
 * @abstract
 */
export class OpenFile {
  /** Copies up to dst.length bytes from `pos` into dst; returns the count (0 at end). */
  read(dst, pos) { // eslint-disable-line no-unused-vars
    return fail(ERRNO.NOTSUP);
  }

  /** Writes all of src at `pos`, growing the file (zero-filled) as needed; returns src.length. */
  write(src, pos) { // eslint-disable-line no-unused-vars
    return fail(ERRNO.NOTSUP);
  }

  /** The current size in bytes. */
  size() {
    return fail(ERRNO.NOTSUP);
  }

  /** Cuts or extends (with zeros) to `size` bytes. */
  truncate(size) { // eslint-disable-line no-unused-vars
    fail(ERRNO.NOTSUP);
  }

  sync() {}

  /** After the last use; the node stays valid. */
  close() {}
}
