// tests/js/hostdir.test.mjs — the host-directory file system (wasi/fs/hostdir.js)
// on its own, over temporary directories: every operation and its errors,
// read-only mounts, quotas, and the sandbox: '..', absolute paths, links that
// exist or that the plugin makes pointing out, and a process that keeps
// swapping a directory for a link to the outside while thousands of
// operations go through it. Paths go through resolve.js, as the plugin's do.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { HostDirFs } from '../../bindings-js/src/wasi/fs/hostdir.js';
import { resolve, withResolved } from '../../bindings-js/src/wasi/fs/resolve.js';
import { Quota } from '../../bindings-js/src/wasi/fs/node.js';
import { ERRNO, FILETYPE } from '../../bindings-js/src/wasi/abi.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A fresh directory holding `root/` (what is mounted) and `outside/` (what must stay untouched). */
function scratch(t) {
  const base = fs.mkdtempSync(join(tmpdir(), 'sabq-hostdir-'));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  fs.writeFileSync(join(outside, 'canary'), 'SECRET');
  fs.writeFileSync(join(outside, 'victim'), 'keep me');
  return { base, root, outside };
}

function mount(t, root, options) {
  const hfs = HostDirFs.open(root, options);
  t.after(() => hfs.close());
  return hfs;
}

/** The WASI errno `fn` fails with (it must fail). */
function errnoOf(fn) {
  try {
    fn();
  } catch (e) {
    if (e.errno === undefined || e.name !== 'FsError') throw e;
    return e.errno;
  }
  assert.fail('expected an FsError');
}

const fdCount = () => fs.readdirSync('/proc/self/fd').length;

/** Reads a whole file through the backend. */
function readAll(file) {
  const of = file.open({ read: true });
  try {
    const buf = new Uint8Array(of.size());
    let at = 0;
    while (at < buf.length) {
      const n = of.read(buf.subarray(at), at);
      if (n === 0) break;
      at += n;
    }
    return dec.decode(buf.subarray(0, at));
  } finally {
    of.close();
  }
}

function writeNew(dir, name, text) {
  const f = dir.createFile(name);
  const of = f.open({ read: true, write: true });
  of.write(enc.encode(text), 0);
  of.close();
  f.release();
}

/** Looks a file up by path (following links), reads it, releases everything. */
const readPath = (hfs, path) => withResolved(hfs.root, path, {}, (r) => {
  if (!r.node) assert.fail(`no ${path}`);
  return readAll(r.node);
});

/** Snapshot of everything about the outside directory a plugin could change. */
function outsideState(outside) {
  const dir = fs.statSync(outside, { bigint: true });
  const out = { '.': { mtime: dir.mtimeNs, ctime: dir.ctimeNs } };
  for (const name of fs.readdirSync(outside).sort()) {
    const st = fs.lstatSync(join(outside, name), { bigint: true });
    out[name] = { content: fs.readFileSync(join(outside, name), 'utf8'), mtime: st.mtimeNs, ctime: st.ctimeNs, ino: st.ino };
  }
  return out;
}

test('open refuses what is not a directory, clearly', (t) => {
  const { root } = scratch(t);
  fs.writeFileSync(join(root, 'file'), '');
  assert.equal(errnoOf(() => HostDirFs.open(join(root, 'missing'))), ERRNO.NOENT);
  assert.equal(errnoOf(() => HostDirFs.open(join(root, 'file'))), ERRNO.NOTDIR);
});

