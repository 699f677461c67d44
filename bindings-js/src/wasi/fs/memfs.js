// bindings-js/src/wasi/fs/memfs.js — a file system in the worker's memory:
// a writable directory made from a plain tree, or a shared image (image.js)
// mounted in place, read-only or with a private copy-on-write overlay. Image
// directories are read lazily (a lookup is a binary search in the shared
// buffer) and copied into a Map only when listed or changed; an image file is
// read from the shared buffer until the first write copies it. So mounting an
// image costs nothing per file, and its bytes exist once however many plugins
// mount it.
//
// Appends are amortised O(1): a file's buffer at least doubles when it grows.
// At the end of a run collect() gives the tree and what changed, for the host.

import { ERRNO, FILETYPE } from '../abi.js';
import { Dir, File, Symlink, OpenFile, Quota, fail, nowNs } from './node.js';

const FIRST_ALLOCATION = 64;
const GROWTH_STEP_MAX = 64 << 20; // beyond this, grow by 64 MiB at a time
// A file that grows past RESIZABLE_FROM moves into a resizable ArrayBuffer,
// which grows in place: no copy per growth, only the new pages are touched
// (appending 100 MB in 4 KiB writes: about twice as fast as doubling copies).
// Its address space is reserved up front, so small files do not use one.
const RESIZABLE_FROM = 1 << 20;
const RESERVE = 1 << 30;
const canResize = typeof ArrayBuffer.prototype.resize === 'function';

export class MemoryFs {
  /**
   * @param {object} o
   * @param {Quota} [o.quota]
   * @param {boolean} [o.readOnly]
   * @param {bigint} [o.dev] device number reported by stat
   * @param {import('./image.js').ImageReader} [o.image] start from this image
   * @param {Array<{path, type, data?, target?, mtime?}>} [o.entries] or from these (parents first)
   */
  constructor({ quota = new Quota(), readOnly = false, dev = 1n, image = null, entries = [] } = {}) {
    this.quota = quota;
    this.readOnly = readOnly;
    this.dev = dev;
    this.image = image;
    this.nextIno = image ? BigInt(image.count) + 1n : 2n;
    const t = nowNs();
    if (image) {
      this.root = this.fromImage(0, null);
      quota.bytes += image.fileBytes;
      quota.files += image.count - 1;
    } else {
      this.root = new MemDir(this, 1n, null, t);
      this.root.entries = new Map();
      for (const e of entries) this.addEntry(e);
      for (const d of this.dirs()) d.initial = snapshotNames(d);
    }
  }

  /** Throws ROFS on a read-only mount. */
  writable() {
    if (this.readOnly) fail(ERRNO.ROFS, 'read-only mount');
  }

  newIno() {
    return this.nextIno++;
  }

  /** The node for image node `i` (not materialised further). */
  fromImage(i, parent) {
    const img = this.image;
    const t = BigInt(Math.round(img.mtimeMs(i) * 1e6));
    const ino = BigInt(i) + 1n;
    switch (img.type(i)) {
      case FILETYPE.DIRECTORY: {
        const d = new MemDir(this, ino, parent, t);
        d.imageIndex = i;
        return d;
      }
      case FILETYPE.SYMBOLIC_LINK:
        return new MemSymlink(this, ino, img.target(i), t);
      default: {
        const f = new MemFile(this, ino, t);
        f.shared = img.bytes(i);
        return f;
      }
    }
  }

  /** Adds one entry of the initial tree (not charged against limits). */
  addEntry({ path, type, data, target, mtime }) {
    const t = mtime === undefined ? nowNs() : BigInt(Math.round(mtime * 1e6));
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? this.root : this.walk(path.slice(0, slash));
    const name = slash < 0 ? path : path.slice(slash + 1);
    if (!parent || !parent.isDir || parent.entries.has(name)) throw new TypeError(`sabq mount: bad tree entry '${path}'`);
    let node;
    if (type === 'dir') {
      node = new MemDir(this, this.newIno(), parent, t);
      node.entries = new Map();
    } else if (type === 'symlink') {
      node = new MemSymlink(this, this.newIno(), target, t);
    } else {
      node = new MemFile(this, this.newIno(), t);
      node.data = data;
      node.len = data.length;
      this.quota.bytes += data.length;
    }
    this.quota.files++;
    parent.entries.set(name, node);
  }

  walk(path) {
    let d = this.root;
    for (const part of path.split('/')) d = d?.entries?.get(part);
    return d;
  }

