// bindings-js/src/wasi/abi.js — the numbers and byte layouts of WASI
// preview1 (wasi_snapshot_preview1, the witx spec) that the fd and path calls
// use. Written from the spec rather than taken from the shim: the shim's
// Filestat writes its timestamps at the wrong offsets (browser_wasi_shim#101),
// and these modules must load where the shim has not been imported yet.

export const ERRNO = Object.freeze({
  SUCCESS: 0, ACCES: 2, AGAIN: 6, BADF: 8, BUSY: 10, EXIST: 20, FAULT: 21, FBIG: 22, ILSEQ: 25,
  INVAL: 28, IO: 29, ISDIR: 31, LOOP: 32, MFILE: 33, MLINK: 34, NAMETOOLONG: 37, NOENT: 44,
  NOMEM: 48, NOSPC: 51, NOSYS: 52, NOTDIR: 54, NOTEMPTY: 55, NOTSOCK: 57, NOTSUP: 58, NOTTY: 59,
  OVERFLOW: 61, PERM: 63, PIPE: 64, ROFS: 69, SPIPE: 70, XDEV: 75, NOTCAPABLE: 76,
});

export const FILETYPE = Object.freeze({
  UNKNOWN: 0, CHARACTER_DEVICE: 2, DIRECTORY: 3, REGULAR_FILE: 4, SYMBOLIC_LINK: 7,
});

/** Rights bits: which calls an fd allows. */
export const RIGHTS = Object.freeze({
  FD_DATASYNC: 1n << 0n, FD_READ: 1n << 1n, FD_SEEK: 1n << 2n, FD_FDSTAT_SET_FLAGS: 1n << 3n,
  FD_SYNC: 1n << 4n, FD_TELL: 1n << 5n, FD_WRITE: 1n << 6n, FD_ADVISE: 1n << 7n,
  FD_ALLOCATE: 1n << 8n, PATH_CREATE_DIRECTORY: 1n << 9n, PATH_CREATE_FILE: 1n << 10n,
  PATH_LINK_SOURCE: 1n << 11n, PATH_LINK_TARGET: 1n << 12n, PATH_OPEN: 1n << 13n,
  FD_READDIR: 1n << 14n, PATH_READLINK: 1n << 15n, PATH_RENAME_SOURCE: 1n << 16n,
  PATH_RENAME_TARGET: 1n << 17n, PATH_FILESTAT_GET: 1n << 18n, PATH_FILESTAT_SET_SIZE: 1n << 19n,
  PATH_FILESTAT_SET_TIMES: 1n << 20n, FD_FILESTAT_GET: 1n << 21n, FD_FILESTAT_SET_SIZE: 1n << 22n,
  FD_FILESTAT_SET_TIMES: 1n << 23n, PATH_SYMLINK: 1n << 24n, PATH_REMOVE_DIRECTORY: 1n << 25n,
  PATH_UNLINK_FILE: 1n << 26n, POLL_FD_READWRITE: 1n << 27n, SOCK_SHUTDOWN: 1n << 28n,
});

const all = (...bits) => bits.reduce((a, b) => a | b, 0n);
/** What a regular file fd may do, at most. */
export const FILE_RIGHTS = all(RIGHTS.FD_DATASYNC, RIGHTS.FD_READ, RIGHTS.FD_SEEK, RIGHTS.FD_FDSTAT_SET_FLAGS,
  RIGHTS.FD_SYNC, RIGHTS.FD_TELL, RIGHTS.FD_WRITE, RIGHTS.FD_ADVISE, RIGHTS.FD_ALLOCATE,
  RIGHTS.FD_FILESTAT_GET, RIGHTS.FD_FILESTAT_SET_SIZE, RIGHTS.FD_FILESTAT_SET_TIMES, RIGHTS.POLL_FD_READWRITE);
/** Every rights bit preview1 defines; a rights argument with any other bit is INVAL. */
export const ALL_RIGHTS = (1n << 29n) - 1n;
/** What a directory fd may do, at most (fsync of a directory is allowed: see preview1.js). */
export const DIR_RIGHTS = all(RIGHTS.FD_DATASYNC, RIGHTS.FD_SYNC,
  RIGHTS.PATH_CREATE_DIRECTORY, RIGHTS.PATH_CREATE_FILE, RIGHTS.PATH_LINK_SOURCE, RIGHTS.PATH_LINK_TARGET,
  RIGHTS.PATH_OPEN, RIGHTS.FD_READDIR, RIGHTS.PATH_READLINK, RIGHTS.PATH_RENAME_SOURCE,
  RIGHTS.PATH_RENAME_TARGET, RIGHTS.PATH_FILESTAT_GET, RIGHTS.PATH_FILESTAT_SET_SIZE,
  RIGHTS.PATH_FILESTAT_SET_TIMES, RIGHTS.FD_FILESTAT_GET, RIGHTS.FD_FILESTAT_SET_TIMES,
  RIGHTS.PATH_SYMLINK, RIGHTS.PATH_REMOVE_DIRECTORY, RIGHTS.PATH_UNLINK_FILE);
