// tests/js/rust-host-scenarios.mjs — what the Rust host (examples/rust/) must
// do, written once and run in Node (rust-host.test.mjs) and in each browser
// (tests/browser/rust-host-page.js). No Node imports. Each scenario gets
// examples/rust/start-host.js's startRustHost, starts its own host, and
// throws on failure. The page side only uses non-blocking and async calls.
import { END } from '../../bindings-js/src/index.js';

const TIMEOUT_MS = 30_000;
const MAX_REQUEST = 1 << 20; // examples/rust/src/lib.rs

function check(ok, message) {
  if (!ok) throw new Error(message);
}
function equal(actual, expected, what) {
  check(actual === expected, `${what}: got ${JSON.stringify(actual)?.slice(0, 200)}, expected ${JSON.stringify(expected)?.slice(0, 200)}`);
}

/** Reads the answers pipe line by line, without blocking this thread. */
class AnswerReader {
  constructor(pipe) {
    this.pipe = pipe;
    this.decoder = new TextDecoder();
    this.buffered = '';
    this.ended = false;
  }

  /** The next line (without its newline), or null at end of stream. */
  async next() {
    for (;;) {
      const nl = this.buffered.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        return line;
      }
      if (this.ended) return null;
      const chunk = await this.pipe.readAsync(this.pipe.capacity, { timeoutMs: TIMEOUT_MS });
      check(chunk !== null, `no answer within ${TIMEOUT_MS} ms`);
      if (chunk === END) this.ended = true;
      else this.buffered += this.decoder.decode(chunk, { stream: true });
    }
  }
}

async function write(host, data) {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  equal(await host.requests.writeAsync(bytes, { timeoutMs: TIMEOUT_MS }), bytes.length, 'bytes written');
}

/** Closes the requests pipe and checks the goodbye, the end, and the count. */
async function finish(host, reader, served) {
  host.requests.close();
  equal(await reader.next(), `bye ${served}`, 'goodbye');
  equal(await reader.next(), null, 'end of the answers');
  equal(await host.done, served, 'requests served');
}

export const rustHostScenarios = [
  {
    name: 'a request in, an answer out, 1000 times: the host blocks in between',
    async run(startRustHost) {
      const host = await startRustHost();
      const reader = new AnswerReader(host.answers);
      for (let i = 0; i < 500; i++) {
        await write(host, `set k${i} value ${i}\n`);
        equal(await reader.next(), 'ok', `set ${i}`);
        await write(host, `get k${i}\n`);
        equal(await reader.next(), `value ${i}`, `get ${i}`);
      }
      await finish(host, reader, 1000);
    },
  },
  {
    name: '20000 requests in one burst through 4 KiB pipes, answered in order',
    async run(startRustHost) {
      const host = await startRustHost({ capacity: 4096 });
      const reader = new AnswerReader(host.answers);
      const n = 10_000;
      let text = '';
      for (let i = 0; i < n; i++) text += `set key${i} ${i * 7}\n`;
      for (let i = 0; i < n; i++) text += `get key${i}\n`;
      text += 'count\n';
      // Written while the answers are read: the pipes hold 4 KiB each, so
      // writing everything first would leave both sides waiting on the other.
      const writing = write(host, text);
      for (let i = 0; i < n; i++) equal(await reader.next(), 'ok', `set ${i}`);
      for (let i = 0; i < n; i++) equal(await reader.next(), String(i * 7), `get ${i}`);
      equal(await reader.next(), String(n), 'count');
      await writing;
      await finish(host, reader, 2 * n + 1);
    },
  },
  {
    name: 'a 300 kB value streams through pipes smaller than it, both ways',
    async run(startRustHost) {
      const host = await startRustHost({ capacity: 1024 });
      const reader = new AnswerReader(host.answers);
      let value = '';
      for (let i = 0; value.length < 300_000; i++) value += `${i.toString(36)}.`;
      value = value.slice(0, 300_000);
      const writing = write(host, `set big ${value}\nlen big\nget big\n`);
      equal(await reader.next(), 'ok', 'set big');
      equal(await reader.next(), '300000', 'len big');
      equal(await reader.next(), value, 'get big');
      await writing;
      await finish(host, reader, 3);
    },
  },
  {
    name: 'bad requests are answered with errors and the host keeps serving',
    async run(startRustHost) {
      const host = await startRustHost();
      const reader = new AnswerReader(host.answers);
      const writing = (async () => {
        await write(host, new Uint8Array([0x67, 0x65, 0x74, 0x20, 0xff, 0xfe, 0x0a])); // "get \xff\xfe\n"
        await write(host, 'set\nget\nfly away\n');
        // Longer than the host accepts: answered once, then skipped to its end.
        await write(host, `set huge ${'y'.repeat(MAX_REQUEST + 1000)}\n`);
        await write(host, 'set a 1\ncount\n');
      })();
      equal(await reader.next(), 'error: request is not UTF-8', 'invalid UTF-8');
      equal(await reader.next(), 'error: usage: set KEY VALUE', 'set alone');
      equal(await reader.next(), 'error: usage: get KEY', 'get alone');
      equal(await reader.next(), "error: unknown request 'fly'", 'unknown verb');
      equal(await reader.next(), `error: request over ${MAX_REQUEST} bytes`, 'over-long request');
      equal(await reader.next(), 'ok', 'served after the errors');
      equal(await reader.next(), '1', 'the over-long set stored nothing');
      await writing;
      await finish(host, reader, 7);
    },
  },
  {
    name: 'the page closing the answers pipe ends the host with EPIPE',
    async run(startRustHost) {
      const host = await startRustHost();
      const reader = new AnswerReader(host.answers);
      await write(host, 'count\n');
      equal(await reader.next(), '0', 'first answer');
      host.answers.close(); // the page stops listening
      await write(host, 'count\n'); // the host's answer now fails with EPIPE
      let error;
      await host.done.catch((e) => { error = e; });
      equal(error?.code, 'EPIPE', `the host's error (${error})`);
      host.requests.close();
    },
  },
];