test('lookup and list see what is on disk, without following links', (t) => {
  const { root } = scratch(t);
  fs.mkdirSync(join(root, 'dir'));
  fs.writeFileSync(join(root, 'file'), 'abc');
  fs.symlinkSync('file', join(root, 'link'));
  fs.symlinkSync('nowhere', join(root, 'dangling'));
  spawnSync('mkfifo', [join(root, 'fifo')]);
  const hfs = mount(t, root);
  const types = Object.fromEntries(hfs.root.list().map((e) => [e.name, e.type]));
  assert.deepEqual(types, {
    dangling: FILETYPE.SYMBOLIC_LINK, dir: FILETYPE.DIRECTORY, fifo: FILETYPE.UNKNOWN,
    file: FILETYPE.REGULAR_FILE, link: FILETYPE.SYMBOLIC_LINK,
  });
  assert.deepEqual(hfs.root.list().map((e) => e.name), ['dangling', 'dir', 'fifo', 'file', 'link'], 'sorted');
  for (const e of hfs.root.list()) assert.equal(e.ino, fs.lstatSync(join(root, e.name), { bigint: true }).ino);
  assert.equal(hfs.root.lookup('missing'), null);
  const link = hfs.root.lookup('link');
  assert.equal(link.isSymlink, true);
  assert.equal(link.readlink(), 'file');
  link.release();
  const dangling = hfs.root.lookup('dangling');
  assert.equal(dangling.readlink(), 'nowhere');
  dangling.release();
  assert.equal(readPath(hfs, 'link'), 'abc', 'resolve.js follows a link inside the mount');
  const fifo = hfs.root.lookup('fifo');
  assert.equal(errnoOf(() => fifo.open({ read: true })), ERRNO.NOTSUP, 'a FIFO is never opened (it would block the worker)');
  fifo.release();
  hfs.root.unlink('fifo');
  assert.equal(fs.existsSync(join(root, 'fifo')), false);
  assert.equal(errnoOf(() => hfs.root.lookup('x'.repeat(300))), ERRNO.NAMETOOLONG);
});

test('files: create, write, read, size, truncate with zeros, sync, close', (t) => {
  const { root } = scratch(t);
  const hfs = mount(t, root);
  const f = hfs.root.createFile('a.txt');
  assert.equal(f.isFile, true);
  assert.equal(errnoOf(() => hfs.root.createFile('a.txt')), ERRNO.EXIST);
  const of = f.open({ read: true, write: true });
  assert.equal(of.write(enc.encode('hello'), 0), 5);
  assert.equal(of.write(enc.encode('world'), 8), 5, 'a write past the end leaves a hole of zeros');
  assert.equal(of.size(), 13);
  const buf = new Uint8Array(20);
  assert.equal(of.read(buf, 0), 13);
  assert.deepEqual([...buf.subarray(5, 8)], [0, 0, 0]);
  assert.equal(of.read(buf, 13), 0, 'end of file');
  assert.equal(of.write(new Uint8Array(0), 100), 0);
  assert.equal(of.size(), 13, 'writing nothing past the end changes nothing');
  of.truncate(2);
  assert.equal(fs.readFileSync(join(root, 'a.txt'), 'utf8'), 'he');
  of.truncate(4);
  assert.deepEqual([...fs.readFileSync(join(root, 'a.txt'))], [104, 101, 0, 0]);
  of.sync();
  of.close();
  assert.equal(errnoOf(() => of.read(buf, 0)), ERRNO.BADF, 'closed');
  of.close(); // twice is harmless
  const ro = f.open({ read: true });
  assert.equal(errnoOf(() => ro.write(enc.encode('x'), 0)), ERRNO.BADF, 'opened for reading only');
  ro.close();
  f.release();
  assert.equal(errnoOf(() => f.stat()), ERRNO.BADF, 'a released node is never used again');
});

test('stat gives the OS times, ino and dev; setTimes sets them on the node, a link or its target', (t) => {
  const { root, outside } = scratch(t);
  fs.mkdirSync(join(root, 'd'));
  fs.writeFileSync(join(root, 'f'), '12345');
  fs.symlinkSync(outside, join(root, 'out'));
  const before = outsideState(outside);
  const osDev = fs.statSync(root, { bigint: true }).dev;
  const plain = HostDirFs.open(root);
  const f0 = plain.root.lookup('f');
  assert.equal(f0.stat().dev, osDev, 'without a dev option, the OS device');
  f0.release();
  plain.close();
  const hfs = mount(t, root, { dev: 7n });
  for (const name of ['d', 'f', 'out']) {
    const node = hfs.root.lookup(name);
    const st = node.stat();
    const os = fs.lstatSync(join(root, name), { bigint: true });
    assert.equal(st.ino, os.ino);
    assert.equal(node.ino, os.ino);
    assert.equal(st.dev, 7n, 'the dev option, on the root file system');
    assert.equal(st.mtim, os.mtimeNs);
    assert.equal(st.atim, os.atimeNs);
    assert.equal(st.ctim, os.ctimeNs);
    assert.equal(st.nlink, os.nlink);
    if (name === 'f') assert.equal(st.size, 5);
    // Whole microseconds survive the double that fs.utimes takes.
    node.setTimes(1_000_000_123_456_000n, 2_000_000_654_321_000n);
    const after = fs.lstatSync(join(root, name), { bigint: true });
    assert.equal(after.atimeNs, 1_000_000_123_456_000n);
    assert.equal(after.mtimeNs, 2_000_000_654_321_000n);
    node.setTimes(null, 3_000_000_000_000_000n);
    const again = fs.lstatSync(join(root, name), { bigint: true });
    assert.equal(again.atimeNs, 1_000_000_123_456_000n, 'null leaves atime');
    assert.equal(again.mtimeNs, 3_000_000_000_000_000n);
    node.release();
  }
  assert.deepEqual(outsideState(outside), before, "setTimes on a link never touches the link's target");
});

