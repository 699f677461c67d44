// bindings-js/src/coordinator/process.js — a running plugin as the host sees it: its
// stdin to write, its stdout and stderr as web streams, its exit code, and
// afterwards the files it left in its memory mounts. startProcess() wires a
// spawn: pipes from the arena, mounts prepared, the task submitted.

import { TaskError, SabqError } from '../rings/errors.js';
import { errno } from '../rings/layout.js';
import { AnswerSpin, PipeLease, PIPE_BYTES, readableFrom, readAllBytes, writeAllAsync } from './pipes.js';
import { END } from '../rings/region.js';
import { prepareMounts, unflatten, mountPath } from './mounts.js';

const HOST = 'host'; // the host's hold on a pipe (see pipes.js)
const FED_STDIN_BYTES = 1 << 20;

/** stdin given as data or a stream, which this thread writes and then closes. */
const fed = (stdin) => stdin !== undefined && stdin !== 'pipe' && stdin !== null && stdin !== 'ignore' && !(stdin instanceof ProcessHandle);

// A handle dropped without its stdout or stderr ever being read lets go of
// those pipes. (A stream, once made, holds its pipe itself and lets go at its
// end or cancel; the handle's entry is cleared then.)
const unread = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry((pending) => Object.values(pending).forEach((l) => l?.drop(HOST)))
  : null;

/**
 * Starts plugin `name` as a task. `ctx`: {sabq, arena, plugins, dispatch}.
 * `extra`: {grants, depth, ephemeral, timeoutMs} (nested runs are ephemeral and deeper).
 */
export function startProcess(ctx, name, options, extra) {
  const plugin = ctx.plugins.get(name);
  const { stdin: stdinOption = 'pipe', stdout = 'pipe', stderr = 'pipe' } = options;
  const upstream = stdinOption instanceof ProcessHandle ? stdinOption : null;
  const bytes = options.pipeBytes ?? PIPE_BYTES;
  const newPipe = (option, size = bytes) => (option === null || option === 'ignore' ? null : PipeLease.create(ctx.sabq, ctx.arena, HOST, size));
  // stdin from another process is that process's stdout, as it is: no copy through here.
  const leases = {
    // stdin fed from data or a stream: a larger pipe, so this thread (the
    // feeder) is woken once per MiB rather than per 64 KiB.
    stdin: upstream ? upstream._takeStdout() : newPipe(stdinOption, fed(stdinOption) ? Math.max(bytes, FED_STDIN_BYTES) : bytes),
    // A stage's stdout that the next stage reads: a larger pipe lets both
    // run at once instead of taking turns at every 64 KiB.
    stdout: newPipe(stdout, extra.stdoutBytes ?? bytes),
    stderr: newPipe(stderr),
  };
  const spec = {
    kind: 'wasi',
    moduleId: plugin.id,
    name,
    args: (options.args ?? []).map(String),
    env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    tty: !!options.tty,
    stdin: leases.stdin?.pipe.toJSON() ?? null,
    stdout: leases.stdout?.pipe.toJSON() ?? null,
    stderr: leases.stderr?.pipe.toJSON() ?? null,
    host: true,
    // checked by the worker for calls to a host worker's handlers (host-rpc.js)
    hostCalls: extra.grants ? extra.grants.hostCallList() : [],
    mounts: [],
    watchFiles: typeof options.onFileClosed === 'function',
  };
  const hasMounts = options.mounts && Object.keys(options.mounts).length > 0;
  const task = ctx.dispatch.submit(spec, {
    timeoutMs: extra.timeoutMs,
    signal: options.signal,
    grants: extra.grants,
    depth: extra.depth,
    ephemeral: extra.ephemeral,
    prepare: hasMounts ? async (t) => {
      const { specs, transfer } = await prepareMounts(options.mounts);
      spec.mounts = specs;
      t.transfer = transfer;
    } : null,
  });
  task.onFileClosed = options.onFileClosed ?? null;
  task.pipes = leases; // for inspect()
  // The task holds every pipe its worker uses until it is quiet.
  for (const lease of Object.values(leases)) {
    if (!lease) continue;
    lease.hold(task);
    task.own(() => lease.drop(task));
  }
  // The upstream's hold on the pipe we now read: nobody on this thread reads it.
  if (upstream) leases.stdin.drop(HOST);
  // A plugin that did not end by itself (killed, timed out, crashed) cannot
  // close its pipes: close them for it, so a reader sees the end of what was
  // written and a writer gets EPIPE, instead of waiting for ever.
  task.promise.catch(() => {
    for (const lease of Object.values(leases)) lease?.pipe.close();
  });
  const handle = new ProcessHandle(task, { stdin: upstream ? null : leases.stdin, stdout: leases.stdout, stderr: leases.stderr },
    (error) => ctx.dispatch.abort(task, error));
  if (fed(stdinOption)) handle._feed(stdinOption);
  return handle;
}

