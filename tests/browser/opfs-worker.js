// tests/browser/opfs-worker.js — the plugin's side of the OPFS test: attaches
// OpfsFs to the helpers the page started over subdirectories it made
// (read-write, read-only, with quotas, without move(), with a 64-byte data
// area, and one whose helper never answers), then exercises every
// operation in ONE synchronous run, as a plugin inside its wasm call would:
// no await, no event-loop turn (a timer set before the run must not have
// fired when it ends). Reports failures, figures and what the page should
// find in OPFS afterwards.
import { OpfsFs } from '/bindings-js/src/wasi/fs/opfs.js';
import { resolve, withResolved } from '/bindings-js/src/wasi/fs/resolve.js';
import { Quota } from '/bindings-js/src/wasi/fs/node.js';
import { ERRNO, FILETYPE } from '/bindings-js/src/wasi/abi.js';
import { WORD, MAX_DEFERRED } from '/bindings-js/src/wasi/fs/opfs-protocol.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const MiB = 1 << 20;
const SMALL_FILES = 100; // Firefox takes tens of ms to create one here

const failures = [];
const show = (v) => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? `${x}n` : x));
function expect(what, actual, expected) {
  if (show(actual) !== show(expected)) failures.push(`${what}: got ${show(actual)}, expected ${show(expected)}`);
}
/** The WASI errno fn fails with, or 'no error'. */
function errnoOf(fn) {
  try {
    fn();
    return 'no error';
  } catch (e) {
    if (e.name !== 'FsError') throw e;
    return e.errno;
  }
}
const refused = (what, errno, fn) => expect(what, errnoOf(fn), errno);

function readAll(file) {
  const of = file.open({ read: true });
  try {
    const buf = new Uint8Array(of.size());
    const n = of.read(buf, 0);
    return buf.subarray(0, n);
  } finally {
    of.close();
  }
}
const readText = (file) => dec.decode(readAll(file));
const readPath = (fs, path) => withResolved(fs.root, path, {}, (r) => (r.node ? readText(r.node) : null));

function writeFile(dir, name, bytes) {
  const f = dir.createFile(name);
  const of = f.open({ write: true });
  of.write(typeof bytes === 'string' ? enc.encode(bytes) : bytes, 0);
  of.close();
  return f;
}

/** Bytes i*7+3 mod 251: a pattern that shows misplaced chunks. */
function pattern(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) % 251;
  return b;
}