test('directories: mkdir, rmdir and their errors', (t) => {
  const { root } = scratch(t);
  const hfs = mount(t, root);
  hfs.root.mkdir('d');
  assert.equal(fs.statSync(join(root, 'd')).isDirectory(), true);
  assert.equal(errnoOf(() => hfs.root.mkdir('d')), ERRNO.EXIST);
  writeNew(hfs.root, 'f', 'x');
  fs.writeFileSync(join(root, 'd', 'inner'), '');
  assert.equal(errnoOf(() => hfs.root.rmdir('d')), ERRNO.NOTEMPTY);
  assert.equal(errnoOf(() => hfs.root.rmdir('f')), ERRNO.NOTDIR);
  assert.equal(errnoOf(() => hfs.root.rmdir('missing')), ERRNO.NOENT);
  assert.equal(errnoOf(() => hfs.root.unlink('d')), ERRNO.ISDIR);
  assert.equal(errnoOf(() => hfs.root.unlink('missing')), ERRNO.NOENT);
  fs.symlinkSync('d', join(root, 'dlink'));
  assert.equal(errnoOf(() => hfs.root.rmdir('dlink')), ERRNO.NOTDIR, 'rmdir never follows a link');
  const d = hfs.root.lookup('d');
  d.unlink('inner');
  d.release();
  hfs.root.rmdir('d');
  hfs.root.unlink('f');
  hfs.root.unlink('dlink');
  assert.deepEqual(fs.readdirSync(root), []);
});

test('rename follows rename(2), across directories of the mount', (t) => {
  const { root } = scratch(t);
  const hfs = mount(t, root);
  const R = hfs.root;
  R.mkdir('a');
  R.mkdir('b');
  const a = R.lookup('a');
  const b = R.lookup('b');
  writeNew(a, 'f', 'one');
  a.rename('f', b, 'g');
  assert.equal(fs.readFileSync(join(root, 'b', 'g'), 'utf8'), 'one');
  writeNew(a, 'h', 'two');
  a.rename('h', b, 'g'); // a file replaces a file
  assert.equal(fs.readFileSync(join(root, 'b', 'g'), 'utf8'), 'two');
  assert.deepEqual(fs.readdirSync(join(root, 'a')), []);
  R.mkdir('e');
  R.rename('a', R, 'e'); // a directory replaces an empty directory
  assert.deepEqual(fs.readdirSync(root).sort(), ['b', 'e']);
  assert.equal(errnoOf(() => R.rename('e', R, 'b')), ERRNO.NOTEMPTY);
  assert.equal(errnoOf(() => b.rename('g', R, 'e')), ERRNO.ISDIR, 'a file onto a directory');
  writeNew(R, 'file', '');
  assert.equal(errnoOf(() => R.rename('e', R, 'file')), ERRNO.NOTDIR, 'a directory onto a file');
  assert.equal(errnoOf(() => R.rename('b', b, 'inside')), ERRNO.INVAL, 'a directory beneath itself');
  assert.equal(errnoOf(() => R.rename('missing', R, 'x')), ERRNO.NOENT);
  const other = mount(t, scratch(t).root);
  assert.equal(errnoOf(() => R.rename('file', other.root, 'x')), ERRNO.XDEV, 'across mounts');
  // `a` was renamed to `e` while we held it: it is the same directory, by its fd.
  writeNew(a, 'still', 'here');
  assert.equal(fs.readFileSync(join(root, 'e', 'still'), 'utf8'), 'here');
  a.release();
  b.release();
});