  *dirs(d = this.root) {
    yield d;
    if (d.entries) for (const n of d.entries.values()) if (n.isDir) yield* this.dirs(n);
  }

  /**
   * The tree as it is now and what changed since the mount:
   * { entries: [{path, type, data?, target?, mtime}], changes: [{path, change, type}] }
   * where change is 'added', 'modified' or 'deleted'. File data are views (of
   * this file system's buffers, or of the shared image).
   */
  collect() {
    const entries = [];
    const changes = [];
    const kind = (type) => (type === FILETYPE.DIRECTORY ? 'dir' : type === FILETYPE.SYMBOLIC_LINK ? 'symlink' : 'file');
    const emit = (path, node) => {
      const e = { path, type: kind(node.type), mtime: Number(node.mtim / 1_000_000n) };
      if (node.isFile) e.data = node.fixedView();
      if (node.isSymlink) e.target = node.target;
      entries.push(e);
    };
    const walkImage = (i, prefix) => {
      for (const [name, child] of this.image.list(i)) {
        const path = prefix + name;
        const node = this.fromImage(child, null);
        emit(path, node);
        if (node.isDir) walkImage(child, `${path}/`);
      }
    };
    const walk = (dir, prefix, allAdded) => {
      if (!dir.entries && dir.lazy) dir.materialize(); // looked into: a file may have changed
      if (!dir.entries) return walkImage(dir.imageIndex, prefix); // never touched
      const initial = allAdded ? new Map() : dir.initial ?? new Map();
      for (const [name, node] of dir.entries) {
        const path = prefix + name;
        emit(path, node);
        const was = initial.get(name);
        let added = false;
        if (!was || was.type !== node.type) {
          if (was) changes.push({ path, change: 'deleted', type: kind(was.type) });
          changes.push({ path, change: 'added', type: kind(node.type) });
          added = true;
        } else if (was.ino !== node.ino || (node.isFile && node.modified)) {
          changes.push({ path, change: 'modified', type: kind(node.type) });
          added = was.ino !== node.ino;
        }
        if (node.isDir) walk(node, `${path}/`, added);
      }
      for (const [name, was] of initial) {
        if (!dir.entries.has(name)) changes.push({ path: prefix + name, change: 'deleted', type: kind(was.type) });
      }
    };
    walk(this.root, '', false);
    changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { entries, changes };
  }
}

function snapshotNames(dir) {
  const m = new Map();
  for (const [name, node] of dir.entries) m.set(name, { ino: node.ino, type: node.type });
  return m;
}

/** Times every node keeps. */
class Times {
  constructor(t) {
    this.atim = t;
    this.mtim = t;
    this.ctim = t;
  }
}

function statOf(node, size) {
  return {
    dev: node.fs.dev, ino: node.ino, filetype: node.type, nlink: BigInt(node.nlink ?? 1), size,
    atim: node.times.atim, mtim: node.times.mtim, ctim: node.times.ctim,
  };
}

function setTimesOf(node, atim, mtim) {
  node.fs.writable();
  if (atim !== null) node.times.atim = atim;
  if (mtim !== null) node.times.mtim = mtim;
  node.times.ctim = nowNs();
}

export class MemDir extends Dir {
  constructor(fs, ino, parent, t) {
    super();
    this.fs = fs;
    this.ino = ino;
    this.parent = parent;
    this.times = new Times(t);
    this.entries = null; // Map name -> node, once materialised
    this.imageIndex = -1; // while not materialised: the image directory
    this.lazy = null; // nodes looked up in the image before materialising
    this.initial = null; // names present at mount: {ino, type} (for collect)
  }

  get mtim() {
    return this.times.mtim;
  }

  stat() {
    return statOf(this, 4096);
  }

  setTimes(atim, mtim) {
    setTimesOf(this, atim, mtim);
  }

  lookup(name) {
    if (this.entries) return this.entries.get(name) ?? null;
    const cached = this.lazy?.get(name);
    if (cached) return cached;
    const i = this.fs.image.find(this.imageIndex, name);
    if (i < 0) return null;
    const node = this.fs.fromImage(i, this);
    (this.lazy ??= new Map()).set(name, node);
    return node;
  }

  /** Copies an image directory's entries into a Map (once), keeping nodes already handed out. */
  materialize() {
    if (this.entries) return this.entries;
    const entries = new Map();
    for (const [name, i] of this.fs.image.list(this.imageIndex)) {
      entries.set(name, this.lazy?.get(name) ?? this.fs.fromImage(i, this));
    }
    this.entries = entries;
    this.lazy = null;
    this.initial = snapshotNames(this);
    return entries;
  }

