// tests/js/coordinator.test.mjs — the coordinator and compute workers in Node:
// the shared scenarios (coordinator-scenarios.mjs, also run in Chromium), a
// large plugin's start-up time, and close().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator } from 'sabq';
import { plugin } from './plugins.mjs';
import { scenarios, hostHandlers, limits, PLUGINS } from './coordinator-scenarios.mjs';

let c;
before(async () => {
  c = await Coordinator.create({ workers: 4, hostHandlers, limits });
  for (const name of PLUGINS) await c.load(name, plugin(name));
});
after(() => c.close());

for (const s of scenarios) {
  test(s.name, { timeout: 300_000 }, () => s.run(c, (msg) => console.log(`# ${msg}`)));
}

test('close() rejects what is pending', async () => {
  const c2 = await Coordinator.create({ workers: 1 });
  await c2.load('cat', plugin('cat'));
  const p = c2.spawn('cat'); // waits for stdin forever
  const url = new URL('./fixtures/tasks.mjs', import.meta.url);
  const queued = c2.run({ url, export: 'square' }, { i: 0, runs: new Int32Array(new SharedArrayBuffer(4)) });
  const checks = [
    assert.rejects(p.exit, (e) => e.code === 'ECLOSED'),
    assert.rejects(queued, (e) => e.code === 'ECLOSED'),
  ];
  await c2.close();
  await Promise.all(checks);
  assert.throws(() => c2.spawn('cat'), (e) => e.code === 'ECLOSED');
});

test('5000 host calls from one plugin reuse their pipes (closed fds go back to the arena)', { timeout: 120_000 }, async () => {
  const before = c.memory.buffer.byteLength;
  const t0 = performance.now();
  // 1000-byte answers: too long to travel inline, each gets a pipe.
  const r = await c.spawn('hostcall', { args: ['big', '1000', '5000'], stdin: null, allow: { hostCalls: ['big'] } }).text();
  const ms = performance.now() - t0;
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(r.stdout, `1000 ${'x'.repeat(1000)}\n`);
  console.log(`# 5000 host calls through pipes: ${((ms / 5000) * 1000).toFixed(0)} µs each, open to end of file`);
  // 5000 pipes of 64 KiB would be 320 MiB: the memory must not have grown by that.
  assert.ok(c.memory.buffer.byteLength - before < 8 << 20, `memory grew by ${c.memory.buffer.byteLength - before} bytes`);
});
