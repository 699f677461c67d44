// tests/js/coordinator-scenarios.mjs — what the coordinator must do, written
// once and run both in Node (coordinator.test.mjs) and in Chromium
// (tests/browser/coordinator-page.js). No Node imports. Each scenario takes a
// started Coordinator with the example plugins loaded and throws on failure.
import { TaskError } from '../../bindings-js/src/index.js';
import { check, equal, rejectsWith } from './check.mjs';

export const PLUGINS = ['upper', 'cat', 'cksum', 'wc', 'gen', 'grep', 'hostcall', 'faulty', 'primes', 'calc', 'bigdata'];

/** Bytes of data in bigdata.wasm: BIGDATA_BYTES in mk/plugins.mk. */
export const BIGDATA_BYTES = 32 << 20;

/** Limits on nested runs the scenarios' coordinator is created with. */
export const limits = { maxNested: 16, maxDepth: 8 };

/** Host handlers the scenarios call: async, as a fetch() would be. */
export const hostHandlers = {
  echo: async (request) => {
    await new Promise((r) => setTimeout(r, 5));
    return `echo:${request}`;
  },
  big: async (request) => 'x'.repeat(Number(request)),
  same: (request) => request, // answers at once: for counting host calls
  broken: async () => {
    throw new Error('handler failed');
  },
};

/** Async iterator over the lines of a byte stream (without the newline). */
export async function* lines(stream) {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let nl;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      yield buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered) yield buffered;
}

/** FNV-1a 32 over bytes, continuing from `hash`: what plugins/cksum.c prints. */
export function fnv1a(bytes, hash = 0x811c9dc5) {
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 16777619) >>> 0;
  return hash;
}

/**
 * FNV-1a of the letters tools/gen-blob.mjs writes into bigdata.wasm. In
 * slices of 1 MiB with a turn of the event loop between them: on a page, one
 * 32 MiB loop is a long task of its own (over 100 ms on a slow machine).
 */
