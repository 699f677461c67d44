// tests/js/coordinator.test.mjs — the coordinator and compute workers in Node:
// WASI plugins with blocking stdin, pipelines, host calls, and a pool that
// keeps serving while tasks crash, time out or are cancelled.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator, TaskError } from 'sabq';
import { plugin, lines, fnv1a } from './plugins.mjs';

let c;
before(async () => {
  c = await Coordinator.create({
    workers: 4,
    hostHandlers: {
      // An async handler, as a fetch() would be: the plugin blocks meanwhile.
      echo: async (request) => {
        await new Promise((r) => setTimeout(r, 5));
        return `echo:${request}`;
      },
      big: async (request) => 'x'.repeat(Number(request)),
      broken: async () => {
        throw new Error('handler failed');
      },
    },
  });
  for (const name of ['upper', 'cat', 'cksum', 'wc', 'gen', 'grep', 'hostcall', 'faulty', 'primes']) {
    await c.load(name, plugin(name));
  }
});
after(() => c.close());

test('interactive stdin: a line in, an answer out, 1000 times', async () => {
  const p = c.spawn('upper');
  const out = lines(p.stdout);
  for (let i = 0; i < 1000; i++) {
    await p.write(`line ${i} of the conversation\n`);
    const { value } = await out.next();
    assert.equal(value, `LINE ${i} OF THE CONVERSATION`);
  }
  p.closeStdin();
  assert.equal((await out.next()).done, true, 'end of stdin ends stdout');
  assert.equal(await p.exit, 0);
});

test('end of file: wc counts what it got, then exits 0', async () => {
  const r = await c.spawn('wc', { stdin: 'one two\nthree\n' }).text();
  assert.deepEqual(r, { exitCode: 0, stdout: '2 3 14\n', stderr: '' });
  const empty = await c.spawn('wc', { stdin: null }).text();
  assert.equal(empty.stdout, '0 0 0\n');
});

test('gen | grep | wc', async () => {
  const last = c.pipeline([
    { plugin: 'gen', args: ['100000'] },
    { plugin: 'grep', args: ['7'] },
    { plugin: 'wc' },
  ], { stdin: null });
  const r = await last.text();
  let matching = 0;
  let bytes = 0;
  for (let i = 1; i <= 100000; i++) if (String(i).includes('7')) { matching++; bytes += String(i).length + 1; }
  assert.equal(r.stdout, `${matching} ${matching} ${bytes}\n`);
  assert.deepEqual(await last.exitCodes, [0, 0, 0]);
});

test('100 MB through cat | cat | cksum, checksummed', { timeout: 300_000 }, async () => {
  const total = 100 * 1024 * 1024;
  const last = c.pipeline([{ plugin: 'cat' }, { plugin: 'cat' }, { plugin: 'cksum' }]);
  const chunk = new Uint8Array(1 << 16);
  let hash = 0x811c9dc5;
  const t0 = performance.now();
  for (let off = 0; off < total; off += chunk.length) {
    for (let i = 0; i < chunk.length; i++) chunk[i] = (off + i) * 2654435761 >>> 24;
    hash = fnv1a(chunk, hash);
    await last.first.write(chunk);
  }
  last.first.closeStdin();
  const r = await last.text();
  const secs = (performance.now() - t0) / 1000;
  console.log(`# 100 MB pipeline: ${secs.toFixed(2)} s, ${(100 / secs).toFixed(0)} MB/s`);
  assert.equal(r.stdout, `${(hash >>> 0).toString(16).padStart(8, '0')} ${total}\n`);
  assert.deepEqual(await last.exitCodes, [0, 0, 0]);
});

test('host data call: the plugin blocks in fd_read while an async handler answers', async () => {
  const r = await c.spawn('hostcall', { args: ['echo', 'hello/world?'], stdin: null }).text();
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /echo:hello\/world\?/);
  const big = await c.spawn('hostcall', { args: ['big', '1000000'], stdin: null }).text();
  assert.match(big.stdout, /^1000000 /, 'a response larger than the pipe streams through');
  const missing = await c.spawn('hostcall', { args: ['nobody', 'x'], stdin: null }).text();
  assert.notEqual(missing.exitCode, 0, 'an unknown handler is an open() error');
  const broken = await c.spawn('hostcall', { args: ['broken', 'x'], stdin: null }).text();
  assert.notEqual(broken.exitCode, 0, 'a failing handler is a read error, not a hang');
});

