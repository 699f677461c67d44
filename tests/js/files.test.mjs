// tests/js/files.test.mjs — plugins and files in Node: the shared scenarios
// (files-scenarios.mjs, also run in browsers), and what only Node can show:
// the process's memory when many plugins mount one image.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator } from 'sabq';
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

test('100 spawns mounting one 6 MB image raise the memory by less than 10 MB', { timeout: 120_000 }, async () => {
  const { tree, expect } = dataTree(300, 6 << 20);
  const image = await c.image({ data: tree });
  const run = () => c.spawn('fsops', { args: ['tree', '/share/data'], mounts: { '/share': image }, stdin: null }).text();
  assert.equal((await run()).stdout.trim(), expect); // warm: workers have seen the image once
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 100; i += 2) {
    const [a, b] = await Promise.all([run(), run()]);
    assert.equal(a.stdout.trim(), expect);
    assert.equal(b.stdout.trim(), expect);
  }
  globalThis.gc?.();
  const grew = process.memoryUsage().rss - before;
  console.log(`# rss grew ${(grew / 1048576).toFixed(1)} MiB over 100 spawns of a 6 MiB image`);
  assert.ok(grew < 10 << 20, `rss grew ${grew} bytes`);
});
