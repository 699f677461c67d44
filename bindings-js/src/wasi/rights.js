// bindings-js/src/wasi/rights.js — preview1's rights, enforced: what each fd
// may do (its base rights, reported by fd_fdstat_get) and what a directory fd
// passes on to what is opened beneath it (its inheriting rights). Rights can
// be dropped (fd_fdstat_set_rights), never gained.
//
// The policy, where the witx leaves a choice (docs/plugins.md lists it):
// - A call the fd lacks the right for is NOTCAPABLE (as wasmtime's
//   rights-enforcing wasi-common answered), but reading or writing without
//   FD_READ / FD_WRITE is BADF, as POSIX and wasmtime say for a file not open
//   for it.
// - path_open grants what was asked, within the directory's inheriting rights
//   and what the kind of file can do; rights asked beyond them are dropped
//   silently, not refused (wasi-libc asks for every right it could use; Rust's
//   std asks for path rights on regular files).

import { ERRNO, ALL_RIGHTS, DIR_RIGHTS, FILE_RIGHTS } from './abi.js';
import { fail } from './fs/node.js';

/** NOTCAPABLE unless `fd` has every right in `rights`. */
export function need(fd, rights, what) {
  if ((fd.rightsBase & rights) !== rights) fail(ERRNO.NOTCAPABLE, `the fd lacks the rights for ${what}`);
}

/** INVAL for a rights argument with bits preview1 does not define (as wasmtime). */
export function checkRights(rights) {
  if ((rights & ~ALL_RIGHTS) !== 0n) fail(ERRNO.INVAL, 'unknown rights bits');
}

/** {rightsBase, rightsInheriting} of a directory opened beneath `dirFd`. */
export function dirChild(dirFd, rightsBase, rightsInheriting) {
  return {
    rightsBase: rightsBase & dirFd.rightsInheriting & DIR_RIGHTS,
    rightsInheriting: rightsInheriting & dirFd.rightsInheriting,
  };
}

/** {rightsBase, rightsInheriting} of a regular file opened beneath `dirFd` (a file passes nothing on). */
export function fileChild(dirFd, rightsBase) {
  return { rightsBase: rightsBase & dirFd.rightsInheriting & FILE_RIGHTS, rightsInheriting: 0n };
}

/** fd_fdstat_set_rights: drops to `base`/`inheriting`; NOTCAPABLE if that would add any. */
export function dropRights(fd, base, inheriting) {
  if ((base & ~fd.rightsBase) !== 0n || (inheriting & ~fd.rightsInheriting) !== 0n) {
    fail(ERRNO.NOTCAPABLE, 'rights can be dropped, never gained');
  }
  fd.rightsBase = base;
  fd.rightsInheriting = inheriting;
}