function readWriteMount(rw, other) {
  const R = rw.root;
  expect('existing file, by path', readPath(rw, 'pre/existing.txt'), 'hello from the page');
  expect('root listing', R.list().map((e) => [e.name, e.type]), [['pre', FILETYPE.DIRECTORY]]);
  expect('a missing name', R.lookup('missing'), null);
  refused('a file in the middle of a path', ERRNO.NOTDIR, () => resolve(R, 'pre/existing.txt/x'));
  refused("'..' above the mount", ERRNO.NOTCAPABLE, () => resolve(R, '../x'));
  refused('an absolute path', ERRNO.NOTCAPABLE, () => resolve(R, '/pre'));
  expect("'..' inside", readPath(rw, 'pre/../pre/existing.txt'), 'hello from the page');

  R.mkdir('a');
  refused('mkdir twice', ERRNO.EXIST, () => R.mkdir('a'));
  const a = R.lookup('a');
  expect('a directory node', [a.isDir, a.stat().filetype], [true, FILETYPE.DIRECTORY]);
  const f = a.createFile('f.txt');
  refused('createFile twice', ERRNO.EXIST, () => a.createFile('f.txt'));
  refused('mkdir over a file', ERRNO.EXIST, () => a.mkdir('f.txt'));
  refused('createFile over a directory', ERRNO.EXIST, () => R.createFile('a'));

  // Data: holes, truncation both ways, two opens sharing the file.
  const of = f.open({ read: true, write: true });
  of.write(enc.encode('hello'), 0);
  of.write(enc.encode('world'), 8);
  expect('size after a write past the end', of.size(), 13);
  const buf = new Uint8Array(20);
  expect('read to the end', of.read(buf, 0), 13);
  expect('a hole reads as zeros', [...buf.subarray(0, 13)], [...enc.encode('hello'), 0, 0, 0, ...enc.encode('world')]);
  expect('read at the end', of.read(buf, 13), 0);
  expect('writing nothing past the end changes nothing', [of.write(new Uint8Array(0), 100), of.size()], [0, 13]);
  of.truncate(4);
  of.truncate(6);
  expect('truncated, then extended with zeros', [...readAll(f)], [...enc.encode('hell'), 0, 0]);
  of.sync();
  const of2 = f.open({ read: true });
  of.write(enc.encode('X'), 0);
  expect('a second open sees the first one\'s write', of2.read(buf, 0) && dec.decode(buf.subarray(0, 4)), 'Xell');
  of2.close();
  expect('the first open still works after the second closes', of.read(buf.subarray(0, 1), 0), 1);

  // Identity and times.
  const again = a.lookup('f.txt');
  expect('one ino per file', [again.ino === f.ino, a.list()[0].ino === f.ino, f.stat().ino === f.ino], [true, true, true]);
  again.release();
  const st = f.stat();
  expect('stat of a file', [st.filetype, st.size, st.nlink], [FILETYPE.REGULAR_FILE, 6, 1n]);
  const nowMs = BigInt(Date.now());
  expect('mtime is OPFS\'s, near now', st.mtim / 1_000_000n > nowMs - 120_000n && st.mtim / 1_000_000n <= nowMs + 1000n, true);
  f.setTimes(1_000_000_000_000_000_000n, 1_500_000_000_000_000_000n);
  expect('setTimes, kept for the session', [f.stat().atim, f.stat().mtim], [1_000_000_000_000_000_000n, 1_500_000_000_000_000_000n]);
  f.setTimes(null, 1_600_000_000_000_000_000n);
  expect('setTimes with null keeps atime', [f.stat().atim, f.stat().mtim], [1_000_000_000_000_000_000n, 1_600_000_000_000_000_000n]);
  of.write(enc.encode('X'), 0);
  const afterWrite = f.stat();
  expect('a write sets mtime to now and keeps atime',
    [afterWrite.atim, afterWrite.mtim > 1_700_000_000_000_000_000n], [1_000_000_000_000_000_000n, true]);
  a.setTimes(5n, 6n);
  expect('directory times', [a.stat().atim, a.stat().mtim], [5n, 6n]);

  refused('OPFS has no symbolic links', ERRNO.NOTSUP, () => R.symlink('l', 'a'));
  refused('an open file cannot be removed', ERRNO.BUSY, () => a.unlink('f.txt'));
  of.close();
  refused('a closed file is not used', ERRNO.BADF, () => of.read(buf, 0));

  // Renames: across directories, while open, replacing, and their refusals.
  R.mkdir('b');
  const b = R.lookup('b');
  a.rename('f.txt', b, 'g.txt');
  expect('renamed away', a.lookup('f.txt'), null);
  expect('renamed to', readPath(rw, 'b/g.txt'), 'Xell\0\0');
  const og = f.open({ write: true }); // the node follows its file
  b.rename('g.txt', b, 'h.txt');
  og.write(enc.encode('!'), 6);
  og.close();
  expect('an open file renamed keeps working', [readPath(rw, 'b/h.txt'), f.stat().size], ['Xell\0\0!', 7]);
  writeFile(b, 'k.txt', 'old').release();
  b.rename('h.txt', b, 'k.txt');
  expect('a file replaces a file', [readPath(rw, 'b/k.txt'), b.lookup('h.txt')], ['Xell\0\0!', null]);
  refused('a file onto a directory', ERRNO.ISDIR, () => b.rename('k.txt', R, 'a'));
  refused('a directory onto a file', ERRNO.NOTDIR, () => R.rename('a', b, 'k.txt'));
  refused('a directory beneath itself', ERRNO.INVAL, () => R.rename('a', a, 'x'));
  refused('a directory onto itself beneath', ERRNO.INVAL, () => R.rename('b', b, 'b'));
  refused('rename of a missing name', ERRNO.NOENT, () => R.rename('missing', R, 'x'));
  refused('rename across mounts', ERRNO.XDEV, () => b.rename('k.txt', other.root, 'k.txt'));
  withResolved(R, 'pre', {}, (r) => r.node.rename('sub', R, 'sub2')); // an empty directory
  R.rename('a', R, 'a2'); // empty since f.txt left: `a` (held) is a2 now
  writeFile(a, 'z', 'in a2').release();
  expect('a held directory follows its rename', readPath(rw, 'a2/z'), 'in a2');
  R.mkdir('c');
  const c = R.lookup('c');
  writeFile(c, 'x', 'x').release();
  const engineMovesDirs = typeof FileSystemDirectoryHandle.prototype.move === 'function';
  const inUse = c.lookup('x');
  R.mkdir('target');
  refused('a directory with something in use beneath it', engineMovesDirs ? ERRNO.BUSY : ERRNO.XDEV, () => R.rename('c', R, 'target'));
  const target = R.lookup('target');
  expect('a refused move leaves its target alone', target?.isDir, true);
  target?.release();
  R.rmdir('target');
  inUse.release();
  refused('a directory with entries', engineMovesDirs ? 'no error' : ERRNO.XDEV, () => R.rename('c', R, 'c2'));
  c.release();
  const cName = engineMovesDirs ? 'c2' : 'c';

  // Removal.
  refused('rmdir of a non-empty directory', ERRNO.NOTEMPTY, () => R.rmdir(cName));
  refused('rmdir of a file', ERRNO.NOTDIR, () => b.rmdir('k.txt'));
  refused('rmdir of a missing name', ERRNO.NOENT, () => R.rmdir('missing'));
  refused('unlink of a directory', ERRNO.ISDIR, () => R.unlink(cName));
  refused('unlink of a missing name', ERRNO.NOENT, () => R.unlink('missing'));
  R.mkdir('empty');
  R.rmdir('empty');
  writeFile(R, 'gone', 'x').release();
  R.unlink('gone');
  expect('removed', [R.lookup('empty'), R.lookup('gone')], [null, null]);
  refused('a name OPFS cannot hold', ERRNO.INVAL, () => R.createFile('..')); // resolve.js never asks: the engine refuses
  expect('... is never found', R.lookup('..'), null);

  // A large file through 1 MiB chunks.
  const big = pattern(8 * MiB + 123);
  const bf = R.createFile('big.bin');
  const ob = bf.open({ write: true });
  for (let at = 0; at < big.length; at += MiB) ob.write(big.subarray(at, at + MiB), at);
  ob.close();
  expect('8 MiB read back', readAll(bf).every((x, i) => x === big[i]), true);
  for (const n of [a, b, f, bf]) n.release();
  return { engineMovesDirs, cName, bigLength: big.length };
}

