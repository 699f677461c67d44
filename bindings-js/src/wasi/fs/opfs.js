// bindings-js/src/wasi/fs/opfs.js — an OPFS directory (a browser's origin
// private file system) mounted for a plugin, synchronous from the plugin's
// point of view. OPFS is asynchronous but for the data of an open file, and a
// plugin calls from inside a blocking wasm call, when its worker's event loop
// cannot run. So a helper worker (opfs-helper.js), which the page starts
// (opfs-start.js), does the OPFS work: each call stores a request in a shared
// buffer and blocks in Atomics.wait until the answer is there (the protocol,
// and why the page starts the helper: opfs-protocol.js). Nothing here needs
// this worker's event loop, a message, or a worker of its own.
//
// What OPFS cannot do, and what this does instead:
// - No symbolic links: symlink() is NOTSUP (no link is ever found either).
// - No hard links: link() is NOTSUP (see link() for why).
// - No settable times, no access time, no directory times: times are kept
//   here, for the session. setTimes() records atime/mtime and stat() reports
//   them; a write or truncate sets mtime to now, as the OS would; a directory
//   reports the time this mount was opened, or of its last change through it.
//   Why not NOTSUP: tools that copy or unpack (tar, cp -p, make) set times
//   and treat a refusal as an error; what they set stays true for the run
//   (and OPFS's own lastModified is what shows across runs).
// - A file open in this mount cannot be removed or replaced (the browser
//   locks it): unlink() and rename() onto it are BUSY. Renaming an open file
//   works (the helper lets go of it, moves it and takes it again).
// - Directories: moved with the engine's move() where it has one; where not
//   (Chromium today), an empty directory is re-created under the new name and
//   one with entries is XDEV, as between file systems (mv then copies).
// - Replacing an existing entry by rename is a removal then a move, not atomic.
// - Names OPFS refuses (Chromium: '\' and some others) are INVAL to create
//   and never found.
// - One mount assumes no one else changes its directory meanwhile (another
//   tab of the same origin could): inos are given per session, by name.

import { ERRNO, FILETYPE } from '../abi.js';
import { Dir, File, OpenFile, Quota, FsError, fail, nowNs } from './node.js';
import { WORD, MAX_DEFERRED, requestKind, views, bufferBytes } from './opfs-protocol.js';
import { canBlock } from '../../rings/wait.js';
import { charging, withEntries } from './charge.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const DIR_SIZE = 4096;

export class OpfsFs {
  /**
   * The mount over a helper the page started: `channel` is what
   * startOpfsHelper() (opfs-start.js) resolved with. Call it in the worker
   * that will run the plugin; it starts nothing and returns at once. Refuses
   * (NOTSUP) where this thread cannot block (a page's main thread).
   * @param {{buffer: SharedArrayBuffer, files: number, bytes: number}} channel
   * @param {object} [o]
   * @param {boolean} [o.readOnly] as the helper was started
   * @param {Quota} [o.quota] charged with the entries and bytes the helper counted
   * @param {bigint} [o.dev] device number reported by stat
   * @param {number} [o.timeoutMs] a call that gets no answer in this time is IO, and so is every later one
   */
  static attach(channel, { readOnly = false, quota = new Quota(), dev = 1n, timeoutMs = 30_000 } = {}) {
    if (!canBlock()) fail(ERRNO.NOTSUP, 'OpfsFs blocks the thread that calls it: use it in a worker, not on the main thread');
    if (!(channel?.buffer instanceof SharedArrayBuffer) || channel.buffer.byteLength <= bufferBytes(0)) {
      fail(ERRNO.INVAL, 'OpfsFs.attach needs the channel of a started OPFS helper');
    }
    quota.files += channel.files;
    quota.bytes += channel.bytes;
    return new OpfsFs(channel.buffer, { readOnly, quota, dev, timeoutMs });
  }