  get isEmpty() {
    return this.entries ? this.entries.size === 0 : this.fs.image.size(this.imageIndex) === 0;
  }

  list() {
    const out = [];
    for (const [name, node] of this.materialize()) out.push({ name, type: node.type, ino: node.ino });
    return out;
  }

  /** The entries map of a directory about to change. */
  changing() {
    this.fs.writable();
    const entries = this.materialize();
    this.times.mtim = this.times.ctim = nowNs();
    return entries;
  }

  add(name, node) {
    const entries = this.changing();
    if (entries.has(name)) fail(ERRNO.EXIST, `'${name}' exists`);
    this.fs.quota.entries(1);
    entries.set(name, node);
    return node;
  }

  mkdir(name) {
    const d = new MemDir(this.fs, this.fs.newIno(), this, nowNs());
    d.entries = new Map();
    this.add(name, d);
  }

  createFile(name) {
    return this.add(name, new MemFile(this.fs, this.fs.newIno(), nowNs()));
  }

  symlink(name, target) {
    this.add(name, new MemSymlink(this.fs, this.fs.newIno(), target, nowNs()));
  }

  unlink(name) {
    const entries = this.changing();
    const node = entries.get(name);
    if (!node) fail(ERRNO.NOENT);
    if (node.isDir) fail(ERRNO.ISDIR, `'${name}' is a directory`);
    entries.delete(name);
    this.forget(node);
  }

  /** A hard link: `node` (a file or link of this file system) gets `name` here too. */
  link(name, fromDir, fromName, node) {
    if (!(node instanceof MemFile || node instanceof MemSymlink) || node.fs !== this.fs) fail(ERRNO.XDEV, 'a hard link across mounts');
    this.add(name, node);
    node.nlink++;
    node.times.ctim = nowNs();
  }

  rmdir(name) {
    const entries = this.changing();
    const node = entries.get(name);
    if (!node) fail(ERRNO.NOENT);
    if (!node.isDir) fail(ERRNO.NOTDIR, `'${name}' is not a directory`);
    if (!node.isEmpty) fail(ERRNO.NOTEMPTY, `'${name}' is not empty`);
    entries.delete(name);
    this.forget(node);
  }

  /**
   * A name left the tree: give back its entry, and a file's bytes with its
   * last name (hard links share them).
   */
  forget(node) {
    this.fs.quota.entries(-1);
    if (node.isDir) return;
    node.nlink--;
    node.times.ctim = nowNs();
    if (node.isFile && node.nlink === 0) this.fs.quota.bytes -= node.size;
  }

  rename(name, toDir, toName) {
    if (!(toDir instanceof MemDir) || toDir.fs !== this.fs) fail(ERRNO.XDEV, 'rename across mounts');
    const from = this.changing();
    const node = from.get(name);
    if (!node) fail(ERRNO.NOENT);
    const to = toDir.changing();
    const there = to.get(toName);
    if (there === node) return;
    if (node.isDir) {
      for (let d = toDir; d; d = d.parent) if (d === node) fail(ERRNO.INVAL, 'a directory cannot move beneath itself');
      if (there && !there.isDir) fail(ERRNO.NOTDIR);
      if (there && !there.isEmpty) fail(ERRNO.NOTEMPTY);
    } else if (there?.isDir) {
      fail(ERRNO.ISDIR);
    }
    if (there) {
      to.delete(toName);
      this.forget(there);
    }
    from.delete(name);
    to.set(toName, node);
    if (node.isDir) node.parent = toDir;
    node.times.ctim = nowNs();
  }
}

export class MemFile extends File {
  constructor(fs, ino, t) {
    super();
    this.fs = fs;
    this.ino = ino;
    this.times = new Times(t);
    this.nlink = 1; // names in the tree (hard links)
    this.data = null; // owned bytes (capacity >= len), once written
    this.len = 0;
    this.shared = null; // the image's bytes, until the first write
    this.modified = false;
  }

  get mtim() {
    return this.times.mtim;
  }

  get size() {
    return this.shared ? this.shared.length : this.len;
  }