test('symlink stores the target as given; names are single components whoever calls', (t) => {
  const { root } = scratch(t);
  const hfs = mount(t, root);
  hfs.root.symlink('l', '../../somewhere/else');
  assert.equal(fs.readlinkSync(join(root, 'l')), '../../somewhere/else');
  assert.equal(errnoOf(() => hfs.root.symlink('l', 'x')), ERRNO.EXIST);
  for (const bad of ['..', '.', 'a/b', '/etc']) {
    for (const op of [(n) => hfs.root.lookup(n), (n) => hfs.root.mkdir(n), (n) => hfs.root.createFile(n),
      (n) => hfs.root.unlink(n), (n) => hfs.root.rmdir(n), (n) => hfs.root.symlink(n, 'x'),
      (n) => hfs.root.rename('l', hfs.root, n), (n) => hfs.root.rename(n, hfs.root, 'z')]) {
      assert.equal(errnoOf(() => op(bad)), ERRNO.NOTCAPABLE, `'${bad}'`);
    }
  }
  assert.equal(errnoOf(() => hfs.root.lookup('')), ERRNO.NOENT);
  assert.equal(errnoOf(() => hfs.root.lookup('a\0b')), ERRNO.INVAL);
});

test('read-only mount: every change is ROFS and nothing changes on disk', (t) => {
  const { root } = scratch(t);
  fs.mkdirSync(join(root, 'd'));
  fs.writeFileSync(join(root, 'f'), 'data');
  fs.symlinkSync('f', join(root, 'l'));
  const listing = () => fs.readdirSync(root, { recursive: true }).sort();
  const was = listing();
  const mtime = fs.statSync(join(root, 'f')).mtimeMs;
  const hfs = mount(t, root, { readOnly: true });
  const R = hfs.root;
  const f = R.lookup('f');
  const d = R.lookup('d');
  const l = R.lookup('l');
  for (const change of [() => R.mkdir('x'), () => R.createFile('x'), () => R.symlink('x', 'f'), () => R.unlink('f'),
    () => R.rmdir('d'), () => R.rename('f', R, 'g'), () => f.open({ write: true }), () => f.setTimes(0n, 0n),
    () => d.setTimes(0n, 0n), () => l.setTimes(0n, 0n), () => R.createFile('f')]) {
    assert.equal(errnoOf(change), ERRNO.ROFS);
  }
  const of = f.open({ read: true });
  assert.equal(errnoOf(() => of.write(enc.encode('x'), 0)), ERRNO.ROFS);
  assert.equal(errnoOf(() => of.truncate(0)), ERRNO.ROFS);
  of.close();
  assert.equal(readAll(f), 'data');
  for (const n of [f, d, l]) n.release();
  assert.deepEqual(listing(), was);
  assert.equal(fs.statSync(join(root, 'f')).mtimeMs, mtime);
});