function readOnlyMount(ro) {
  const R = ro.root;
  expect('read-only: reads work', readPath(ro, 'file.txt'), 'read me');
  const f = R.lookup('file.txt');
  const d = R.lookup('d');
  for (const [what, change] of Object.entries({
    mkdir: () => R.mkdir('x'), createFile: () => R.createFile('x'), symlink: () => R.symlink('x', 'y'),
    unlink: () => R.unlink('file.txt'), rmdir: () => R.rmdir('d'), rename: () => R.rename('file.txt', R, 'y'),
    'open for writing': () => f.open({ write: true }), 'setTimes of a file': () => f.setTimes(1n, 1n),
    'setTimes of a directory': () => d.setTimes(1n, 1n), 'createFile over a file': () => R.createFile('file.txt'),
  })) refused(`read-only: ${what}`, ERRNO.ROFS, change);
  const of = f.open({ read: true });
  refused('read-only: write', ERRNO.ROFS, () => of.write(enc.encode('x'), 0));
  refused('read-only: truncate', ERRNO.ROFS, () => of.truncate(0));
  of.close();
  f.release();
  d.release();
}

function quotaMount(qfs, quota) {
  const R = qfs.root;
  expect('quota: counted at open', [quota.files, quota.bytes], [2, 600]);
  const f = R.createFile('f');
  const of = f.open({ write: true });
  refused('quota: a write past maxFileSize', ERRNO.FBIG, () => of.write(new Uint8Array(501), 0));
  refused('quota: a truncate past maxFileSize', ERRNO.FBIG, () => of.truncate(501));
  expect('quota: a refused write writes nothing', of.size(), 0);
  of.write(new Uint8Array(300), 0);
  refused('quota: past maxBytes', ERRNO.NOSPC, () => of.write(new Uint8Array(200), 300));
  of.write(new Uint8Array(100), 300);
  of.truncate(100);
  of.close();
  expect('quota: bytes', quota.bytes, 700);
  R.mkdir('e');
  refused('quota: past maxFiles (file)', ERRNO.NOSPC, () => R.createFile('g'));
  refused('quota: past maxFiles (directory)', ERRNO.NOSPC, () => R.mkdir('g'));
  R.rename('old.bin', R, 'f'); // replaces f: its 100 bytes and its entry come back
  expect('quota: a replaced file gives back', [quota.files, quota.bytes], [3, 600]);
  R.unlink('f');
  R.rmdir('e');
  expect('quota: removal gives back', [quota.files, quota.bytes], [1, 0]);
  f.release();
}

