// tests/js/files-scenarios.mjs — what plugins can do with files, written once
// and run both in Node (files.test.mjs) and in browsers
// (tests/browser/files-page.js). No Node imports. Each scenario takes a
// started Coordinator with FILE_PLUGINS loaded and throws on failure.
import { memoryDir, symlink, SymlinkSpec, TaskError } from '../../bindings-js/src/index.js';
import { check, equal } from './check.mjs';

export const FILE_PLUGINS = ['fsops', 'sortlines'];

const text = (bytes) => new TextDecoder().decode(bytes);

/** Runs `fsops MODE DIR` and checks every line is "ok ..." (at least `least` of them). */
async function fsops(c, mode, dir, mounts, least) {
  const r = await c.spawn('fsops', { args: [mode, dir], mounts, stdin: null }).text();
  const lines = r.stdout.split('\n').filter(Boolean);
  const failed = lines.filter((l) => !l.startsWith('ok '));
  check(failed.length === 0 && r.exitCode === 0, `fsops ${mode}: exit ${r.exitCode}\n${failed.join('\n')}\n${r.stderr}`);
  check(lines.length >= least, `fsops ${mode}: only ${lines.length} checks ran`);
  return lines.length;
}

/** FNV-1a 32, continuing from `h`: what plugins/fsops.c hashes with. */
function fnv1a(bytes, h = 0x811c9dc5) {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619) >>> 0;
  return h;
}

/**
 * A tree of `files` files of `bytes` in all (deterministic), in nested
 * directories, and what `fsops tree` prints for it.
 */
export function dataTree(files, bytes) {
  const tree = {};
  let sum = 0;
  let total = 0;
  let x = 7;
  const enc = new TextEncoder();
  for (let i = 0; i < files; i++) {
    const dir = `d${i % 10}`;
    const sub = `s${(i >> 4) % 4}`;
    const name = `file-${i}.dat`;
    const size = Math.floor(bytes / files) + (i % 7);
    const data = new Uint8Array(size);
    for (let k = 0; k < size; k++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      data[k] = x >>> 24;
    }
    ((tree[dir] ??= {})[sub] ??= {})[name] = data;
    sum = (sum + fnv1a(enc.encode(`${dir}/${sub}/${name}`)) + fnv1a(data)) >>> 0;
    total += size;
  }
  return { tree, expect: `files ${files} bytes ${total} sum ${sum}` };
}

