// tests/js/host-worker-scenarios.mjs — host handlers in a worker of their own
// (Coordinator option `hostWorker`), written once and run in Node
// (host-worker.test.mjs) and in Chromium and Firefox
// (tests/browser/host-worker-page.js). No Node imports. Each scenario takes
// the environment — {c: a coordinator created by create(), create(options):
// another one with the environment's own options (a browser's shim URL),
// blockMs: how long the page's thread may be held} — and throws on failure.
import { Coordinator } from '../../bindings-js/src/index.js';
import { check, equal, rejectsWith } from './check.mjs';

export const PLUGINS = ['hostcall', 'hostping', 'wc'];

/** The handlers' module, as a URL that both Node and a page can import. */
export const HANDLERS_URL = new URL('./fixtures/host-handlers.mjs', import.meta.url);

/** Handlers that stay on the page's thread, beside the host worker's. */
export const pageHandlers = {
  onPage: (request) => `page:${request}`,
  pageControls: () => '\u0001'.repeat(400),
};

/** Options of the scenarios' coordinator (besides the environment's own). */
export const options = {
  workers: 4,
  hostWorker: HANDLERS_URL,
  hostHandlers: pageHandlers,
  limits: { maxDepth: 4, maxNested: 8 },
};

const ALL = { hostCalls: '*' };
/** hostcall ARGS, with `allow` (ALL by default; 'none': no allow option at all). */
const call = (c, args, allow = ALL, extra = {}) => c.spawn('hostcall', { args, stdin: null, ...(allow === 'none' ? {} : { allow }), ...extra }).text();
const epochMs = () => performance.timeOrigin + performance.now();
const restarts = (c) => c.inspect().hostWorker.restarts;

/** The host worker serves again: a call after a restart is answered. */
async function servesAgain(c, what) {
  const r = await call(c, ['echo', 'again']);
  equal([r.exitCode, r.stdout], [0, '10 echo:again\n'], `${what}: the next call is answered (${r.stderr})`);
}

