// tests/js/api.test.mjs — the coordinator's public options and handle
// methods that no scenario reached: each is used as its documentation
// (index.d.ts) says, and its effect is checked, not just its absence of error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator, TaskError } from 'sabq';
import { plugin } from './plugins.mjs';

const text = (bytes) => new TextDecoder().decode(bytes);

async function withCoordinator(options, fn) {
  const c = await Coordinator.create({ workers: 1, ...options });
  try {
    await fn(c);
  } finally {
    await c.close();
  }
}

test('spawn env: the plugin sees exactly the variables given', () => withCoordinator({}, async (c) => {
  await c.load('probe', plugin('probe'));
  const r = await c.spawn('probe', { args: ['env', 'LANG', 'EMPTY', 'HOME'], env: { LANG: 'C.UTF-8', EMPTY: '' }, stdin: null }).text();
  assert.equal(r.stdout, 'LANG=C.UTF-8\nEMPTY=\nHOME unset\n');
  // A pipeline stage takes its own env.
  const p = await c.pipeline([{ plugin: 'probe', args: ['env', 'STAGE'], env: { STAGE: 'one' } }], { stdin: null }).text();
  assert.equal(p.stdout, 'STAGE=one\n');
}));

test('spawn tty: stdio are terminals only when asked', () => withCoordinator({}, async (c) => {
  await c.load('probe', plugin('probe'));
  assert.equal((await c.spawn('probe', { args: ['tty'], stdin: null }).text()).stdout, 'tty 0 0 0\n');
  assert.equal((await c.spawn('probe', { args: ['tty'], tty: true }).text()).stdout, 'tty 1 1 1\n');
}));

test('spawn stdout: null — the handle has no stdout, the plugin writes into nothing and runs on', () => withCoordinator({}, async (c) => {
  await c.load('probe', plugin('probe'));
  const p = c.spawn('probe', { args: ['tty'], stdin: null, stdout: null });
  assert.equal(p.stdout, null);
  const r = await p.text();
  assert.deepEqual(r, { exitCode: 0, stdout: '', stderr: 'tty 0 0 0\n' });
}));

test('spawn stdin from a ReadableStream and from another handle', () => withCoordinator({ workers: 2 }, async (c) => {
  await c.load('wc', plugin('wc'));
  await c.load('gen', plugin('gen'));
  const chunks = ['a b\n', 'c d e\n', 'f\n'];
  const stream = new ReadableStream({
    pull(controller) {
      if (chunks.length) controller.enqueue(new TextEncoder().encode(chunks.shift()));
      else controller.close();
    },
  });
  assert.equal((await c.spawn('wc', { stdin: stream }).text()).stdout, '3 6 12\n');
  const gen = c.spawn('gen', { args: ['10'], stdin: null });
  const wc = c.spawn('wc', { stdin: gen });
  assert.equal((await wc.text()).stdout, '10 10 21\n');
  assert.equal(await gen.exit, 0);
  assert.throws(() => gen.stdout, /piped into another process/);
}));

test('ProcessHandle.kill(): ECANCELED, the output written so far, and the pool serves on', () => withCoordinator({}, async (c) => {
  await c.load('wc', plugin('wc'));
  const p = c.spawn('wc'); // waits on its stdin for ever
  await p.write('x y\n');
  p.kill('test');
  await assert.rejects(p.exit, (e) => e instanceof TaskError && e.code === 'ECANCELED' && /test/.test(e.message));
  await assert.rejects(p.output(), { code: 'ECANCELED' });
  assert.equal((await c.spawn('wc', { stdin: 'a\n' }).text()).stdout, '1 1 2\n');
}));

test('ProcessHandle.output(): bytes of both streams and the exit code', () => withCoordinator({}, async (c) => {
  await c.load('faulty', plugin('faulty'));
  const r = await c.spawn('faulty', { args: ['stderr'], stdin: null }).output();
  assert.equal(r.exitCode, 2);
  assert.ok(r.stdout instanceof Uint8Array && r.stdout.length === 0);
  assert.equal(text(r.stderr), 'faulty: something went wrong, as asked\n');
}));

test('pipeline stages, first and exitCodes', () => withCoordinator({ workers: 3 }, async (c) => {
  await c.load('gen', plugin('gen'));
  await c.load('grep', plugin('grep'));
  await c.load('wc', plugin('wc'));
  const last = c.pipeline([{ plugin: 'gen', args: ['100'] }, { plugin: 'grep', args: ['7'] }, { plugin: 'wc' }], { stdin: null });
  assert.equal(last.stages.length, 3);
  assert.equal(last.first, last.stages[0]);
  assert.equal(last.stages[2], last);
  assert.equal((await last.text()).stdout, '19 19 56\n');
  assert.deepEqual(await last.exitCodes, [0, 0, 0]);
}));

