// tests/js/wasip1.test.mjs — the preview1 corners in Node: the shared
// scenarios (wasip1-scenarios.mjs, also run in browsers) on memory mounts and
// image overlays, and on what only Node has: a real directory of the host
// (hostDir), where hard links are the kernel's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Coordinator, hostDir } from 'sabq';
import { plugin } from './plugins.mjs';
import { wasip1Scenarios, runChecks, COMMON_KINDS, WASIP1_PLUGINS } from './wasip1-scenarios.mjs';

let c;
const scratch = [];
before(async () => {
  c = await Coordinator.create({ workers: 2 });
  for (const name of WASIP1_PLUGINS) await c.load(name, plugin(name));
});
after(async () => {
  await c.close();
  for (const dir of scratch) await rm(dir, { recursive: true, force: true });
});

async function tempDir() {
  const dir = await mkdtemp(join(tmpdir(), 'sabq-wasip1-'));
  scratch.push(dir);
  return dir;
}

const HOST = { kind: 'host directory', mount: async () => hostDir(await tempDir()), links: [] };

for (const s of wasip1Scenarios([...COMMON_KINDS, HOST])) {
  test(s.name, { timeout: 120_000 }, () => s.run(c, (msg) => console.log(`# ${msg}`)));
}

test('host directory: a hard link is the kernel\'s (seen from outside), EXDEV to another mount', { timeout: 120_000 }, async () => {
  const root = await tempDir();
  await runChecks(c, 'wasip1', ['links', '/h'], { '/h': hostDir(root) }, 20);
  // The plugin linked the symbolic link sym as sym2, and c2 to ldir/c before removing ldir/c.
  const [sym, sym2, c2] = [await lstat(join(root, 'sym')), await lstat(join(root, 'sym2')), await stat(join(root, 'c2'))];
  assert.ok(sym.isSymbolicLink() && sym.ino === sym2.ino && sym.nlink === 2, 'sym and sym2: one inode, two names');
  assert.equal(c2.nlink, 1, 'c2 outlived the name it was linked from');
  await runChecks(c, 'wasip1', ['xdev', '/h', '/m'], { '/h': hostDir(await tempDir()), '/m': {} }, 3);
  await runChecks(c, 'wasip1', ['xdev', '/m', '/h'], { '/h': hostDir(await tempDir()), '/m': {} }, 3);
});
