// bindings-js/src/wasi/paths.js — the path_* calls of WASI preview1 on a
// mounted file system, written once for every backend: check the directory
// fd's rights (rights.js), resolve beneath it (fs/resolve.js), check what
// POSIX checks, then ask the node. Each returns a value or throws FsError.

import { ERRNO, RIGHTS, OFLAGS, FDFLAGS, LOOKUP_SYMLINK_FOLLOW } from './abi.js';
import { fail } from './fs/node.js';
import { resolve, withResolved } from './fs/resolve.js';
import { need, dirChild, fileChild } from './rights.js';
import { FileFd, DirFd } from './fds/file.js';

const follows = (dirflags) => (dirflags & LOOKUP_SYMLINK_FOLLOW) !== 0;

function writableMount(fd) {
  if (fd.mount.readOnly) fail(ERRNO.ROFS, `'${fd.mount.path}' is mounted read-only`);
}

/**
 * path_open: returns the new Fd. Rights are what was asked, within what the
 * directory passes on and what the kind of file allows (rights.js).
 */
export function openAt(dirFd, path, { dirflags, oflags, rightsBase, rightsInheriting, fdflags }) {
  const dir = dirFd.dir();
  const creat = (oflags & OFLAGS.CREAT) !== 0;
  const wantDir = (oflags & OFLAGS.DIRECTORY) !== 0;
  // O_DIRECTORY with O_CREAT, O_EXCL or O_TRUNC asks for nothing a directory can be: INVAL, as wasmtime.
  if (wantDir && oflags & (OFLAGS.CREAT | OFLAGS.EXCL | OFLAGS.TRUNC)) fail(ERRNO.INVAL, 'O_DIRECTORY with O_CREAT, O_EXCL or O_TRUNC');
  need(dirFd, RIGHTS.PATH_OPEN | (creat ? RIGHTS.PATH_CREATE_FILE : 0n) | (oflags & OFLAGS.TRUNC ? RIGHTS.PATH_FILESTAT_SET_SIZE : 0n), 'path_open');
  const r = resolve(dir, path, { follow: follows(dirflags) });
  try {
    let node = r.node;
    const created = node === null;
    if (created) {
      if (!creat) fail(ERRNO.NOENT, `no '${path}'`);
      if (wantDir || r.mustBeDir) fail(ERRNO.ISDIR, 'O_CREAT of a directory');
      writableMount(dirFd);
      node = r.dir.createFile(r.name);
      r.node = node; // released with the resolution unless kept below
    } else if (creat && oflags & OFLAGS.EXCL) {
      fail(ERRNO.EXIST, `'${path}' exists`);
    }
    if (node.isSymlink) fail(ERRNO.LOOP, `'${path}' is a symbolic link (O_NOFOLLOW)`);
    if (node.isDir) {
      // Asking to write a directory is EISDIR, with O_DIRECTORY or not (as
      // open(2) with O_WRONLY or O_RDWR, and wasmtime).
      if (oflags & OFLAGS.TRUNC || rightsBase & RIGHTS.FD_WRITE) fail(ERRNO.ISDIR, `'${path}' is a directory`);
      dirFd.mount.quota.opened();
      // '.' (or 'a/..') names the directory the caller holds: the new fd holds it too, and releases its own hold.
      let held;
      if (node === dir) {
        dir.retain();
        held = dir;
      } else {
        held = r.keepNode();
      }
      return new DirFd(held, dirFd.mount, dirChild(dirFd, rightsBase, rightsInheriting));
    }
    if (wantDir || r.mustBeDir) fail(ERRNO.NOTDIR, `'${path}' is not a directory`);
    const base = fileChild(dirFd, rightsBase).rightsBase;
    const write = (base & RIGHTS.FD_WRITE) !== 0n;
    if (write || oflags & OFLAGS.TRUNC) writableMount(dirFd);
    dirFd.mount.quota.opened();
    let file;
    try {
      // O_TRUNC truncates through the open file, which then must be open for writing (its rights still say what the fd may do).
      file = node.open({ read: (base & RIGHTS.FD_READ) !== 0n, write: write || (oflags & OFLAGS.TRUNC) !== 0 });
      if (oflags & OFLAGS.TRUNC) file.truncate(0);
    } catch (e) {
      file?.close();
      dirFd.mount.quota.closed();
      throw e;
    }
    const fd = new FileFd(r.keepNode(), file, dirFd.mount, {
      rightsBase: base,
      rightsInheriting: 0n,
      flags: fdflags & (FDFLAGS.APPEND | FDFLAGS.DSYNC | FDFLAGS.RSYNC | FDFLAGS.SYNC | FDFLAGS.NONBLOCK),
    });
    if (created || oflags & OFLAGS.TRUNC) fd.written = true;
    return fd;
  } finally {
    r.release();
  }
}

export function mkdirAt(dirFd, path) {
  need(dirFd, RIGHTS.PATH_CREATE_DIRECTORY, 'path_create_directory');
  withResolved(dirFd.dir(), path, { follow: false }, (r) => {
    if (r.node !== null) fail(ERRNO.EXIST, `'${path}' exists`);
    writableMount(dirFd);
    r.dir.mkdir(r.name);
  });
}

export function statAt(dirFd, path, dirflags) {
  need(dirFd, RIGHTS.PATH_FILESTAT_GET, 'path_filestat_get');
  return withResolved(dirFd.dir(), path, { follow: follows(dirflags) }, (r) => {
    if (r.node === null) fail(ERRNO.NOENT, `no '${path}'`);
    if (r.mustBeDir && !r.node.isDir) fail(ERRNO.NOTDIR);
    return r.node.stat();
  });
}