test('pipefail: a stage that failed fails the pipeline, with every stage\'s outcome; pipefail: false is the shell default', () => withCoordinator({ workers: 3 }, async (c) => {
  for (const name of ['gen', 'faulty', 'wc']) await c.load(name, plugin(name));
  const stages = (middle) => [{ plugin: 'gen', args: ['100'] }, { plugin: 'faulty', args: middle }, { plugin: 'wc' }];
  // A non-zero exit code anywhere: the pipeline's is the last non-zero one, as set -o pipefail.
  const coded = c.pipeline(stages(['exit', '3']), { stdin: null });
  const r = await coded.text();
  assert.equal(r.exitCode, 3);
  assert.equal(r.stdout, '0 0 0\n');
  const outcomes = await coded.outcomes;
  assert.deepEqual(outcomes.map((o) => [o.stage, o.plugin, o.exitCode]), [[0, 'gen', outcomes[0].exitCode], [1, 'faulty', 3], [2, 'wc', 0]]);
  // A trap in the middle: exit and text() reject with that stage's error, though wc exited 0.
  const trapped = c.pipeline(stages(['trap']), { stdin: null });
  await assert.rejects(trapped.text(), (e) => e instanceof TaskError && e.code === 'ETRAP' && e.stage === 1 && e.cause?.code === 'ETRAP');
  assert.equal((await trapped.outcomes)[2].exitCode, 0);
  // A hang cut by its timeout: the same, with ETIMEDOUT.
  const hung = c.pipeline(stages(['hang']), { stdin: null, timeoutMs: 300 });
  await assert.rejects(hung.exit, (e) => e.code === 'ETIMEDOUT' && e.stage === 1);
  // Opted out: the last stage's exit alone.
  const shell = c.pipeline(stages(['trap']), { stdin: null, pipefail: false });
  assert.equal((await shell.text()).exitCode, 0);
  assert.equal((await shell.outcomes)[1].error.code, 'ETRAP');
}));

test('queueSlots: more tasks than slots wait for room (backpressure), none lost; a bad size is refused', async () => {
  await withCoordinator({ queueSlots: 2 }, async (c) => {
    assert.equal(c.dispatch.queue.capacity, 2);
    const task = { url: new URL('./fixtures/tasks.mjs', import.meta.url), export: 'square' };
    const runs = new Int32Array(new SharedArrayBuffer(4 * 40));
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => c.run(task, { i, runs })));
    assert.deepEqual(results, Array.from({ length: 40 }, (_, i) => i * i));
  });
  await assert.rejects(Coordinator.create({ workers: 1, queueSlots: 3 }), /power of two|EINVAL|capacity/i);
});

test('taskTimeoutMs: the default limit for every spawn and run, which a spawn may override', () => withCoordinator({ taskTimeoutMs: 300 }, async (c) => {
  await c.load('faulty', plugin('faulty'));
  await assert.rejects(c.spawn('faulty', { args: ['hang'], stdin: null }).exit, { code: 'ETIMEDOUT' });
  const hang = { url: new URL('./fixtures/tasks.mjs', import.meta.url), export: 'hang' };
  await assert.rejects(c.run(hang, { i: 0, runs: new Int32Array(new SharedArrayBuffer(4)) }), { code: 'ETIMEDOUT' });
  // A longer limit of its own: a plugin that exits after 500 ms of stdin silence is not cut at 300.
  await c.load('wc', plugin('wc'));
  const p = c.spawn('wc', { timeoutMs: 10_000 });
  await new Promise((resolve) => setTimeout(resolve, 500));
  p.closeStdin();
  assert.equal(await p.exit, 0);
}));

test('memoryMiB: the shared memory starts at that size and grows when rings need more', () => withCoordinator({ memoryMiB: 1 }, async (c) => {
  assert.equal(c.memory.buffer.byteLength, 1 << 20);
  await c.load('wc', plugin('wc'));
  // Fed stdin gets a 1 MiB pipe: more than the first megabyte holds.
  const r = await c.spawn('wc', { stdin: 'a\n'.repeat(1000) }).text();
  assert.equal(r.stdout, '1000 1000 2000\n');
  assert.ok(c.memory.buffer.byteLength > 1 << 20, 'the memory grew');
}));