function noMoveMount(nm) {
  const R = nm.root;
  R.rename('src.txt', R, 'moved.txt');
  expect('without move(): a file is copied', [readPath(nm, 'moved.txt'), R.lookup('src.txt')], ['copy me', null]);
  const f = R.lookup('moved.txt');
  const of = f.open({ read: true, write: true });
  R.rename('moved.txt', R, 'open.txt');
  of.write(enc.encode('!'), 7);
  of.close();
  expect('without move(): an open file is copied and stays open', readPath(nm, 'open.txt'), 'copy me!');
  f.release();
  refused('without move(): a directory with entries', ERRNO.XDEV, () => R.rename('full', R, 'full2'));
  R.mkdir('e');
  R.rename('e', R, 'e2');
  expect('without move(): an empty directory', R.list().map((e) => e.name), ['e2', 'full', 'open.txt']);
}

function smallChunkMount(small) {
  const R = small.root;
  const data = pattern(1000);
  const f = writeFile(R, 'data.bin', data); // 16 round trips of 64 bytes
  expect('64-byte chunks: read back', [...readAll(f)].every((x, i) => x === data[i]), true);
  f.release();
  const names = [];
  for (let i = 0; i < 40; i++) {
    names.push(`a-rather-long-name-${String(i).padStart(3, '0')}`);
    R.mkdir(names[i]);
  }
  expect('a listing longer than the data area', R.list().map((e) => e.name), [...names, 'data.bin'].sort());
}

/** Figures: round trip of one call, small files per second, MB/s both ways. */
function measure(rw) {
  const R = rw.root;
  const f = writeFile(R, 'probe', 'x');
  const N = 1000;
  const perCall = (fn) => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) fn();
    return ((performance.now() - t0) * 1000) / N;
  };
  const op = f.open({ read: true });
  const one = new Uint8Array(1);
  const roundTripUs = perCall(() => op.read(one, 0)); // the protocol alone: no OPFS request but a sync read
  op.close();
  const statUs = perCall(() => f.stat()); // getFile(): a request to the browser's storage
  const lookupMissUs = perCall(() => R.lookup('missing'));
  f.release();
  R.unlink('probe');
  let t;
  R.mkdir('many');
  const many = R.lookup('many');
  const small = new Uint8Array(100);
  t = performance.now();
  for (let i = 0; i < SMALL_FILES; i++) {
    // As path_open(O_CREAT) then fd_write and fd_close: resolve, create, open, write, close.
    withResolved(R, `many/f${i}`, {}, (r) => writeFile(r.dir, r.name, small).release());
  }
  const createPerSecond = SMALL_FILES / ((performance.now() - t) / 1000);
  for (let i = 0; i < SMALL_FILES; i++) many.unlink(`f${i}`);
  many.release();
  R.rmdir('many');
  const size = 32 * MiB;
  const bytes = pattern(MiB);
  const file = R.createFile('speed.bin');
  const of = file.open({ read: true, write: true });
  t = performance.now();
  for (let at = 0; at < size; at += MiB) of.write(bytes, at);
  const writeMBs = size / 1e6 / ((performance.now() - t) / 1000);
  const back = new Uint8Array(MiB);
  let got = 0;
  t = performance.now();
  for (let at = 0; at < size; at += MiB) got += of.read(back, at);
  const readMBs = size / 1e6 / ((performance.now() - t) / 1000);
  expect('measured reads read everything', got, size);
  of.close();
  file.release();
  R.unlink('speed.bin');
  return { roundTripUs, statUs, lookupMissUs, createPerSecond, writeMBs, readMBs };
}

/**
 * The same figures straight from OPFS in this worker, with no helper and no
 * blocking (awaiting each step): what the protocol costs on top.
 */
async function measureDirect(dir) {
  const d = await dir.getDirectoryHandle('direct', { create: true });
  const small = new Uint8Array(100);
  let t = performance.now();
  for (let i = 0; i < SMALL_FILES; i++) {
    const access = await (await d.getFileHandle(`f${i}`, { create: true })).createSyncAccessHandle();
    access.write(small, { at: 0 });
    access.close();
  }
  const createPerSecond = SMALL_FILES / ((performance.now() - t) / 1000);
  const access = await (await d.getFileHandle('speed.bin', { create: true })).createSyncAccessHandle();
  const size = 32 * MiB;
  const bytes = pattern(MiB);
  t = performance.now();
  for (let at = 0; at < size; at += MiB) access.write(bytes, { at });
  const writeMBs = size / 1e6 / ((performance.now() - t) / 1000);
  const back = new Uint8Array(MiB);
  t = performance.now();
  for (let at = 0; at < size; at += MiB) access.read(back, { at });
  const readMBs = size / 1e6 / ((performance.now() - t) / 1000);
  access.close();
  await dir.removeEntry('direct', { recursive: true });
  return { createPerSecond, writeMBs, readMBs };
}