test('a plugin calls another plugin, and nested twice', async () => {
  const once = await c.spawn('hostcall', { args: ['run', 'gen 3'], stdin: null }).text();
  assert.equal(once.exitCode, 0, once.stderr);
  assert.match(once.stdout, /1\n2\n3\n/);
  const twice = await c.spawn('hostcall', { args: ['run', 'hostcall run gen 2'], stdin: null }).text();
  assert.equal(twice.exitCode, 0, twice.stderr);
  assert.match(twice.stdout, /1\n2\n/);
  const thrice = await c.spawn('hostcall', { args: ['run', 'hostcall run hostcall echo deep'], stdin: null }).text();
  assert.match(thrice.stdout, /echo:deep/);
});

test('trap, exit code and stderr of a faulty plugin fail only that plugin', async () => {
  await assert.rejects(c.spawn('faulty', { args: ['trap'], stdin: null }).exit, (e) => e instanceof TaskError && e.code === 'ETRAP');
  assert.equal(await c.spawn('faulty', { args: ['exit', '3'], stdin: null }).exit, 3);
  const r = await c.spawn('faulty', { args: ['stderr'], stdin: null }).text();
  assert.equal(r.exitCode, 2);
  assert.notEqual(r.stderr, '');
  await assert.rejects(c.spawn('faulty', { args: ['hang'], stdin: null, timeoutMs: 300 }).exit,
    (e) => e.code === 'ETIMEDOUT');
  assert.equal((await c.spawn('wc', { stdin: 'still fine\n' }).text()).stdout, '1 2 11\n');
});

test('1000 tasks on 4 workers: each runs once; 10 crash, time out, throw or are cancelled', { timeout: 120_000 }, async () => {
  const url = new URL('./fixtures/tasks.mjs', import.meta.url);
  const runs = new Int32Array(new SharedArrayBuffer(4 * 1000));
  const bad = new Map([
    [17, 'crash'], [230, 'crash'],
    [55, 'hang'], [500, 'hang'], [777, 'hang'],
    [90, 'slow'], [401, 'slow'], [650, 'slow'],
    [333, 'fail'], [999, 'fail'],
  ]);
  const want = { crash: 'ECRASHED', hang: 'ETIMEDOUT', slow: 'ECANCELED', fail: 'ETHROWN' };
  const settled = new Int32Array(1000);
  const promises = [];
  for (let i = 0; i < 1000; i++) {
    const kind = bad.get(i) ?? 'square';
    const abort = new AbortController();
    if (kind === 'slow') setTimeout(() => abort.abort(), 200);
    const p = c.run({ url, export: kind }, { i, runs }, { signal: abort.signal, timeoutMs: kind === 'hang' ? 500 : 60_000 });
    promises.push(p.then((v) => { settled[i]++; return v; }, (e) => { settled[i]++; throw e; }));
  }
  const results = await Promise.allSettled(promises);
  for (let i = 0; i < 1000; i++) {
    const kind = bad.get(i);
    if (!kind) {
      assert.equal(results[i].status, 'fulfilled', `task ${i}: ${results[i].reason}`);
      assert.equal(results[i].value, i * i);
    } else {
      assert.equal(results[i].status, 'rejected', `task ${i} (${kind}) should fail`);
      assert.ok(results[i].reason instanceof TaskError, `task ${i}: ${results[i].reason}`);
      assert.equal(results[i].reason.code, want[kind], `task ${i}: ${results[i].reason.message}`);
      assert.ok(results[i].reason.message.length > 10);
    }
    assert.equal(settled[i], 1, `task ${i} settled once`);
    if (kind === 'slow') assert.ok(Atomics.load(runs, i) <= 1, `task ${i} ran at most once`); // cancelled maybe before it started
    else assert.equal(Atomics.load(runs, i), 1, `task ${i} ran exactly once`);
  }
  // The pool replaced the workers it lost and keeps serving.
  const again = await Promise.all(Array.from({ length: 20 }, (_, i) => c.run({ url, export: 'square' }, { i, runs: new Int32Array(new SharedArrayBuffer(80)) })));
  assert.deepEqual(again, Array.from({ length: 20 }, (_, i) => i * i));
});

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