  constructor(buffer, { readOnly, quota, dev, timeoutMs }) {
    ({ words: this.words, request: this.request, data: this.data } = views(buffer));
    this.readOnly = readOnly;
    this.quota = quota;
    this.dev = dev;
    this.timeoutMs = timeoutMs;
    this.charging = charging(quota);
    this.seq = 0;
    this.deferred = []; // requests that ride with the next one (see opfs-protocol.js)
    this.broken = null; // why calls fail from now on
    this.openedAt = nowNs();
    this.times = new Map(); // ino → {atim, mtim}: what setTimes and writes set (see the header)
    this.sizes = new Map(); // ino → {size, opens}: files open here (one access handle each in the helper)
    this.root = new OpfsDir(this, 1);
  }

  /** Closes every open file in the helper; every later call fails (BADF). The page ends the helper. */
  close() {
    if (this.broken) return;
    try {
      this.call({ op: 'shutdown' });
    } finally {
      this.broken = 'this OPFS mount is closed';
    }
  }

  writable() {
    if (this.readOnly) fail(ERRNO.ROFS, 'read-only mount');
  }

  /**
   * Queues a deferred request (release): it goes with the next call, or now
   * if MAX_DEFERRED are waiting. A failure here shows in the next call.
   */
  defer(msg) {
    if (this.broken || requestKind(msg.op) !== 'deferred') return;
    this.deferred.push(msg);
    if (this.deferred.length < MAX_DEFERRED) return;
    try {
      this.call({ op: 'sync' });
    } catch {
      // the mount is broken now: every later call says why
    }
  }

  /**
   * Stores a request (with the deferred ones) and blocks until the helper
   * answers; returns VALUE. Throws the helper's refusal as FsError, and IO
   * (for this call and every later one) if no answer comes in timeoutMs.
   */
  call(msg) {
    if (this.broken) fail(ERRNO.BADF, this.broken);
    const bytes = encoder.encode(JSON.stringify(this.deferred.length ? { ...msg, before: this.deferred } : msg));
    if (bytes.length > this.request.length) fail(ERRNO.NAMETOOLONG, `a request of ${bytes.length} bytes does not fit the OPFS channel (${this.request.length})`);
    this.deferred = [];
    const seq = (this.seq = (this.seq % 0x7fffffff) + 1);
    this.request.set(bytes);
    this.words[WORD.REQUEST_LENGTH] = bytes.length;
    Atomics.store(this.words, WORD.REQUEST, seq); // the helper reads the request after it sees this
    Atomics.notify(this.words, WORD.REQUEST);
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const done = Atomics.load(this.words, WORD.DONE); // pairs with the helper's store after the answer
      if (done === seq) break;
      const left = deadline - performance.now();
      if (left <= 0) {
        // A late answer would land in the middle of the next call: there is none.
        this.broken = `the OPFS helper did not answer '${msg.op}' within ${this.timeoutMs} ms`;
        fail(ERRNO.IO, this.broken);
      }
      Atomics.wait(this.words, WORD.DONE, done, left);
    }
    const errno = this.words[WORD.ERRNO];
    if (errno !== 0) throw new FsError(errno, this.json().message);
    return this.words[WORD.VALUE];
  }

  /** The JSON answer of the last call (fetching the parts that did not fit). */
  json() {
    let bytes = this.data.slice(0, this.words[WORD.LENGTH]); // a copy: TextDecoder refuses shared memory
    while (this.words[WORD.MORE] > 0) {
      this.call({ op: 'more' });
      const more = this.data.slice(0, this.words[WORD.LENGTH]);
      const all = new Uint8Array(bytes.length + more.length);
      all.set(bytes);
      all.set(more, bytes.length);
      bytes = all;
    }
    return JSON.parse(decoder.decode(bytes));
  }

  /** call() then json(). */
  ask(msg) {
    this.call(msg);
    return this.json();
  }

  /** Runs `change`, which adds `delta` entries, charged if this mount counts. */
  withEntries(delta, change) {
    return this.charging ? withEntries(this.quota, delta, change) : change();
  }

  /** A directory's entries changed through this mount. */
  touch(dir) {
    const t = nowNs();
    this.times.set(dir.id, { ...this.times.get(dir.id), mtim: t, ctim: t });
  }

  nodeFor(id, kind) {
    return kind === 'dir' ? new OpfsDir(this, id) : new OpfsFile(this, id);
  }
}