/** A stream of `chunks` (Uint8Arrays), then its end. */
const streamOf = (chunks) => new ReadableStream({
  start(controller) {
    for (const chunk of chunks) controller.enqueue(chunk);
    controller.close();
  },
});

/** Everything left in a pipe no worker writes to any more: a list of chunks. */
function drain(pipe) {
  const chunks = [];
  for (let chunk; (chunk = pipe.read()) !== null && chunk !== END;) chunks.push(chunk); // Pipe.read's own arrays
  return chunks;
}

export class ProcessHandle {
  constructor(task, { stdin, stdout, stderr }, kill) {
    this._task = task;
    this._kill = kill;
    this._stdin = stdin;
    this._stdout = stdout;
    this._stderr = stderr;
    /** Resolves with the exit code; rejects with a TaskError (trap, crash, timeout, cancel). */
    this.exit = task.promise;
    // Once the program is gone nobody reads its stdin: it is closed, so a
    // write still waiting for room ends (EPIPE), and the host lets go of the
    // pipe after every such write has withdrawn its wait (the memory may be
    // reused at once, and a wait announced there would corrupt its next owner).
    this._stdinWrites = new Set();
    this._stdinEnded = false;
    task.promise.catch(() => {}).finally(async () => {
      if (!this._stdin) return;
      this._stdinEnded = true;
      this._stdin.pipe.close();
      await Promise.all([...this._stdinWrites]);
      this._stdin.drop(HOST);
    });
    // Looks for stdout's answer after each write(); a pipeline's first
    // stage shares its last stage's (coordinator.js).
    this._answers = new AnswerSpin();
    this._unread = { stdout, stderr };
    unread?.register(this, this._unread);
    // Once no worker can write any more, output nobody has started reading
    // leaves shared memory at once: what is left in the pipe (at most its
    // capacity) is copied out and the pipe goes back to the arena, so a
    // handle kept, or dropped and not yet collected, holds no shared memory.
    // Reading it later gives the same bytes.
    task.quiet.then(() => {
      for (const name of ['stdout', 'stderr']) {
        const lease = this._unread[name];
        if (!lease) continue;
        this._unread[name] = null;
        this[`_${name}Left`] = drain(lease.pipe);
        lease.drop(HOST);
      }
    });
  }

  /**
   * Writes to the program's stdin, awaiting room; resolves with the bytes
   * written. While a read of stdout waits, it first looks for the answer for
   * up to waitOptions.answerSpinMicros (AnswerSpin in pipes.js).
   */
  write(data) {
    const answered = this._writeStdin(data).then((n) => {
      this._answers.afterWrite();
      return n;
    });
    // As the write itself (tracked in _writeStdin): a caller that looks at a
    // failed write later (EPIPE once the program has ended) is not reported
    // an unhandled rejection meanwhile.
    answered.catch(() => {});
    return answered;
  }