test('quotas: maxFileSize is FBIG, maxBytes and maxFiles NOSPC, counting what was there', (t) => {
  const { root } = scratch(t);
  fs.mkdirSync(join(root, 'd'));
  fs.writeFileSync(join(root, 'd', 'old'), 'x'.repeat(600));
  const quota = new Quota({ maxBytes: 1000, maxFiles: 4, maxFileSize: 500 });
  const hfs = mount(t, root, { quota });
  assert.equal(quota.files, 2, 'd and d/old, counted at open');
  assert.equal(quota.bytes, 600);
  const f = hfs.root.createFile('f');
  const of = f.open({ write: true });
  assert.equal(errnoOf(() => of.write(new Uint8Array(501), 0)), ERRNO.FBIG);
  assert.equal(errnoOf(() => of.truncate(501)), ERRNO.FBIG);
  assert.equal(of.size(), 0, 'a refused write writes nothing');
  of.write(new Uint8Array(300), 0);
  assert.equal(errnoOf(() => of.write(new Uint8Array(200), 300)), ERRNO.NOSPC, '600 + 500 > 1000');
  assert.equal(of.size(), 300);
  of.write(new Uint8Array(100), 300);
  assert.equal(quota.bytes, 1000);
  of.truncate(100);
  assert.equal(quota.bytes, 700);
  const readOnly = f.open({ read: true });
  assert.equal(errnoOf(() => readOnly.write(new Uint8Array(10), 100)), ERRNO.BADF);
  readOnly.close();
  assert.equal(quota.bytes, 700, 'a write the OS refused is given back');
  of.close();
  f.release();
  hfs.root.mkdir('e');
  assert.equal(quota.files, 4);
  assert.equal(errnoOf(() => hfs.root.createFile('g')), ERRNO.NOSPC);
  assert.equal(errnoOf(() => hfs.root.mkdir('g')), ERRNO.NOSPC);
  assert.equal(errnoOf(() => hfs.root.symlink('g', 'f')), ERRNO.NOSPC);
  assert.equal(fs.existsSync(join(root, 'g')), false);
  const d = hfs.root.lookup('d');
  d.rename('old', hfs.root, 'f'); // replaces f: its 100 bytes and its entry come back
  d.release();
  assert.equal(quota.files, 3);
  assert.equal(quota.bytes, 600);
  hfs.root.unlink('f');
  hfs.root.rmdir('e');
  assert.equal(quota.files, 1);
  assert.equal(quota.bytes, 0);
});

test('EMFILE from the OS is MFILE', () => {
  // A child with a low fd limit holds nodes (an fd each) until the OS says no.
  const script = `
    import { HostDirFs } from ${JSON.stringify(new URL('../../bindings-js/src/wasi/fs/hostdir.js', import.meta.url).href)};
    const hfs = HostDirFs.open('/');
    const held = [];
    try { for (;;) held.push(hfs.root.lookup('proc')); } catch (e) { console.log(e.errno); }`;
  const r = spawnSync('sh', ['-c', `ulimit -n 64 && exec "${process.execPath}" --input-type=module -e "$0"`, script], { encoding: 'utf8' });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout.trim(), String(ERRNO.MFILE));
});

test('escapes: .., absolute paths, links that exist or that the plugin makes, pointing out', (t) => {
  const { root, outside } = scratch(t);
  fs.mkdirSync(join(root, 'sub'));
  fs.writeFileSync(join(root, 'sub', 'canary'), 'inside');
  fs.symlinkSync('/etc', join(root, 'evil')); // as `ln -s /etc evil`
  fs.symlinkSync(outside, join(root, 'out'));
  fs.symlinkSync('../outside', join(root, 'up'));
  fs.symlinkSync('sub/../../outside', join(root, 'sneaky'));
  const before = outsideState(outside);
  const hfs = mount(t, root);
  const refused = (path, follow = true) => errnoOf(() => resolve(hfs.root, path, { follow }).release());
  assert.equal(refused('..'), ERRNO.NOTCAPABLE);
  assert.equal(refused('../outside/canary'), ERRNO.NOTCAPABLE);
  assert.equal(refused('sub/../../outside/canary'), ERRNO.NOTCAPABLE);
  assert.equal(refused('/etc/passwd'), ERRNO.NOTCAPABLE);
  assert.equal(refused(`${outside}/canary`), ERRNO.NOTCAPABLE);
  assert.equal(refused('evil/passwd'), ERRNO.NOTCAPABLE);
  assert.equal(refused('evil'), ERRNO.NOTCAPABLE);
  assert.equal(refused('evil/'), ERRNO.NOTCAPABLE, 'a trailing slash follows the link');
  for (const link of ['out', 'up', 'sneaky']) assert.equal(refused(`${link}/canary`), ERRNO.NOTCAPABLE, link);
  assert.equal(readPath(hfs, 'sub/../sub/canary'), 'inside', "'..' that stays inside is fine");

  // Links the plugin makes are stored as given, and never followed out.
  hfs.root.symlink('mine', outside);
  hfs.root.symlink('mine2', '../../../../../..');
  assert.equal(fs.readlinkSync(join(root, 'mine')), outside);
  assert.equal(refused('mine/canary'), ERRNO.NOTCAPABLE);
  assert.equal(refused('mine2/etc/passwd'), ERRNO.NOTCAPABLE);

  // The backend never follows a last component: acting on a link acts on the link.
  assert.equal(errnoOf(() => hfs.root.createFile('out')), ERRNO.EXIST);
  assert.equal(errnoOf(() => hfs.root.mkdir('out')), ERRNO.EXIST);
  assert.equal(errnoOf(() => hfs.root.rmdir('out')), ERRNO.NOTDIR);
  const out = resolve(hfs.root, 'out', { follow: false });
  assert.equal(out.node.isSymlink, true);
  out.node.setTimes(1_000_000_000_000_000n, 1_000_000_000_000_000n);
  out.release();
  hfs.root.rename('out', hfs.root, 'moved');
  hfs.root.unlink('moved');
  hfs.root.unlink('mine');
  assert.equal(fs.existsSync(outside), true);
  assert.deepEqual(outsideState(outside), before);
});