export function setTimesAt(dirFd, path, dirflags, atim, mtim) {
  need(dirFd, RIGHTS.PATH_FILESTAT_SET_TIMES, 'path_filestat_set_times');
  withResolved(dirFd.dir(), path, { follow: follows(dirflags) }, (r) => {
    if (r.node === null) fail(ERRNO.NOENT, `no '${path}'`);
    writableMount(dirFd);
    r.node.setTimes(atim, mtim);
  });
}

/** The link's target as UTF-8 bytes. */
export function readlinkAt(dirFd, path) {
  need(dirFd, RIGHTS.PATH_READLINK, 'path_readlink');
  return withResolved(dirFd.dir(), path, { follow: false }, (r) => {
    if (r.node === null) fail(ERRNO.NOENT, `no '${path}'`);
    if (!r.node.isSymlink) fail(ERRNO.INVAL, `'${path}' is not a symbolic link`);
    return new TextEncoder().encode(r.node.readlink());
  });
}

export function rmdirAt(dirFd, path) {
  need(dirFd, RIGHTS.PATH_REMOVE_DIRECTORY, 'path_remove_directory');
  withResolved(dirFd.dir(), path, { follow: false }, (r) => {
    if (r.name === null) fail(ERRNO.INVAL, 'cannot remove . or ..');
    if (r.node === null) fail(ERRNO.NOENT, `no '${path}'`);
    if (!r.node.isDir) fail(ERRNO.NOTDIR, `'${path}' is not a directory`);
    writableMount(dirFd);
    r.dir.rmdir(r.name);
  });
}

export function unlinkAt(dirFd, path) {
  need(dirFd, RIGHTS.PATH_UNLINK_FILE, 'path_unlink_file');
  withResolved(dirFd.dir(), path, { follow: false }, (r) => {
    if (r.node === null) fail(ERRNO.NOENT, `no '${path}'`);
    if (r.node.isDir) fail(ERRNO.ISDIR, `'${path}' is a directory`);
    if (r.mustBeDir) fail(ERRNO.NOTDIR);
    writableMount(dirFd);
    r.dir.unlink(r.name);
  });
}

export function renameAt(fromFd, fromPath, toFd, toPath) {
  need(fromFd, RIGHTS.PATH_RENAME_SOURCE, 'path_rename');
  need(toFd, RIGHTS.PATH_RENAME_TARGET, 'path_rename');
  if (fromFd.mount !== toFd.mount) fail(ERRNO.XDEV, 'rename across mounts');
  withResolved(fromFd.dir(), fromPath, { follow: false }, (from) => {
    withResolved(toFd.dir(), toPath, { follow: false }, (to) => {
      if (from.name === null || to.name === null) fail(ERRNO.BUSY, 'cannot rename . or ..');
      if (from.node === null) fail(ERRNO.NOENT, `no '${fromPath}'`);
      if ((from.mustBeDir || to.mustBeDir) && !from.node.isDir) fail(ERRNO.NOTDIR);
      writableMount(fromFd);
      from.dir.rename(from.name, to.dir, to.name);
    });
  });
}

/** Only relative targets: an absolute one could only ever point outside. */
export function symlinkAt(target, dirFd, path) {
  need(dirFd, RIGHTS.PATH_SYMLINK, 'path_symlink');
  if (target.length === 0) fail(ERRNO.NOENT, 'empty link target');
  if (target[0] === '/') fail(ERRNO.NOTCAPABLE, `absolute link target '${target}'`);
  withResolved(dirFd.dir(), path, { follow: false }, (r) => {
    if (r.node !== null) fail(ERRNO.EXIST, `'${path}' exists`);
    if (r.mustBeDir) fail(ERRNO.NOENT);
    writableMount(dirFd);
    r.dir.symlink(r.name, target);
  });
}


/**
 * path_link: a second name `toPath` (beneath `toFd`) for what `fromPath`
 * names, which is never followed if it is a link (as linkat(2) without
 * AT_SYMLINK_FOLLOW; following is INVAL, as wasmtime). Both names then share
 * one node: same ino, nlink counts the names, one set of times.
 */
export function linkAt(fromFd, fromPath, dirflags, toFd, toPath) {
  need(fromFd, RIGHTS.PATH_LINK_SOURCE, 'path_link');
  need(toFd, RIGHTS.PATH_LINK_TARGET, 'path_link');
  if (follows(dirflags)) fail(ERRNO.INVAL, 'path_link does not follow symbolic links');
  withResolved(fromFd.dir(), fromPath, { follow: false }, (from) => {
    withResolved(toFd.dir(), toPath, { follow: false }, (to) => {
      if (from.node === null) fail(ERRNO.NOENT, `no '${fromPath}'`);
      if (from.node.isDir) fail(ERRNO.PERM, `'${fromPath}' is a directory: directories have one name`);
      if (from.mustBeDir) fail(ERRNO.NOTDIR, `'${fromPath}' is not a directory`);
      if (to.node !== null) fail(ERRNO.EXIST, `'${toPath}' exists`);
      if (to.mustBeDir) fail(ERRNO.NOENT, `'${toPath}' ends in '/' but names no directory`);
      if (fromFd.mount !== toFd.mount) fail(ERRNO.XDEV, 'a hard link across mounts');
      writableMount(toFd);
      to.dir.link(to.name, from.dir, from.name, from.node);
    });
  });
}