export const fileScenarios = [
  {
    name: 'every preview1 file call and its errors, in a memory directory',
    async run(c, log) {
      log(`${await fsops(c, 'rw', '/work', { '/work': {} }, 70)} checks`);
    },
  },
  {
    name: 'a read-only mount (memory or image) refuses every change with EROFS',
    async run(c) {
      await fsops(c, 'ro', '/share', { '/share': memoryDir({ 'readme.txt': 'read me' }, { readOnly: true }) }, 10);
      const image = await c.image({ 'readme.txt': 'read me too' });
      await fsops(c, 'ro', '/img', { '/img': image }, 10);
    },
  },
  {
    name: 'quotas give EFBIG, ENOSPC and EMFILE, never a trap or a hang',
    async run(c) {
      await fsops(c, 'quota', '/q', { '/q': memoryDir({}, { maxBytes: 8192, maxFiles: 6, maxFileSize: 4096, maxOpenFiles: 4 }) }, 9);
    },
  },
  {
    name: 'no path and no link, the host\'s or the plugin\'s, reaches outside a mount',
    async run(c) {
      await fsops(c, 'escape', '/work', { '/work': { evil: symlink('../outside') }, '/outside': { 'secret.txt': 'no' } }, 9);
    },
  },
  {
    name: 'poll_oneoff: stdin times out, then wakes for data; a regular file and stdout are ready',
    async run(c) {
      const p = c.spawn('fsops', { args: ['poll'] });
      const reader = p.stdout.getReader();
      let out = '';
      while (!out.includes('waiting\n')) out += text((await reader.read()).value);
      await p.write('ping\n');
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        out += text(value);
      }
      const bad = out.split('\n').filter((l) => l && !l.startsWith('ok ') && l !== 'waiting');
      check(bad.length === 0 && (await p.exit) === 0, `poll: ${bad.join('\n')}`);
      check(out.includes('ok poll_times_out') && out.includes('ok poll_sees_data'), `poll: both outcomes seen: ${out}`);
    },
  },
  {
    name: 'a plugin reads its input file and writes an output file; the host gets it back',
    async run(c) {
      const p = c.spawn('sortlines', { args: ['/work/in.txt', '/work/out/sorted.txt'], mounts: { '/work': { 'in.txt': 'pear\napple\nfig\n', out: {} } } });
      const r = await p.text();
      equal([r.exitCode, r.stderr], [0, 'sortlines: 3 lines\n'], 'sortlines ran');
      const files = await p.files('/work');
      equal(text(files.out['sorted.txt']), 'apple\nfig\npear\n', 'the output file');
      equal(text(files['in.txt']), 'pear\napple\nfig\n', 'the input is still there');
      equal(await p.changes('/work'), [{ path: 'out/sorted.txt', change: 'added', type: 'file' }], 'changes since the mount');
      // Large enough for the file to grow in a resizable buffer, and come back whole.
      const many = Array.from({ length: 200_000 }, (_, i) => `line ${String((i * 7919) % 200_000).padStart(6, '0')}\n`);
      const big = c.spawn('sortlines', { args: ['/w/in', '/w/out'], mounts: { '/w': { in: many.join('') } }, stdin: null });
      equal((await big.text()).exitCode, 0, 'a 2.6 MB sort');
      check(text((await big.files('/w')).out) === [...many].sort().join(''), 'a 2.6 MB output file, whole and in order');
      const missing = await c.spawn('sortlines', { args: ['/work/none', '/work/x'], mounts: { '/work': {} } }).text();
      check(missing.exitCode === 1 && /No such file/.test(missing.stderr), `a missing input is ENOENT: ${missing.stderr}`);
    },
  },
  {
    name: 'files survive a non-zero exit and a trap (the host may want the logs)',
    async run(c) {
      const exited = c.spawn('fsops', { args: ['log', '/logs', 'exit3'], mounts: { '/logs': {} }, stdin: null });
      equal(await exited.exit, 3, 'exit code');
      equal(text((await exited.files('/logs'))['log.txt']), 'started\nworking\n', 'log after exit(3)');
      const trapped = c.spawn('fsops', { args: ['log', '/logs', 'trap'], mounts: { '/logs': {} }, stdin: null });
      let error;
      await trapped.exit.catch((e) => {
        error = e;
      });
      check(error instanceof TaskError && error.code === 'ETRAP', `trap reported: ${error}`);
      equal(text((await trapped.files('/logs'))['log.txt']), 'started\nworking\n', 'log after a trap');
      const killed = c.spawn('fsops', { args: ['stream', '/out', '2'], mounts: { '/out': {} } });
      killed.kill('test');
      let killError;
      await killed.files('/out').catch((e) => {
        killError = e;
      });
      check(killError?.code === 'ECANCELED', `files of a killed plugin reject with its error: ${killError}`);
    },
  },
  {
    name: 'a file closed after writing reaches the host while the plugin still runs',
    async run(c) {
      const seen = [];
      let first;
      const firstSeen = new Promise((resolve) => {
        first = resolve;
      });
      const p = c.spawn('fsops', {
        args: ['stream', '/out', '5'],
        mounts: { '/out': {} },
        onFileClosed: (f) => {
          seen.push(f);
          first();
        },
      });
      await firstSeen; // part-0 arrived; the plugin is blocked on stdin now
      equal(seen.map((f) => [f.mount, f.path, text(f.data)]), [['/out', '/out/part-0.txt', 'part 0\n']], 'the first file, while running');
      await p.write('go\n');
      equal(await p.exit, 0, 'exit');
      equal(seen.map((f) => f.path), [0, 1, 2, 3, 4].map((k) => `/out/part-${k}.txt`), 'every file, in order');
    },
  },
  {
    name: 'a shared image: 300 files mounted by many plugins; an overlay changes it privately',
    async run(c, log) {
      const { tree, expect } = dataTree(300, 6 << 20);
      const t0 = performance.now();
      const image = await c.image({ data: tree, 'notes.txt': 'original\n', link: symlink('notes.txt') });
      log(`packed 300 files, ${(image.bytes / 1048576).toFixed(1)} MiB in ${(performance.now() - t0).toFixed(0)} ms`);
      equal([image.files, image.bytes > 6e6], [300 + 1 + 1 + 10 + 40 + 1, true], 'image entries (files, links, directories)');
      const runs = await Promise.all([0, 1, 2].map(() => c.spawn('fsops', { args: ['tree', '/share/data'], mounts: { '/share': image }, stdin: null }).text()));
      for (const r of runs) equal(r.stdout.trim(), expect, 'every plugin sees the whole tree');
      const o = c.spawn('sortlines', { args: ['/share/notes.txt', '/share/notes.txt'], mounts: { '/share': image.overlay() }, stdin: null });
      equal((await o.text()).exitCode, 0, 'the overlay takes a write');
      equal(await o.changes('/share'), [{ path: 'notes.txt', change: 'modified', type: 'file' }], 'only the written file changed');
      const after = await o.files('/share');
      check(after.link instanceof SymlinkSpec && after.link.target === 'notes.txt', 'links come back as links');
      equal(text(after['notes.txt']), 'original\n', 'the overlay file (sorted: one line)');
      const again = await c.spawn('fsops', { args: ['tree', '/share/data'], mounts: { '/share': image }, stdin: null }).text();
      equal(again.stdout.trim(), expect, 'the image itself never changes');
    },
  },
];