const RACE_OUTCOMES = {
  [ERRNO.NOTCAPABLE]: 'refused (the link was seen)',
  [ERRNO.NOENT]: 'absent (mid-swap)',
  [ERRNO.AGAIN]: 'gave up (the name kept changing from link to directory)',
};

/**
 * The plugin's side of the race: 1000 rounds of a dozen and more operations
 * through `sub` while it is being swapped. A path re-resolved may fail only as
 * RACE_OUTCOMES says; a directory held across the swap must always work.
 */
function hammer(hfs, outcomes) {
  const tally = (what) => (outcomes[what] = (outcomes[what] ?? 0) + 1);
  /** Runs one operation; it may fail only as a path racing with the swap can. */
  const attempt = (fn) => {
    try {
      const r = fn();
      tally('ok');
      return r;
    } catch (e) {
      if (e.name !== 'FsError' || !(e.errno in RACE_OUTCOMES)) throw e;
      tally(RACE_OUTCOMES[e.errno]);
      return undefined;
    }
  };
  // Operations on an entry itself do not follow a last link (as path_unlink_file, path_rename...).
  const inDir = (path, fn, follow = false) => attempt(() => withResolved(hfs.root, path, { follow }, (r) => fn(r.dir, r.name, r.node)));
  for (let i = 0; i < 1000; i++) {
    // A directory held across the swap keeps being that directory.
    const held = attempt(() => {
      const r = resolve(hfs.root, 'sub');
      const node = r.keepNode();
      r.release();
      return node;
    });
    if (held) {
      assert.equal(readAll(held.lookup('canary')), 'inside');
      if (held.lookup('victim') === null) writeNew(held, 'victim', 'decoy');
      held.rename('victim', held, 'victim2');
      held.rename('victim2', held, 'victim');
    }
    // Paths resolved again each time, racing with the swap.
    const text = inDir('sub/canary', (dir, name, node) => readAll(node), true);
    if (text !== undefined) assert.equal(text, 'inside', 'the outside canary was read');
    inDir('sub/canary', (dir, name, node) => {
      const of = node.open({ read: true, write: true });
      of.write(enc.encode('inside'), 0);
      of.truncate(6);
      of.close();
    }, true);
    inDir('sub/canary', (dir, name, node) => node.setTimes(0n, 0n), true);
    inDir('sub/victim', (dir, name) => dir.unlink(name));
    inDir(`sub/new${i}`, (dir, name) => writeNew(dir, name, 'pwned'));
    inDir(`sub/new${i}`, (dir, name) => dir.unlink(name));
    inDir(`sub/d${i}`, (dir, name) => dir.mkdir(name));
    inDir(`sub/d${i}`, (dir, name) => dir.rmdir(name));
    inDir('sub/a', (dir, name) => dir.rename(name, dir, 'b'));
    inDir('sub/b', (dir, name) => dir.rename(name, dir, 'a'));
    inDir(`sub/l${i}`, (dir, name) => dir.symlink(name, 'canary'));
    inDir(`sub/l${i}`, (dir, name) => dir.unlink(name));
    held?.release();
  }
}