/** Files opened beneath a directory may get these. */
export const INHERITED_RIGHTS = FILE_RIGHTS | DIR_RIGHTS;

export const OFLAGS = Object.freeze({ CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 });
export const FDFLAGS = Object.freeze({ APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 });
export const LOOKUP_SYMLINK_FOLLOW = 1;
export const FSTFLAGS = Object.freeze({ ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 });
export const WHENCE = Object.freeze({ SET: 0, CUR: 1, END: 2 });
export const CLOCKID = Object.freeze({ REALTIME: 0, MONOTONIC: 1, PROCESS_CPUTIME: 2, THREAD_CPUTIME: 3 });
export const EVENTTYPE = Object.freeze({ CLOCK: 0, FD_READ: 1, FD_WRITE: 2 });
/** The largest valid value of each flags or enum argument: anything beyond is INVAL. */
export const VALID = Object.freeze({
  OFLAGS: 0xf, FDFLAGS: 0x1f, LOOKUPFLAGS: 0x1, FSTFLAGS: 0xf, RIFLAGS: 0x3, SIFLAGS: 0,
  SDFLAGS: 0x3, WHENCE: 2, ADVICE: 5, CLOCKID: 3, SIGNAL: 30, EVENTTYPE: 2,
});
export const EVENTRWFLAGS_HANGUP = 1;
export const SUBCLOCKFLAGS_ABSTIME = 1;

// ---- struct layouts (little-endian) ------------------------------------------

/** filestat: 64 bytes. */
export function writeFilestat(view, at, s) {
  view.setBigUint64(at, s.dev, true);
  view.setBigUint64(at + 8, s.ino, true);
  view.setUint8(at + 16, s.filetype);
  view.setBigUint64(at + 24, s.nlink, true);
  view.setBigUint64(at + 32, BigInt(s.size), true);
  view.setBigUint64(at + 40, s.atim, true);
  view.setBigUint64(at + 48, s.mtim, true);
  view.setBigUint64(at + 56, s.ctim, true);
}

/** fdstat: 24 bytes. */
export function writeFdstat(view, at, filetype, flags, rightsBase, rightsInheriting) {
  view.setUint8(at, filetype);
  view.setUint16(at + 2, flags, true);
  view.setBigUint64(at + 8, rightsBase, true);
  view.setBigUint64(at + 16, rightsInheriting, true);
}

/** The 24-byte head of a dirent; the name follows it, unterminated. */
export const DIRENT_HEAD = 24;
export function writeDirentHead(view, at, next, ino, nameLength, filetype) {
  view.setBigUint64(at, next, true);
  view.setBigUint64(at + 8, ino, true);
  view.setUint32(at + 16, nameLength, true);
  view.setUint8(at + 20, filetype);
}

/** subscription: 48 bytes; event: 32 bytes. */
export const SUBSCRIPTION_SIZE = 48;
export const EVENT_SIZE = 32;

export function readSubscription(view, at) {
  const tag = view.getUint8(at + 8);
  const s = { userdata: view.getBigUint64(at, true), tag };
  if (tag === EVENTTYPE.CLOCK) {
    s.clock = view.getUint32(at + 16, true);
    s.timeout = view.getBigUint64(at + 24, true);
    s.flags = view.getUint16(at + 40, true);
  } else {
    s.fd = view.getUint32(at + 16, true);
  }
  return s;
}

export function writeEvent(view, at, userdata, error, type, nbytes = 0n, flags = 0) {
  for (let i = 0; i < EVENT_SIZE; i += 8) view.setBigUint64(at + i, 0n, true);
  view.setBigUint64(at, userdata, true);
  view.setUint16(at + 8, error, true);
  view.setUint8(at + 10, type);
  if (type !== EVENTTYPE.CLOCK) {
    view.setBigUint64(at + 16, BigInt(nbytes), true);
    view.setUint16(at + 24, flags, true);
  }
}