  _writeStdin(data) {
    if (!this._stdin) throw new TypeError('sabq: this process has no stdin pipe');
    if (this._stdinEnded) return Promise.reject(new SabqError(-errno.EPIPE, 'sabq: the process has ended; its stdin is closed'));
    const writing = this._stdin.pipe.writeAsync(data);
    const tracked = writing.catch(() => {}).finally(() => this._stdinWrites.delete(tracked));
    this._stdinWrites.add(tracked);
    return writing;
  }

  /** End of file on the program's stdin. */
  closeStdin() {
    if (!this._stdinEnded) this._stdin?.pipe.close();
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
    if (!this._stdoutStream) {
      this._unread.stdout = null;
      this._stdoutStream = this._stdoutLeft ? streamOf(this._stdoutLeft) : readableFrom(this._stdout, HOST, this._answers);
    }
    return this._stdoutStream;
  }

  get stderr() {
    if (!this._stderr) return null;
    if (!this._stderrStream) {
      this._unread.stderr = null;
      this._stderrStream = this._stderrLeft ? streamOf(this._stderrLeft) : readableFrom(this._stderr, HOST);
    }
    return this._stderrStream;
  }

  /**
   * Waits for the exit (of every stage, for a pipeline) and collects all
   * output: {exitCode, stdout, stderr} (bytes).
   */
  async output() {
    const [stdout, stderr] = await Promise.all([
      this._stdout ? readAllBytes(this.stdout) : new Uint8Array(0),
      this._stderr ? readAllBytes(this.stderr) : new Uint8Array(0),
      this._allStages ?? this.exit.catch(() => {}),
    ]);
    return { exitCode: await this.exit, stdout, stderr };
  }

  /** output(), with stdout and stderr decoded as UTF-8. */
  async text() {
    const { exitCode, stdout, stderr } = await this.output();
    const d = new TextDecoder();
    return { exitCode, stdout: d.decode(stdout), stderr: d.decode(stderr) };
  }

  /** Stops the program (its worker is replaced). */
  kill(reason = 'killed') {
    this._kill(new TaskError('ECANCELED', `process killed: ${reason}`));
  }

  /**
   * After the exit: what the plugin left in the memory mount (or image
   * overlay) at `path`, as a tree {name: Uint8Array | SymlinkSpec | {...}}.
   * Also after a non-zero exit or a trap; rejects with the task's error if its
   * worker died (kill, timeout, crash).
   */
  async files(path) {
    return unflatten((await this._collected(path)).entries);
  }

  /** After the exit: what changed in that mount: [{path, change: 'added'|'modified'|'deleted', type}]. */
  async changes(path) {
    return (await this._collected(path)).changes;
  }

  async _collected(path) {
    const where = mountPath(path);
    let error = null;
    await this.exit.catch((e) => {
      error = e;
    });
    const files = this._task.files;
    if (!files) throw error ?? new Error('sabq: the plugin left no files');
    if (!files[where]) throw new TypeError(`sabq: '${where}' is not a memory or overlay mount of this process`);
    return files[where];
  }

  /** Hands this process's stdout pipe to a reader in another worker. */
  _takeStdout() {
    if (!this._stdout || this._stdoutStream || this._stdoutTaken || this._stdoutLeft) throw new Error('sabq: stdout already read or piped');
    this._stdoutTaken = true;
    this._unread.stdout = null;
    return this._stdout;
  }

  /** Feeds stdin from a string, bytes, a Blob or a (async-)iterable/ReadableStream, then closes it. */
  _feed(src) {
    (async () => {
      try {
        // Not write(): input given whole is not a conversation.
        await writeAllAsync({ writeAsync: (chunk) => this._writeStdin(chunk) }, src);
      } catch {
        // the program exited (EPIPE) before taking everything: as a shell would, drop the rest
      } finally {
        this.closeStdin();
      }
    })();
  }
}