test('race: a directory swapped for a link to the outside during thousands of operations', { timeout: 120_000 }, async (t) => {
  const { base, root, outside } = scratch(t);
  const sub = join(root, 'sub');
  fs.mkdirSync(sub);
  fs.writeFileSync(join(sub, 'canary'), 'inside');
  fs.mkdirSync(join(sub, 'a'));
  fs.symlinkSync(outside, join(root, 'link'));
  // relatime updates atime when it is older than mtime: make any read of the
  // canary visible, if this file system keeps atimes (checked on a control).
  const old = (days) => new Date(Date.now() - days * 86_400_000);
  for (const f of [join(outside, 'canary'), join(base, 'control')]) {
    if (!fs.existsSync(f)) fs.writeFileSync(f, 'SECRET');
    fs.utimesSync(f, old(3), old(2));
  }
  fs.readFileSync(join(base, 'control'));
  const atimeKept = fs.statSync(join(base, 'control')).atimeMs > old(1).getTime();
  const before = outsideState(outside);
  const canaryAtime = fs.statSync(join(outside, 'canary')).atimeMs;

  const hfs = mount(t, root);
  const outcomes = {};
  const t0 = performance.now();
  const countFile = join(base, 'swaps');
  const swapper = spawn(process.execPath, [new URL('./fixtures/swap-dir.mjs', import.meta.url).pathname, root, countFile, '100000'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  const stopped = once(swapper, 'exit');
  try {
    let ready = false;
    const died = stopped.then(([code]) => ready || assert.fail(`the swapper exited (${code}) before it was ready`));
    await Promise.race([once(swapper.stdout, 'data'), died]); // "ready": it is swapping
    ready = true;
    hammer(hfs, outcomes);
  } finally {
    swapper.kill('SIGKILL');
    await stopped;
  }

  const ms = performance.now() - t0;
  const swaps = fs.existsSync(countFile) ? Number(fs.readFileSync(countFile, 'utf8')) : 0;
  t.diagnostic(`${Math.round(ms)} ms, ${swaps}+ swaps, outcomes ${JSON.stringify(outcomes)}`);
  assert.ok(outcomes[RACE_OUTCOMES[ERRNO.NOTCAPABLE]] > 0, 'the race really happened: some lookups saw the link');
  assert.ok(outcomes.ok > 500, 'and many operations went through');
  assert.deepEqual(outsideState(outside), before, 'nothing outside was created, changed or deleted');
  if (atimeKept) assert.equal(fs.statSync(join(outside, 'canary')).atimeMs, canaryAtime, 'the outside canary was never read');
  else t.diagnostic('this file system does not update atimes: the canary read check rests on the contents read');
});

test('no fd leaks: thousands of operations, failing ones included, give every fd back', (t) => {
  const { root, outside } = scratch(t);
  fs.symlinkSync(outside, join(root, 'out'));
  const before = fdCount();
  const hfs = HostDirFs.open(root);
  for (let i = 0; i < 500; i++) {
    hfs.root.mkdir('d');
    withResolved(hfs.root, 'd/f', {}, (r) => writeNew(r.dir, r.name, 'x'));
    assert.equal(readPath(hfs, 'd/f'), 'x');
    withResolved(hfs.root, 'd/f', {}, (r) => r.node.stat());
    hfs.root.symlink('l', 'd/f');
    assert.equal(readPath(hfs, 'l'), 'x');
    assert.equal(errnoOf(() => resolve(hfs.root, 'out/canary')), ERRNO.NOTCAPABLE);
    assert.equal(errnoOf(() => resolve(hfs.root, 'd/f/x')), ERRNO.NOTDIR);
    assert.equal(errnoOf(() => resolve(hfs.root, 'd/missing/x')), ERRNO.NOENT);
    assert.equal(errnoOf(() => hfs.root.createFile('l')), ERRNO.EXIST);
    hfs.root.list();
    withResolved(hfs.root, 'd', {}, (r) => r.node.list());
    hfs.root.rename('d', hfs.root, 'e');
    withResolved(hfs.root, 'e', {}, (r) => r.node.unlink('f'));
    hfs.root.rmdir('e');
    hfs.root.unlink('l');
  }
  hfs.close();
  assert.equal(fdCount(), before);
});