/** What every OPFS node has: the helper's number for it, released once. */
const OpfsNode = (Base) => class extends Base {
  constructor(opfs, id) {
    super();
    this.fs = opfs;
    this.id = id;
    this.refs = 1; // holders of this object: the helper's record is let go with the last
    this.released = false;
  }

  get ino() {
    return BigInt(this.id);
  }

  /** Times: ours if set this session, else `mtim` (OPFS's or the mount's). */
  statWith(filetype, size, mtim) {
    const t = this.fs.times.get(this.id) ?? {};
    const m = t.mtim ?? mtim;
    return { dev: this.fs.dev, ino: this.ino, filetype, nlink: 1n, size, atim: t.atim ?? m, mtim: m, ctim: t.ctim ?? m };
  }

  setTimes(atim, mtim) {
    this.fs.writable();
    const st = this.stat();
    this.fs.times.set(this.id, { atim: atim ?? st.atim, mtim: mtim ?? st.mtim, ctim: nowNs() });
  }

  retain() {
    if (this.released) fail(ERRNO.BADF, 'node used after release');
    this.refs++;
  }

  release() {
    if (this.released || --this.refs > 0) return;
    this.released = true;
    this.fs.defer({ op: 'release', ino: this.id });
  }
};

export class OpfsDir extends OpfsNode(Dir) {
  stat() {
    return this.statWith(FILETYPE.DIRECTORY, DIR_SIZE, this.fs.openedAt);
  }

  lookup(name) {
    const found = this.fs.ask({ op: 'lookup', dir: this.id, name });
    return found && this.fs.nodeFor(found.ino, found.kind);
  }

  list() {
    return this.fs.ask({ op: 'list', dir: this.id }).map(([name, kind, ino]) => ({
      name, type: kind === 'dir' ? FILETYPE.DIRECTORY : FILETYPE.REGULAR_FILE, ino: BigInt(ino),
    }));
  }

  mkdir(name) {
    this.fs.writable();
    this.fs.withEntries(1, () => this.fs.call({ op: 'mkdir', dir: this.id, name }));
    this.fs.touch(this);
  }

  createFile(name) {
    this.fs.writable();
    const { ino } = this.fs.withEntries(1, () => this.fs.ask({ op: 'create', dir: this.id, name }));
    this.fs.touch(this);
    return new OpfsFile(this.fs, ino);
  }

  symlink() {
    this.fs.writable();
    fail(ERRNO.NOTSUP, 'OPFS has no symbolic links');
  }

  /**
   * OPFS has no hard links: an entry is one file handle of one directory,
   * and nothing lets two names share a file's bytes (a copy would part from
   * the original at its first write). NOTSUP, as for symbolic links.
   */
  link() {
    this.fs.writable();
    fail(ERRNO.NOTSUP, 'OPFS has no hard links');
  }

  unlink(name) {
    this.fs.writable();
    const { size } = this.fs.ask({ op: 'unlink', dir: this.id, name });
    this.fs.touch(this);
    if (this.fs.charging) {
      this.fs.quota.entries(-1);
      this.fs.quota.bytes -= size;
    }
  }

  rmdir(name) {
    this.fs.writable();
    this.fs.call({ op: 'rmdir', dir: this.id, name });
    this.fs.touch(this);
    if (this.fs.charging) this.fs.quota.entries(-1);
  }

