// tests/js/files.test.mjs — plugins and files in Node: the shared scenarios
// (files-scenarios.mjs, also run in browsers), and what only Node can show:
// the process's memory when many plugins mount one image, and a real
// directory of the host mounted with hostDir().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, readFile, symlink as makeLink, rm, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Coordinator, hostDir } from 'sabq';
import { plugin } from './plugins.mjs';
import { fileScenarios, FILE_PLUGINS, dataTree } from './files-scenarios.mjs';
import { pandocScenarios, PANDOC_WASM } from './pandoc-scenarios.mjs';

let c;
before(async () => {
  c = await Coordinator.create({ workers: 2 });
  for (const name of FILE_PLUGINS) await c.load(name, plugin(name));
  await c.load('pandoc', new URL(`../../${PANDOC_WASM}`, import.meta.url));
});
after(() => c.close());

for (const s of [...fileScenarios, ...pandocScenarios]) {
  test(s.name, { timeout: 120_000 }, () => s.run(c, (msg) => console.log(`# ${msg}`)));
}

// A spawn that copied the image and kept the copy would add 6 MB each: 600 MB
// over 100 spawns. What the process gains otherwise is its workers' heaps
// reaching their steady size (tens of MB, however many spawns: measured
// flat from about 150 spawns to 400), so the warm-up is 50 spawns and the
// bar is ten images' worth.
test('100 spawns mounting one 6 MB image keep no copy of it (memory grows by far less than 100 images)', { timeout: 120_000 }, async () => {
  const { tree, expect } = dataTree(300, 6 << 20);
  const image = await c.image({ data: tree });
  const run = () => c.spawn('fsops', { args: ['tree', '/share/data'], mounts: { '/share': image }, stdin: null }).text();
  const twice = async () => {
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a.stdout.trim(), expect);
    assert.equal(b.stdout.trim(), expect);
  };
  for (let i = 0; i < 50; i += 2) await twice(); // warm: workers' heaps grow to their working size
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 100; i += 2) await twice();
  globalThis.gc?.();
  const grew = process.memoryUsage().rss - before;
  console.log(`# rss grew ${(grew / 1048576).toFixed(1)} MiB over 100 spawns of a 6 MiB image`);
  assert.ok(grew < 60 << 20, `rss grew ${(grew / 1048576).toFixed(1)} MiB: as if the image were copied and kept`);
});

// ---- a real directory of the host (Node), sandboxed --------------------------


async function scratch(t) {
  const dir = await mkdtemp(join(tmpdir(), 'sabq-hostdir-plugin-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function fsopsOn(mode, mounts, least, ...flags) {
  const dir = Object.keys(mounts)[0];
  const r = await c.spawn('fsops', { args: [mode, dir, ...flags], mounts, stdin: null }).text();
  const lines = r.stdout.split('\n').filter(Boolean);
  assert.deepEqual(lines.filter((l) => !l.startsWith('ok ')), [], r.stderr);
  assert.equal(r.exitCode, 0);
  assert.ok(lines.length >= least, `${lines.length} checks`);
}

test('hostDir: every preview1 file call and its errors, on a real directory', { timeout: 120_000 }, async (t) => {
  const root = await scratch(t);
  await fsopsOn('rw', { '/host-dir': hostDir(root) }, 70, 'us-times');
});

test('hostDir: read-only and quotas', { timeout: 120_000 }, async (t) => {
  const ro = await scratch(t);
  await writeFile(join(ro, 'readme.txt'), 'read me');
  await fsopsOn('ro', { '/share': hostDir(ro, { readOnly: true }) }, 10);
  assert.deepEqual(await readdir(ro), ['readme.txt'], 'nothing was made');
  const q = await scratch(t);
  await fsopsOn('quota', { '/q': hostDir(q, { maxBytes: 8192, maxFiles: 6, maxFileSize: 4096, maxOpenFiles: 4 }) }, 9);
});

test('hostDir: no path or link, the host\'s or the plugin\'s, leads out', { timeout: 120_000 }, async (t) => {
  const base = await scratch(t);
  const root = join(base, 'root');
  await mkdir(root);
  await mkdir(join(base, 'outside'));
  await writeFile(join(base, 'outside', 'secret.txt'), 'no');
  await writeFile(join(base, 'outside.txt'), 'no');
  await makeLink('../outside', join(root, 'evil'));
  await fsopsOn('escape', { '/work': hostDir(root) }, 9);
  await makeLink('/etc', join(root, 'abs'));
  const r = await c.spawn('sortlines', { args: ['/work/abs/hostname', '/work/x'], mounts: { '/work': hostDir(root) }, stdin: null }).text();
  assert.match(r.stderr, /Capabilities insufficient|Operation not permitted/, 'a host link to an absolute path is refused');
  assert.deepEqual((await readdir(join(base, 'outside'))).sort(), ['secret.txt'], 'nothing appeared outside');
});

test('hostDir: what the plugin writes is on disk', { timeout: 120_000 }, async (t) => {
  const root = await scratch(t);
  await writeFile(join(root, 'in.txt'), 'b\nc\na\n');
  const r = await c.spawn('sortlines', { args: ['/data/in.txt', '/data/out.txt'], mounts: { '/data': hostDir(root) }, stdin: null }).text();
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(await readFile(join(root, 'out.txt'), 'utf8'), 'a\nb\nc\n');
});