  /**
   * The contents, as a view whose buffer has a fixed length (decoders and
   * some APIs refuse views of resizable buffers): the resizable buffer is
   * handed over without a copy where the engine can, copied otherwise. For
   * the end of a run: the file's buffer may move.
   */
  fixedView() {
    const buffer = this.data?.buffer;
    if (!this.shared && buffer?.resizable) {
      const fixed = typeof buffer.transferToFixedLength === 'function' ? buffer.transferToFixedLength(this.len) : buffer.slice(0, this.len);
      this.data = new Uint8Array(fixed);
    }
    return this.view();
  }

  /** The contents, as a view. */
  view() {
    return this.shared ?? (this.data ? this.data.subarray(0, this.len) : new Uint8Array(0));
  }

  stat() {
    return statOf(this, this.size);
  }

  setTimes(atim, mtim) {
    setTimesOf(this, atim, mtim);
  }

  open({ write = false } = {}) {
    if (write) this.fs.writable();
    return new MemOpenFile(this);
  }

  /**
   * ensure(size) after the quota was charged from `was` bytes: a size the
   * engine cannot allocate is NOSPC (not a trap), and the charge goes back.
   */
  ensureCharged(size, was) {
    try {
      this.ensure(size);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      if (size > was) this.fs.quota.resize(size, was);
      fail(ERRNO.NOSPC, `a file of ${size} bytes does not fit in this worker's memory`);
    }
  }

  /** Owned bytes with room for `size`; the first call copies an image file. */
  ensure(size) {
    if (this.shared) {
      const bytes = this.shared;
      const own = new Uint8Array(Math.max(size, bytes.length)); // before letting go: it may fail
      own.set(bytes);
      this.shared = null;
      this.data = own;
      this.len = bytes.length;
    }
    const cap = this.data ? this.data.length : 0;
    if (size <= cap) return;
    // Doubling keeps appends amortised O(1); the first allocation is small
    // (a program writing thousands of 16-byte files must not pay 4 KiB of
    // zeroed memory for each).
    const want = Math.max(size, cap + Math.min(Math.max(cap, FIRST_ALLOCATION), GROWTH_STEP_MAX));
    const buffer = this.data?.buffer;
    if (buffer?.resizable && want <= buffer.maxByteLength) {
      buffer.resize(want); // this.data tracks the buffer's length
      return;
    }
    let grown;
    if (canResize && want >= RESIZABLE_FROM) {
      grown = new Uint8Array(new ArrayBuffer(want, { maxByteLength: Math.max(RESERVE, want * 4) }));
    } else {
      grown = new Uint8Array(want);
    }
    if (this.data) grown.set(this.data.subarray(0, this.len));
    this.data = grown;
  }

  changed() {
    this.modified = true;
    this.times.mtim = this.times.ctim = nowNs();
  }

  read(dst, pos) {
    const size = this.size;
    if (pos >= size) return 0;
    const n = Math.min(dst.length, size - pos);
    dst.set((this.shared ?? this.data).subarray(pos, pos + n));
    return n;
  }

  write(src, pos) {
    this.fs.writable();
    const end = pos + src.length;
    const size = this.size;
    if (end > size) this.fs.quota.resize(size, end); // throws, changing nothing, past a limit
    this.ensureCharged(end, size);
    if (pos > this.len) this.data.fill(0, this.len, pos); // a hole reads as zeros
    this.data.set(src, pos);
    if (end > this.len) this.len = end;
    this.changed();
    return src.length;
  }

  truncate(size) {
    this.fs.writable();
    const old = this.size;
    this.fs.quota.resize(old, size);
    this.ensureCharged(size, old);
    if (size > this.len) this.data.fill(0, this.len, size);
    this.len = size;
    this.changed();
  }
}

class MemOpenFile extends OpenFile {
  constructor(file) {
    super();
    this.file = file;
  }

  read(dst, pos) {
    return this.file.read(dst, pos);
  }

  write(src, pos) {
    return this.file.write(src, pos);
  }

  size() {
    return this.file.size;
  }

  truncate(size) {
    this.file.truncate(size);
  }
}

export class MemSymlink extends Symlink {
  constructor(fs, ino, target, t) {
    super();
    this.fs = fs;
    this.ino = ino;
    this.target = target;
    this.nlink = 1;
    this.times = new Times(t);
  }

  get mtim() {
    return this.times.mtim;
  }

  stat() {
    return statOf(this, new TextEncoder().encode(this.target).length);
  }

  setTimes(atim, mtim) {
    setTimesOf(this, atim, mtim);
  }

  readlink() {
    return this.target;
  }
}