  rename(name, toDir, toName) {
    this.fs.writable();
    if (!(toDir instanceof OpfsDir) || toDir.fs !== this.fs) fail(ERRNO.XDEV, 'rename across mounts');
    const { replaced } = this.fs.ask({ op: 'rename', dir: this.id, name, toDir: toDir.id, toName });
    this.fs.touch(this);
    this.fs.touch(toDir);
    if (replaced && this.fs.charging) {
      this.fs.quota.entries(-1);
      this.fs.quota.bytes -= replaced.size;
    }
  }
}

export class OpfsFile extends OpfsNode(File) {
  stat() {
    const { size, mtimeMs } = this.fs.ask({ op: 'stat', ino: this.id });
    return this.statWith(FILETYPE.REGULAR_FILE, size, BigInt(mtimeMs) * 1_000_000n);
  }

  open({ write = false } = {}) {
    if (write) this.fs.writable();
    const { size } = this.fs.ask({ op: 'open', ino: this.id });
    const shared = this.fs.sizes.get(this.id);
    if (shared) shared.opens++;
    else this.fs.sizes.set(this.id, { size, opens: 1 });
    return new OpfsOpenFile(this.fs, this.id);
  }
}

class OpfsOpenFile extends OpenFile {
  constructor(opfs, id) {
    super();
    this.fs = opfs;
    this.id = id;
    this.state = opfs.sizes.get(id); // shared by every open of this file
    this.closed = false;
  }

  live() {
    if (this.closed) fail(ERRNO.BADF, 'file used after close');
  }

  /** Reads through the data area, a chunk per round trip, until dst is full or the file ends. */
  read(dst, pos) {
    this.live();
    const { data } = this.fs;
    let done = 0;
    while (done < dst.length) {
      const want = Math.min(dst.length - done, data.length);
      const got = this.fs.call({ op: 'read', ino: this.id, pos: pos + done, length: want });
      dst.set(data.subarray(0, got), done);
      done += got;
      if (got < want) break;
    }
    return done;
  }

  write(src, pos) {
    this.live();
    this.fs.writable();
    if (src.length === 0) return 0; // even past the end: writing nothing changes nothing
    const end = pos + src.length;
    const before = this.state.size;
    if (this.fs.charging && end > before) this.fs.quota.resize(before, end); // throws, writing nothing, past a limit
    const { data } = this.fs;
    try {
      for (let done = 0; done < src.length;) {
        const n = Math.min(src.length - done, data.length);
        data.set(src.subarray(done, done + n));
        done += this.fs.call({ op: 'write', ino: this.id, pos: pos + done, length: n });
      }
    } catch (e) {
      this.settle(Math.max(before, end)); // part of it may be written
      throw e;
    }
    this.state.size = Math.max(before, end);
    this.modified();
    return src.length;
  }

  size() {
    this.live();
    return this.state.size;
  }

  truncate(size) {
    this.live();
    this.fs.writable();
    const before = this.state.size;
    if (this.fs.charging) this.fs.quota.resize(before, size);
    try {
      this.fs.call({ op: 'truncate', ino: this.id, size });
    } catch (e) {
      this.settle(size);
      throw e;
    }
    this.state.size = size;
    this.modified();
  }

  /** After a failure: what the file's size really is, and the charge corrected to it. */
  settle(charged) {
    let real = charged;
    try {
      real = this.fs.ask({ op: 'stat', ino: this.id }).size;
    } catch {
      // the helper is gone: keep the charge
    }
    if (this.fs.charging) this.fs.quota.bytes += real - charged;
    this.state.size = real;
  }

  modified() {
    const t = this.fs.times.get(this.id);
    if (t) this.fs.times.set(this.id, { ...t, mtim: nowNs(), ctim: nowNs() });
  }

  sync() {
    this.live();
    this.fs.call({ op: 'flush', ino: this.id });
  }

  /** Lets go of the file in the helper, so that others may open or remove it (nothing to do on a broken mount). */
  close() {
    if (this.closed) return;
    this.closed = true;
    if (--this.state.opens === 0) this.fs.sizes.delete(this.id);
    if (!this.fs.broken) this.fs.call({ op: 'close', ino: this.id });
  }
}