async function blobHash(bytes) {
  let x = 1;
  let hash = 0x811c9dc5;
  for (let start = 0; start < bytes; start += 1 << 20) {
    for (let i = start, end = Math.min(bytes, start + (1 << 20)); i < end; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      hash = Math.imul(hash ^ (97 + (x >>> 24) % 26), 16777619) >>> 0;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return hash;
}

function grepWc(n, pattern) {
  let count = 0;
  let bytes = 0;
  for (let i = 1; i <= n; i++) if (String(i).includes(pattern)) { count++; bytes += String(i).length + 1; }
  return `${count} ${count} ${bytes}\n`;
}

export const scenarios = [
  {
    name: 'interactive stdin: a line in, an answer out, 1000 times',
    async run(c) {
      const p = c.spawn('upper');
      const out = lines(p.stdout);
      for (let i = 0; i < 1000; i++) {
        await p.write(`line ${i} of the conversation\n`);
        const { value } = await out.next();
        equal(value, `LINE ${i} OF THE CONVERSATION`, `answer ${i}`);
      }
      p.closeStdin();
      check((await out.next()).done, 'end of stdin ends stdout');
      equal(await p.exit, 0, 'exit code');
    },
  },
  {
    name: 'interactive stdin: write() resolves with the answer already in stdout',
    async run(c) {
      // The write looks for the answer before it resolves (AnswerSpin in
      // coordinator/pipes.js); without that, the parked read of stdout gets it
      // on a later task (tests/js/answer-spin.test.mjs has that control).
      const p = c.spawn('upper');
      const reader = p.stdout.getReader();
      const notYet = Symbol('not yet');
      // A task before each line, so the stream's read of stdout has parked
      // before the line goes: a message to ourselves, which runs in
      // microseconds (a timer would take a millisecond or more, and the
      // plugin's worker would park meanwhile).
      const channel = new MessageChannel();
      const aTask = () => new Promise((resolve) => {
        channel.port1.onmessage = resolve;
        channel.port2.postMessage(0);
      });
      let queued = 0;
      try {
        for (let i = 0; i < 40; i++) {
          await aTask();
          await p.write(`q${i}\n`);
          const read = reader.read();
          const first = await Promise.race([read, Promise.resolve(notYet)]);
          if (first !== notYet) queued++;
          equal(new TextDecoder().decode((await read).value), `Q${i}\n`, `answer ${i}`);
        }
      } finally {
        channel.port1.close(); // an open port would keep Node running
        p.closeStdin();
      }
      check(queued >= 1, 'no answer of 40 was in stdout when write() resolved');
      check((await reader.read()).done, 'end of stdin ends stdout');
      equal(await p.exit, 0, 'exit code');
    },
  },
  {
    name: 'a 32 MiB plugin, compiled once, starts and answers in well under a second',
    async run(c, log = () => {}) {
      const want = `${(await blobHash(BIGDATA_BYTES)).toString(16).padStart(8, '0')} hello`;
      const times = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const p = c.spawn('bigdata');
        const out = lines(p.stdout);
        await p.write('hello\n');
        const { value } = await out.next();
        times.push(performance.now() - t0);
        equal(value, want, `answer of start ${i} (data hash, line)`);
        p.closeStdin();
        equal(await p.exit, 0, 'exit code');
      }
      log(`32 MiB plugin, spawn to first answer: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      check(Math.max(...times) < 1000, `start-up took ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    },
  },
  {
    name: 'loading a plugin that is not there rejects, and the pool keeps serving',
    async run(c) {
      let error = null;
      await c.load('missing', '/build/plugins/no-such-plugin.wasm').catch((e) => (error = e));
      check(error instanceof Error, `load of a missing file: ${error}`);
      check(/no-such-plugin|404|ENOENT/.test(String(error?.message)), `the error names the problem: ${error?.message}`);
      equal((await c.spawn('wc', { stdin: 'still here\n' }).text()).stdout, '1 2 11\n', 'the pool still serves');
    },
  },
  {
    name: 'end of file: wc counts what it got, then exits 0',
    async run(c) {
      equal(await c.spawn('wc', { stdin: 'one two\nthree\n' }).text(), { exitCode: 0, stdout: '2 3 14\n', stderr: '' }, 'wc');
      equal((await c.spawn('wc', { stdin: null }).text()).stdout, '0 0 0\n', 'wc of nothing');
    },
  },
  {
    name: 'gen | grep | wc',
    async run(c) {
      const last = c.pipeline([{ plugin: 'gen', args: ['100000'] }, { plugin: 'grep', args: ['7'] }, { plugin: 'wc' }], { stdin: null });
      equal((await last.text()).stdout, grepWc(100000, '7'), 'pipeline output');
      equal(await last.exitCodes, [0, 0, 0], 'exit codes');
    },
  },
  {
    name: '100 MB through cat | cat | cksum, checksummed',
    async run(c, log = () => {}) {
      const total = 100 * 1024 * 1024;
      const last = c.pipeline([{ plugin: 'cat' }, { plugin: 'cat' }, { plugin: 'cksum' }]);
      const chunk = new Uint8Array(1 << 16);
      let hash = 0x811c9dc5;
      const t0 = performance.now();
      for (let off = 0; off < total; off += chunk.length) {
        for (let i = 0; i < chunk.length; i++) chunk[i] = ((off + i) * 2654435761) >>> 24;
        hash = fnv1a(chunk, hash);
        await last.first.write(chunk);
        // A write that finds room resolves in a microtask: without a turn of
        // the event loop now and then, this loop would be one long task.
        if (off % (2 << 20) === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      last.first.closeStdin();
      const r = await last.text();
      log(`100 MB pipeline: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
      equal(r.stdout, `${hash.toString(16).padStart(8, '0')} ${total}\n`, 'checksum');
      equal(await last.exitCodes, [0, 0, 0], 'exit codes');
    },
  },
  {
    name: 'host data call: the plugin blocks in fd_read while an async handler answers',
    async run(c) {
      const allow = { hostCalls: ['echo', 'big', 'broken'] };
      const r = await c.spawn('hostcall', { args: ['echo', 'hello/world?'], stdin: null, allow }).text();
      equal(r.exitCode, 0, `exit (${r.stderr})`);
      equal(r.stdout, `${'echo:hello/world?'.length} echo:hello/world?\n`, 'answer');
      const big = await c.spawn('hostcall', { args: ['big', '1000000'], stdin: null, allow }).text();
      equal(big.stdout, `1000000 ${'x'.repeat(1000000)}\n`, 'a response larger than the pipe streams through, whole');
      const missing = await c.spawn('hostcall', { args: ['nobody', 'x'], stdin: null, allow }).text();
      equal(missing.exitCode, 1, 'an unknown handler fails the open');
      check(/No such file/i.test(missing.stderr), `ENOENT reported: ${missing.stderr}`);
      const broken = await c.spawn('hostcall', { args: ['broken', 'x'], stdin: null, allow }).text();
      equal(broken.exitCode, 1, 'a failing handler is an error, not a hang');
    },
  },
  {
    name: 'a plugin reaches only the handlers and plugins it is granted',
    async run(c) {
      const denied = await c.spawn('hostcall', { args: ['same', 'x'], stdin: null, allow: { hostCalls: ['echo'] } }).text();
      equal(denied.exitCode, 1, 'a handler not granted fails the open');
      check(/Permission denied/i.test(denied.stderr), `EACCES reported: ${denied.stderr}`);
      const byDefault = await c.spawn('hostcall', { args: ['echo', 'x'], stdin: null }).text();
      check(/Permission denied/i.test(byDefault.stderr), `nothing is granted by default: ${byDefault.stderr}`);
      const run = await c.spawn('hostcall', { args: ['run', 'gen', '3'], stdin: null, allow: { hostCalls: '*' } }).text();
      check(run.exitCode === 1 && /Permission denied/i.test(run.stderr), `a plugin not granted cannot be run: ${run.stderr}`);
      // A nested run has what its caller has: here not 'gen', so the inner run gets nothing.
      const inner = (plugins) => c.spawn('hostcall', { args: ['run', 'hostcall', 'run', 'gen', '1'], stdin: null, allow: { plugins } }).text();
      equal((await inner(['hostcall'])).stdout, '', 'nested run without the grant');
      equal((await inner(['hostcall', 'gen'])).stdout, '1\n', 'nested run with it');
    },
  },
  {
    name: 'a fork storm and an unbounded self-recursion end in errors; the pool keeps serving',
    async run(c) {
      const allow = { plugins: ['gen', 'hostcall'] };
      // limits in coordinator-scenarios' coordinator: maxNested 16, maxDepth 8.
      const deep = await c.spawn('hostcall', { args: ['recurse'], stdin: null, allow }).text();
      equal(deep.stdout, `${'level\n'.repeat(9)}refused: Symbolic link loop\n`, 'recursion stops at the depth limit');
      const storm = await c.spawn('hostcall', { args: ['storm', '40'], stdin: null, allow }).text();
      equal([storm.exitCode, storm.stdout], [0, 'started 16 refused 24 (Resource temporarily unavailable)\n'], 'storm');
      equal((await c.spawn('wc', { stdin: 'still serving\n' }).text()).stdout, '1 2 14\n', 'the pool still serves');
      // Nested runs end with the plugin that started them: the count is back down.
      const again = await c.spawn('hostcall', { args: ['storm', '16'], stdin: null, allow }).text();
      equal(again.stdout, 'started 16 refused 0 (none)\n', 'nested runs are counted back down');
    },
  },
  {
    name: 'a plugin calls another plugin, and nested twice',
    async run(c) {
      const allow = { plugins: ['gen', 'hostcall'], hostCalls: ['echo'] };
      const once = await c.spawn('hostcall', { args: ['run', 'gen', '3'], stdin: null, allow }).text();
      equal([once.exitCode, once.stdout], [0, '1\n2\n3\n'], `one level (${once.stderr})`);
      const twice = await c.spawn('hostcall', { args: ['run', 'hostcall', 'run', 'gen', '2'], stdin: null, allow }).text();
      equal([twice.exitCode, twice.stdout], [0, '1\n2\n'], `two levels (${twice.stderr})`);
      const thrice = await c.spawn('hostcall', { args: ['run', 'hostcall', 'run', 'hostcall', 'echo', 'deep'], stdin: null, allow }).text();
      equal(thrice.stdout, '9 echo:deep\n', `three levels (${thrice.stderr})`);
    },
  },
  {
    name: 'trap, exit code, stderr and a hang fail only their own plugin',
    async run(c) {
      await rejectsWith(c.spawn('faulty', { args: ['trap'], stdin: null }).exit, 'ETRAP', 'trap');
      equal(await c.spawn('faulty', { args: ['exit', '3'], stdin: null }).exit, 3, 'exit(3)');
      const r = await c.spawn('faulty', { args: ['stderr'], stdin: null }).text();
      equal(r.exitCode, 2, 'exit code');
      check(r.stderr.includes('something went wrong'), 'stderr streamed');
      await rejectsWith(c.spawn('faulty', { args: ['hang'], stdin: null, timeoutMs: 300 }).exit, 'ETIMEDOUT', 'hang');
      equal((await c.spawn('wc', { stdin: 'still fine\n' }).text()).stdout, '1 2 11\n', 'the pool still serves');
    },
  },
  {
    name: '1000 tasks on 4 workers: each runs once; 10 crash, time out, throw or are cancelled',
    async run(c) {
      const url = new URL('./fixtures/tasks.mjs', import.meta.url);
      const runs = new Int32Array(new SharedArrayBuffer(4 * 1000));
      const bad = new Map([[17, 'crash'], [230, 'crash'], [55, 'hang'], [500, 'hang'], [777, 'hang'],
        [90, 'slow'], [401, 'slow'], [650, 'slow'], [333, 'fail'], [999, 'fail']]);
      const want = { crash: 'ECRASHED', hang: 'ETIMEDOUT', slow: 'ECANCELED', fail: 'ETHROWN' };
      const settled = new Int32Array(1000);
      const promises = [];
      for (let i = 0; i < 1000; i++) {
        const kind = bad.get(i) ?? 'square';
        const abort = new AbortController();
        if (kind === 'slow') setTimeout(() => abort.abort(), 200);
        const p = c.run({ url, export: kind }, { i, runs }, { signal: abort.signal, timeoutMs: kind === 'hang' ? 500 : 60_000 });
        promises.push(p.finally(() => settled[i]++));
      }
      const results = await Promise.allSettled(promises);
      for (let i = 0; i < 1000; i++) {
        const kind = bad.get(i);
        const r = results[i];
        if (!kind) {
          equal([r.status, r.value], ['fulfilled', i * i], `task ${i} (${r.reason})`);
        } else {
          equal(r.status, 'rejected', `task ${i} (${kind})`);
          check(r.reason instanceof TaskError, `task ${i}: ${r.reason}`);
          equal(r.reason.code, want[kind], `task ${i}: ${r.reason.message}`);
        }
        equal(settled[i], 1, `task ${i} settled once`);
        const ran = Atomics.load(runs, i);
        check(kind === 'slow' ? ran <= 1 : ran === 1, `task ${i} ran ${ran} times`); // a cancel may come before the start
      }
      const again = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        c.run({ url, export: 'square' }, { i, runs: new Int32Array(new SharedArrayBuffer(80)) })));
      equal(again, Array.from({ length: 20 }, (_, i) => i * i), 'the pool replaced its losses and keeps serving');
    },
  },
];