export const scenarios = [
  {
    name: "calls are answered worker to worker while the page's thread is held",
    async run({ c, blockMs }) {
      // Stdout large enough that the plugin never waits for this thread to
      // read while it is held (each line is ~19 bytes, a call a few µs).
      const p = c.spawn('hostcall', { args: ['each', 'clock', 'x', '10000000'], stdin: null, allow: { hostCalls: ['clock'] }, pipeBytes: 8 << 20 });
      const reader = p.stdout.getReader();
      const decoder = new TextDecoder();
      let text = '';
      while (!text.includes('\n')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      equal(text.slice(0, text.indexOf('\n')), 'started', 'the plugin runs');
      // Hold this thread: no event loop, no handler here can run.
      const from = epochMs();
      while (epochMs() - from < blockMs);
      const to = epochMs();
      // Answers the host worker gave while this thread was held (a margin for
      // clocks of two threads), read chunk by chunk (a turn of the event loop
      // between chunks: the page stays responsive) until one comes from after the hold.
      let during = 0;
      text = text.slice(text.indexOf('\n') + 1);
      for (let last = 0; last < to + 50;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        const end = text.lastIndexOf('\n');
        if (end < 0) continue;
        for (const line of text.slice(0, end).split('\n')) {
          last = Number(line);
          if (last > from + 2 && last < to - 2) during++;
        }
        text = text.slice(end + 1);
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      reader.releaseLock();
      p.kill('enough');
      await p.exit.catch(() => {});
      // One answer stamped inside the hold, clear of the clocks' margin, shows
      // it: this thread could answer nothing then. (Thousands come when the
      // two workers have a core; on a loaded two-core machine a handful.)
      check(during >= 1, `${during} answers given while the page's thread was held for ${blockMs} ms`);
    },
  },
  {
    name: 'a handler may block, call wasm, fail; grants and errors as on the page',
    async run({ c }) {
      const one = async (args, allow) => {
        const r = await call(c, args, allow);
        return [r.exitCode, r.exitCode === 0 ? r.stdout : r.stderr.trim()];
      };
      equal(await one(['echo', 'hello/world?']), [0, '17 echo:hello/world?\n'], 'echo');
      equal(await one(['sleep', '50']), [0, '8 slept 50\n'], 'a handler that blocks its thread for 50 ms');
      equal(await one(['add', '2+40']), [0, '2 42\n'], 'a handler that calls wasm synchronously');
      equal(await one(['onPage', 'x']), [0, '6 page:x\n'], "the page's own handler, beside the worker's");
      equal(await one(['broken', 'x']), [1, 'hostcall: broken: I/O error'], 'a handler that throws');
      equal(await one(['nobody', 'x']), [1, 'hostcall: nobody: No such file or directory'], 'an unknown handler');
      equal(await one(['echo', 'x'], { hostCalls: ['onPage'] }), [1, 'hostcall: echo: Permission denied'], 'a handler not granted');
      equal(await one(['echo', 'x'], 'none'), [1, 'hostcall: echo: Permission denied'], 'nothing is granted by default');
      equal(await one(['onPage', 'x'], { hostCalls: ['echo'] }), [1, 'hostcall: onPage: Permission denied'], "a page's handler not granted");
    },
  },
  {
    name: 'long, binary, streamed and awaited answers come whole',
    async run({ c }) {
      const big = await call(c, ['big', '300000']);
      equal([big.exitCode, big.stdout.length, big.stdout.slice(0, 9)], [0, '300000 '.length + 300000 + 1, '300000 xx'], 'a 300 kB answer (through a pipe)');
      equal((await call(c, ['bytes', '3000'])).stdout, `3000 ${'B'.repeat(3000)}\n`, 'bytes');
      equal((await call(c, ['stream', 'a,b,c'])).stdout, '6 a;b;c;\n', 'an async generator');
      equal((await call(c, ['later', 'x'])).stdout, '7 later:x\n', 'an async handler');
      equal((await call(c, ['controls', 'x'])).stdout, `400 ${'\u0001'.repeat(400)}\n`, 'control characters');
      equal((await call(c, ['pageControls', 'x'])).stdout, `400 ${'\u0001'.repeat(400)}\n`,
        "control characters from the page's handler (their JSON is longer than a ring message)");
    },
  },
  {
    name: 'a request longer than a ring message is ENAMETOOLONG, on both threads',
    async run({ c }) {
      for (const name of ['echo', 'onPage']) {
        const r = await call(c, [name, 'y'.repeat(3000)]);
        equal([r.exitCode, r.stderr.trim()], [1, `hostcall: ${name}: Filename too long`], name);
      }
    },
  },
  {
    name: 'four plugins call at once, each gets its own answers',
    async run({ c }) {
      const runs = [0, 1, 2, 3].map((i) => c.spawn('hostping', { args: ['same', `caller-${i}`, '0', '20', '32'], stdin: null, allow: { hostCalls: ['same'] } }).text());
      for (const [i, r] of (await Promise.all(runs)).entries()) {
        equal([r.exitCode, r.stderr, r.stdout.trim().split('\n').length], [0, '', 20], `caller ${i} (hostping checks every answer)`);
      }
    },
  },
  {
    name: 'a handler that never returns: the task times out, the host worker is replaced',
    async run({ c }) {
      const before = restarts(c);
      const stuck = c.spawn('hostcall', { args: ['forever', 'x'], stdin: null, allow: ALL, timeoutMs: 500 });
      // A second caller waiting behind it ends too: answered, or EIO if its call was lost with the host worker.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const behind = call(c, ['echo', 'behind']);
      await rejectsWith(stuck.exit, 'ETIMEDOUT', 'the stuck task');
      const b = await behind;
      check((b.exitCode === 0 && b.stdout === '11 echo:behind\n') || (b.exitCode === 1 && /I\/O error/.test(b.stderr)),
        `the caller behind it ends: ${JSON.stringify(b)}`);
      await servesAgain(c, 'after the timeout');
      equal(restarts(c), before + 1, 'the host worker was replaced once');
    },
  },
  {
    name: 'cancelled while its handler blocks: the same',
    async run({ c }) {
      const before = restarts(c);
      const abort = new AbortController();
      const stuck = c.spawn('hostcall', { args: ['forever', 'x'], stdin: null, allow: ALL, signal: abort.signal });
      await new Promise((resolve) => setTimeout(resolve, 200));
      abort.abort();
      await rejectsWith(stuck.exit, 'ECANCELED', 'the cancelled task');
      await servesAgain(c, 'after the cancel');
      equal(restarts(c), before + 1, 'the host worker was replaced once');
    },
  },
  {
    name: 'the host worker crashes: the plugin gets EIO, nothing hangs, the next call is answered',
    async run({ c }) {
      const before = restarts(c);
      const r = await call(c, ['crash', 'x'], ALL, { timeoutMs: 30_000 });
      equal([r.exitCode, r.stderr.trim()], [1, 'hostcall: crash: I/O error'], 'the call in flight');
      await servesAgain(c, 'after the crash');
      equal(restarts(c), before + 1, 'the host worker was restarted once');
    },
  },
  {
    name: "nested runs reach the host worker's handlers with their caller's grants, within the limits",
    async run({ c }) {
      const nested = (hostCalls) => call(c, ['run', 'hostcall', 'echo', 'deep'], { plugins: ['hostcall'], hostCalls });
      equal((await nested(['echo'])).stdout, '9 echo:deep\n', 'granted to the caller');
      equal((await nested([])).stdout, '', 'not granted to the caller: the nested call is refused');
      const deep = await call(c, ['recurse'], { plugins: ['hostcall'] });
      equal(deep.stdout, `${'level\n'.repeat(5)}refused: Symbolic link loop\n`, 'recursion stops at maxDepth 4');
    },
  },
  {
    name: 'close() ends a handler that never returns',
    async run({ create }) {
      const c2 = await create({ workers: 1, hostWorker: HANDLERS_URL });
      await c2.load('hostcall', pluginUrl('hostcall'));
      const p = c2.spawn('hostcall', { args: ['forever', 'x'], stdin: null, allow: ALL });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await c2.close();
      await rejectsWith(p.exit, 'ECLOSED', 'the task');
    },
  },
  {
    name: 'close() with a host worker parked on its bell is prompt',
    async run({ create }) {
      const c2 = await create({ workers: 1, hostWorker: HANDLERS_URL });
      await c2.load('hostcall', pluginUrl('hostcall'));
      const r = await c2.spawn('hostcall', { args: ['echo', 'once'], stdin: null, allow: ALL }).text();
      equal([r.exitCode, r.stdout], [0, '9 echo:once\n'], 'the call');
      // Long enough for the host worker to stop spinning and park.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const t0 = performance.now();
      await c2.close();
      // Chromium runs a terminated worker parked in Atomics.wait on for 2 s,
      // and close() waits for every thread to be gone: the host worker is
      // woken to leave its wait first.
      const ms = performance.now() - t0;
      check(ms < 1000, `close() took ${Math.round(ms)} ms`);
    },
  },
  {
    name: 'create() refuses a module without handlers, and a name on both threads',
    async run({ create }) {
      const refused = async (opts) => {
        try {
          const c2 = await create(opts);
          await c2.close();
        } catch (e) {
          return e;
        }
        throw new Error(`created with ${JSON.stringify(opts)}`);
      };
      const none = await refused({ workers: 1, hostWorker: { url: HANDLERS_URL, export: 'nothing' } });
      check(/no export 'nothing' that is an object of handler functions/.test(none.message), `no handlers: ${none.message}`);
      const both = await refused({ workers: 1, hostWorker: HANDLERS_URL, hostHandlers: { echo: () => 'page' } });
      check(both instanceof TypeError && /echo both in hostHandlers and in the hostWorker module/.test(both.message), `a name on both: ${both.message}`);
      let bad = null;
      try {
        new Coordinator({ hostWorker: 42 });
      } catch (e) {
        bad = e;
      }
      check(bad instanceof TypeError, `a hostWorker that is no URL: ${bad}`);
    },
  },
];

/** Where the example plugins are, for a coordinator a scenario makes itself. */
export function pluginUrl(name) {
  return new URL(`../../build/plugins/${name}.wasm`, import.meta.url);
}
