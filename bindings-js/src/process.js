// bindings-js/src/process.js — a running plugin as the host sees it: its
// stdin to write, its stdout and stderr as web streams, its exit code. The
// pipes live in the coordinator's shared memory; StdioLease returns each to
// the arena once neither a worker nor the host can still touch it.

import { END } from './region.js';
import { TaskError } from './errors.js';

/** Reference count of one stdio pipe: one reference for the host side, one
 * per task that uses it; the last release returns it to the arena. */
export class StdioLease {
  constructor(pipe, arena) {
    this.pipe = pipe;
    this.arena = arena;
    this.refs = 1; // the host's
  }

  hold() {
    this.refs++;
  }

  done() {
    this.release();
  }

  release() {
    if (--this.refs === 0) this.arena.release(this.pipe.offset);
  }
}

const CHUNK = 1 << 16;

/** A ReadableStream over a pipe's read end, read without blocking this thread. */
function readable(lease) {
  let released = false;
  const let_go = () => {
    if (!released) {
      released = true;
      lease.pipe.close(); // a writer still going gets EPIPE, as with a closed pipe(2)
      lease.release();
    }
  };
  return new ReadableStream({
    async pull(controller) {
      const chunk = await lease.pipe.readAsync(CHUNK);
      if (chunk === END) {
        controller.close();
        let_go();
      } else if (chunk !== null) {
        controller.enqueue(chunk.slice());
      }
    },
    cancel: let_go,
  });
}

async function readAllBytes(stream) {
  const parts = [];
  let n = 0;
  for await (const chunk of stream) {
    parts.push(chunk);
    n += chunk.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export class ProcessHandle {
  constructor(coordinator, task, { stdin, stdout, stderr }) {
    this._coordinator = coordinator;
    this._task = task;
    this._stdin = stdin;
    this._stdout = stdout;
    this._stderr = stderr;
    /** Resolves with the exit code; rejects with a TaskError (trap, crash,
     * timeout, cancel). */
    this.exit = task.promise;
    // Once the program is gone nobody reads its stdin: the host lets go of it.
    this.exit.catch(() => {}).finally(() => {
      if (this._stdin && !this._stdinReleased) {
        this._stdinReleased = true;
        this._stdin.release();
      }
    });
  }

  /** Writes to the program's stdin, awaiting room; resolves with the bytes written. */
  write(data) {
    if (!this._stdin) throw new TypeError('sabq: this process has no stdin pipe');
    return this._stdin.pipe.writeAsync(data);
  }

  /** End of file on the program's stdin. */
  closeStdin() {
    this._stdin?.pipe.close();
  }

  /** stdin as a WritableStream. */
  get stdin() {
    this._stdinStream ??= new WritableStream({
      write: (chunk) => this.write(chunk),
      close: () => this.closeStdin(),
      abort: () => this.closeStdin(),
    });
    return this._stdinStream;
  }

  /** stdout as a ReadableStream of Uint8Array chunks (async-iterable). */
  get stdout() {
    if (!this._stdout) return null;
    if (this._stdoutTaken) throw new Error('sabq: this stdout is piped into another process');
    this._stdoutStream ??= readable(this._stdout);
    return this._stdoutStream;
  }

  get stderr() {
    if (!this._stderr) return null;
    this._stderrStream ??= readable(this._stderr);
    return this._stderrStream;
  }

  /** Waits for the exit and collects all output: {exitCode, stdout, stderr} (bytes). */
  async output() {
    const [stdout, stderr, exitCode] = await Promise.all([
      this._stdout ? readAllBytes(this.stdout) : new Uint8Array(0),
      this._stderr ? readAllBytes(this.stderr) : new Uint8Array(0),
      this.exit,
    ]);
    return { exitCode, stdout, stderr };
  }

  /** output(), with stdout and stderr decoded as UTF-8. */
  async text() {
    const { exitCode, stdout, stderr } = await this.output();
    const d = new TextDecoder();
    return { exitCode, stdout: d.decode(stdout), stderr: d.decode(stderr) };
  }

  /** Stops the program (its worker is replaced). */
  kill(reason = 'killed') {
    this._coordinator._abort(this._task, new TaskError('ECANCELED', `process killed: ${reason}`));
  }

  /** Hands this process's stdout pipe to a reader in another worker. */
  _takeStdout() {
    if (!this._stdout || this._stdoutStream || this._stdoutTaken) {
      throw new Error('sabq: stdout already read or piped');
    }
    this._stdoutTaken = true;
    return this._stdout;
  }

  /** Feeds stdin from a string, bytes or a (async-)iterable/ReadableStream, then closes it. */
  _feed(src) {
    (async () => {
      try {
        if (typeof src === 'string' || ArrayBuffer.isView(src) || src instanceof ArrayBuffer) {
          await this.write(src);
        } else {
          for await (const chunk of src) await this.write(chunk);
        }
      } catch {
        // the program exited (EPIPE) before taking everything: as a shell would, drop the rest
      } finally {
        this.closeStdin();
      }
    })();
  }
}