/**
 * A request as a hostile or broken peer would store it: `length` in the
 * length word, `bytes` in the request area. Returns the errno of the answer.
 */
function rawRequest(fs, length, bytes = new Uint8Array(0)) {
  const seq = ++fs.seq;
  fs.request.set(bytes);
  fs.words[WORD.REQUEST_LENGTH] = length;
  Atomics.store(fs.words, WORD.REQUEST, seq);
  Atomics.notify(fs.words, WORD.REQUEST);
  const deadline = performance.now() + 5000;
  for (let done; (done = Atomics.load(fs.words, WORD.DONE)) !== seq;) {
    if (performance.now() > deadline) return 'no answer';
    Atomics.wait(fs.words, WORD.DONE, done, 100);
  }
  return fs.words[WORD.ERRNO];
}

/** What the helper makes of requests no OpfsFs would store, and of too much at once. */
function badRequests(fs) {
  expect('a request longer than the request area', rawRequest(fs, 1 << 30), ERRNO.INVAL);
  expect('a request of no bytes', rawRequest(fs, 0), ERRNO.INVAL);
  expect('a request that is not JSON', rawRequest(fs, 3, enc.encode('{{{')), ERRNO.INVAL);
  expect('a request that is not an object', rawRequest(fs, 4, enc.encode('null')), ERRNO.INVAL);
  expect('a request named after an inherited property', rawRequest(fs, 22, enc.encode('{"op":"constructor"}  ')), ERRNO.INVAL);
  expect('... and the mount still works', readPath(fs, 'pre/existing.txt'), 'hello from the page');
  refused('a name too long for the request area', ERRNO.NAMETOOLONG, () => fs.root.lookup('n'.repeat(20000)));
  // Releases wait for the next request; more than MAX_DEFERRED go at once.
  for (let i = 0; i < 3 * MAX_DEFERRED; i++) fs.root.lookup('pre').release();
  expect('deferred releases stay few', fs.deferred.length < MAX_DEFERRED, true);
  expect('... and the mount still works after them', readPath(fs, 'pre/existing.txt'), 'hello from the page');
}

self.onmessage = async ({ data: { dir, channels } }) => {
  try {
    const quota = new Quota({ maxBytes: 1000, maxFiles: 4, maxFileSize: 500 });
    const mounts = {
      rw: OpfsFs.attach(channels.rw),
      ro: OpfsFs.attach(channels.ro, { readOnly: true }),
      q: OpfsFs.attach(channels.q, { quota }),
      nm: OpfsFs.attach(channels.nm),
      small: OpfsFs.attach(channels.small),
      silent: OpfsFs.attach(channels.silent, { timeoutMs: 300 }),
    };
    let turns = 0;
    setTimeout(() => turns++, 0);
    // ---- synchronous from here to the report, as inside a plugin's call ----
    const rw = readWriteMount(mounts.rw, mounts.ro);
    readOnlyMount(mounts.ro);
    quotaMount(mounts.q, quota);
    noMoveMount(mounts.nm);
    smallChunkMount(mounts.small);
    const figures = measure(mounts.rw);
    refused('an unknown request', ERRNO.INVAL, () => mounts.rw.call({ op: 'bogus' }));
    badRequests(mounts.rw);
    const t0 = performance.now();
    refused('a helper that never answers: IO after the timeout', ERRNO.IO, () => mounts.silent.root.lookup('pre'));
    const waited = performance.now() - t0;
    expect('... within the timeout', waited >= 300 && waited < 5000, true);
    refused('... and every later call', ERRNO.BADF, () => mounts.silent.root.lookup('pre'));
    for (const m of Object.values(mounts)) m.close();
    refused('a closed mount', ERRNO.BADF, () => mounts.rw.root.lookup('pre'));
    const eventLoopTurns = turns;
    // ------------------------------------------------------------------------
    const direct = await measureDirect(dir);
    postMessage({ ok: true, failures, rw, figures, direct, eventLoopTurns });
  } catch (e) {
    postMessage({ ok: false, error: String(e?.stack ?? e) });
  }
};
