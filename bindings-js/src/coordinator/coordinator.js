// bindings-js/src/coordinator/coordinator.js — the public face of the compute layer: a
// pool of workers that run JS tasks and WASI plugins, stream plugin stdio,
// pipe plugins into each other, mount files for them and serve their host
// calls, surviving crashes, timeouts and cancellation. The main thread never
// blocks: everything here is async. Each concern lives in its own module:
//   pool.js (workers)      dispatch.js + task.js (tasks, one owner each)
//   plugins.js (modules)   host-rpc.js (/host calls)   process.js (spawn)
//   host-thread.js (handlers in a worker of their own)
//   mounts.js (files)      platform.js (Node vs browsers)   protocol.js (messages)

import { Sabq, compileSabq } from '../rings/module.js';
import { layout } from '../rings/layout.js';
import { Arena } from './arena.js';
import { TaskError } from '../rings/errors.js';
import { WorkerPool } from './pool.js';
import { Dispatcher } from './dispatch.js';
import { PluginRegistry } from './plugins.js';
import { HostServer, Grants } from './host-rpc.js';
import { HostThread, hostWorkerSpec } from './host-thread.js';
import { startProcess } from './process.js';
import { Image, startMountHelper } from './mounts.js';
import { ERRNO } from '../wasi/abi.js';
import { make } from './protocol.js';
import { coreCount, defaultWorkerCount, toUrl } from './platform.js';
import { inspect } from './inspect.js';

const OPTIONS = new Set(['workers', 'queueSlots', 'taskTimeoutMs', 'hostHandlers', 'hostWorker', 'memoryMiB', 'wasiShimUrl', 'allow', 'limits', 'workerStartTimeoutMs', 'spin']);
const SPAWN_OPTIONS = new Set(['args', 'env', 'stdin', 'stdout', 'stderr', 'tty', 'signal', 'timeoutMs', 'mounts', 'onFileClosed', 'allow', 'pipeBytes']);
/** Bytes of a pipe between two pipeline stages. */
const STAGE_PIPE_BYTES = 1 << 20;
const STAGE_OPTIONS = new Set(['plugin', 'args', 'env', 'mounts', 'allow', 'onFileClosed']);
const PIPELINE_OPTIONS = new Set(['stdin', 'stdout', 'stderr', 'tty', 'signal', 'timeoutMs', 'pipeBytes', 'pipefail']);

function checkKeys(what, options, known) {
  for (const key of Object.keys(options ?? {})) {
    if (!known.has(key)) throw new TypeError(`sabq: unknown ${what} option '${key}' (known: ${[...known].join(', ')})`);
  }
}

/**
 * How long a worker's blocking call spins before it parks, by default. A
 * spin pays when the thread it waits for runs on another core and answers
 * within it; with more threads than cores (the workers and the page), the
 * thread it waits for may be the one it keeps off its core: a pipeline of
 * three plugins with three workers on 2 vCPUs moved 100 MB 1.16x faster
 * parking at once than spinning 4000 tries (bench/js/pipeline-bench.mjs,
 * docs/plugins.md).
 * So: spin when every worker and the page have a core, else park at once,
 * as an OS pipe does.
 */
export function workerSpin(workers, cores) {
  return workers + 1 <= cores ? layout.SPIN_DEFAULT : 0;
}

export class Coordinator {
  /**
   * @param {object} [options]
   * @param {number} [options.workers] pool size (default: hardware concurrency − 1)
   * @param {number} [options.queueSlots] tasks that may wait in the queue (power of two; default 1024)
   * @param {number} [options.taskTimeoutMs] default limit on a task's running time, from when a worker takes it
   * @param {Record<string, (request: string) => any>} [options.hostHandlers] what plugins reach at /host/call/NAME,
   *   run on this thread
   * @param {string|URL|{url: string|URL, export?: string}} [options.hostWorker] a module whose export
   *   (default: 'default') is an object of handlers, run in a worker of their own: a plugin's call
   *   is answered worker to worker, and a handler may block
   * @param {{hostCalls?: string[]|'*', plugins?: string[]|'*'}} [options.allow] what a plugin may reach
   *   through /host unless its spawn says otherwise (default: nothing)
   * @param {{maxDepth?: number, maxNested?: number}} [options.limits] nested /host/run calls: how deep
   *   (default 8) and how many alive at once (default 64)
   * @param {number} [options.memoryMiB] initial shared memory for rings (default 16; grows)
   * @param {string|URL} [options.wasiShimUrl] where workers import @bjorn3/browser_wasi_shim from
   *   (unbundled pages without an import map for it; bundled apps need none)
   * @param {number} [options.spin] tries a worker's blocking pipe or ring call spins before it parks
   *   (default: 4000 when the workers and the page each have a core, else 0: see workerSpin)
   */
  static async create(options = {}) {
    const c = new Coordinator(options);
    await c.ready;
    return c;
  }

  constructor(options = {}) {
    checkKeys('Coordinator', options, OPTIONS);
    if (options.spin !== undefined && !(Number.isInteger(options.spin) && options.spin >= 0)) {
      throw new RangeError(`sabq: Coordinator option spin must be an integer >= 0, not ${options.spin}`);
    }
    this.options = options;
    this.closed = false;
    this.defaultGrants = new Grants(options.allow);
    this.hostWorkerSpec = options.hostWorker === undefined ? null : hostWorkerSpec(options.hostWorker);
    this.ready = this._start();
    this.ready.catch(() => {});
  }

  async _start() {
    const pages = Math.ceil(((this.options.memoryMiB ?? 16) << 20) / 65536);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: 16384, shared: true });
    const sabqModule = await compileSabq();
    const sabq = await Sabq.instantiate(this.memory, { module: sabqModule });
    const arena = new Arena(this.memory);
    this.dispatch = new Dispatcher({
      sabq,
      arena,
      queueSlots: this.options.queueSlots ?? 1024,
      pool: () => this.pool,
      onStopped: (task) => this.hostThread?.taskStopped(task.id),
    });
    this.plugins = new PluginRegistry((msg) => this.pool.broadcast(msg));
    const handlers = { ...(this.options.hostHandlers ?? {}) };
    if (this.hostWorkerSpec) {
      this.hostThread = await HostThread.start({
        sabq,
        arena,
        sabqModule,
        spec: this.hostWorkerSpec,
        onRelay: (workerId, relay, pieces) => this.host.relay(this.pool.byId(workerId), relay, pieces),
      });
      const both = this.hostThread.names.filter((name) => Object.hasOwn(handlers, name));
      if (both.length > 0) {
        await this.hostThread.close();
        throw new TypeError(`sabq: host handler${both.length > 1 ? 's' : ''} ${both.join(', ')} both in hostHandlers and in the hostWorker module`);
      }
    }
    this.host = new HostServer({
      sabq,
      arena,
      handlers,
      taskById: (id) => this.dispatch.get(id),
      pluginExists: (name) => this.plugins.has(name),
      runPlugin: (caller, command, args) => this._nestedRun(caller, command, args),
      limits: { maxDepth: 8, maxNested: 64, ...this.options.limits },
    });
    this.pool = new WorkerPool({
      memory: this.memory,
      sabq,
      sabqModule,
      arena,
      queue: this.dispatch.queue,
      shimUrl: this.options.wasiShimUrl ? String(this.options.wasiShimUrl) : resolvedShimUrl(),
      modules: () => this.plugins.all(),
      onStarted: (w) => {
        this.host.serve(w);
        this.pool.keepAlive(this.dispatch.tasks.size > 0);
      },
      hostThread: this.hostThread ?? null,
      onRetired: (w) => Promise.all([this.host.stop(w), this.hostThread?.detach(w)]),
      onMessage: (w, msg) => this._fromWorker(w, msg),
      onCrash: (w, error) => this.dispatch.crashed(w, error),
      ...(this.options.workerStartTimeoutMs !== undefined && { startTimeoutMs: this.options.workerStartTimeoutMs }),
    });
    this.ctx = { sabq, arena, plugins: this.plugins, dispatch: this.dispatch };
    const n = this.options.workers ?? (await defaultWorkerCount());
    this.pool.spin = this.options.spin ?? workerSpin(n, await coreCount());
    await Promise.all(Array.from({ length: n }, () => this.pool.start(false).ready));
    this.pool.keepAlive(false);
  }

  _fromWorker(w, msg) {
    switch (msg.type) {
      case 'claim':
        return this.dispatch.claim(w, msg.taskId);
      case 'done':
        return this.dispatch.finished(w, msg.taskId, msg.value, null, msg.files);
      case 'failed':
        return this.dispatch.finished(w, msg.taskId, null, rebuildError(msg.error), msg.files);
      case 'fileClosed': {
        const task = this.dispatch.get(msg.taskId);
        const { mount, path, size, data } = msg;
        if (task?.onFileClosed) queueMicrotask(() => task.onFileClosed({ mount, path, size, data }));
        return undefined;
      }
      case 'startHelper':
        return this._startHelper(w, msg);
      case 'fatal':
        return this.dispatch.crashed(w, rebuildError(msg.error));
      default:
        return undefined;
    }
  }

  /**
   * Starts the helper of the OPFS mount at `path` of the task `w` runs, which
   * the task owns (it ends with the task), and answers the worker.
   */
  async _startHelper(w, { taskId, path }) {
    let answer;
    try {
      const task = this.dispatch.get(taskId);
      const spec = task?.worker === w ? task.spec.mounts?.find((m) => m.path === path && m.kind === 'opfs') : null;
      if (!spec) throw Object.assign(new Error(`sabq: task ${taskId} of this worker has no OPFS mount '${path}'`), { errno: ERRNO.INVAL });
      const helper = await startMountHelper(spec);
      task.own(helper.stop);
      answer = { channel: helper.channel };
    } catch (e) {
      answer = { error: { errno: e.errno ?? ERRNO.IO, message: e.message } }; // whatever went wrong: the worker waits for an answer
    }
    w.post(make('toWorker', 'helper', { taskId, path, ...answer }));
  }

  /**
   * Registers a WASI plugin under `name`: compiled once, shared with every
   * worker. `source`: a URL or path (string/URL), bytes, a Response or a
   * WebAssembly.Module.
   */
  async load(name, source) {
    await this.ready;
    return this.plugins.load(name, source);
  }

  /**
   * Packs `tree` ({name: string | bytes | Blob | URL | symlink() | {...}})
   * once into shared memory. Mount the Image in any number of spawns: none
   * copies it. `image.overlay()` mounts it writable, privately.
   */
  async image(tree) {
    return Image.pack(tree, { pause: () => new Promise((resolve) => setTimeout(resolve, 0)) });
  }

  /**
   * Runs a JS task in a worker: `task` is {url, export} (a module URL and the
   * name of an exported function, default 'default'); resolves with what the
   * function returns (structured-cloned), rejects with its error or a TaskError.
   */
  run(task, input, options = {}) {
    checkKeys('run', options, new Set(['signal', 'timeoutMs']));
    const spec = { kind: 'js', url: String(toUrl(task.url)), export: task.export ?? 'default', input };
    return this._whenReady(() => this.dispatch.submit(spec, this._taskOptions(options)).promise);
  }

  /**
   * Starts a WASI plugin registered with load(). Returns a ProcessHandle.
   * @param {object} [options] {args, env, stdin, stdout, stderr, tty, signal,
   *   timeoutMs, mounts, onFileClosed, allow} — see index.d.ts
   */
  spawn(name, options = {}) {
    checkKeys('spawn', options, SPAWN_OPTIONS);
    return this._spawn(name, options, {});
  }

  _spawn(name, options, extra) {
    this._checkOpen();
    if (!this.dispatch) throw new TypeError('sabq: spawn() before the coordinator is ready (await Coordinator.create())');
    return startProcess(this.ctx, name, options, {
      grants: this._grants(options.allow),
      depth: 0,
      ephemeral: false,
      timeoutMs: options.timeoutMs ?? this.options.taskTimeoutMs,
      ...extra,
    });
  }

  /**
   * Runs `stages` ([{plugin, args, env, mounts, allow}]) as `a | b | c`: each
   * in its own worker, each stdout the next stdin through one sabq pipe.
   * Returns the last stage's handle, with `stages` (all handles), `first`,
   * `exitCodes` and `outcomes`; its output()/text() resolve once every stage
   * has ended. Its `exit` fails when any stage did (`pipefail`, the default):
   * see pipelineExit(). `{pipefail: false}`: the last stage's exit alone, as
   * a shell without pipefail.
   */
  pipeline(stages, options = {}) {
    checkKeys('pipeline', options, PIPELINE_OPTIONS);
    if (!Array.isArray(stages) || stages.length === 0) throw new TypeError('sabq: pipeline needs at least one stage');
    const handles = [];
    let stdin = options.stdin ?? 'pipe';
    stages.forEach((s, i) => {
      checkKeys('pipeline stage', s, STAGE_OPTIONS);
      const last = i === stages.length - 1;
      const h = this._spawn(s.plugin, {
        args: s.args,
        env: s.env,
        mounts: s.mounts,
        allow: s.allow,
        onFileClosed: s.onFileClosed,
        tty: options.tty,
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        stdin,
        stderr: options.stderr ?? 'pipe',
        stdout: last ? options.stdout ?? 'pipe' : 'pipe',
        pipeBytes: options.pipeBytes,
      }, { stdoutBytes: last ? undefined : options.pipeBytes ?? STAGE_PIPE_BYTES });
      handles.push(h);
      stdin = h;
    });
    const last = handles[handles.length - 1];
    last.stages = handles;
    last.first = handles[0];
    handles[0]._answers = last._answers; // what is written to the first stage is answered by the last
    last.exitCodes = Promise.all(handles.map((h) => h.exit));
    last.exitCodes.catch(() => {});
    last._allStages = Promise.allSettled(handles.map((h) => h.exit));
    last.outcomes = last._allStages.then((settled) => settled.map((r, i) => ({
      stage: i,
      plugin: stages[i].plugin,
      ...(r.status === 'fulfilled' ? { exitCode: r.value } : { error: r.reason }),
    })));
    if (options.pipefail ?? true) {
      last.exit = last.outcomes.then(pipelineExit);
      last.exit.catch(() => {});
    }
    return last;
  }

  /** Shuts everything down: pending and running tasks reject with ECLOSED, workers are terminated. */
  async close() {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.ready;
    } catch {
      await this.hostThread?.close();
      return;
    }
    // The host worker first: a handler of it that never returns must not
    // hold up the workers' retirement (each waits until it lets go of their rings).
    const hostGone = this.hostThread?.close();
    // Workers already being retired (stopped mid-task) are waited for too:
    // close() settles when no thread of this coordinator is left.
    const gone = Promise.all([...this.pool.retiring, ...this.pool.workers].map((w) => this.pool.retire(w)));
    this.dispatch.close(gone);
    await Promise.all([gone, hostGone]);
  }

  /**
   * A snapshot of the coordinator's state, for diagnosing a hang: tasks (with
   * the pipes they hold, their fill and waiter counts), workers, workers
   * still stopping (what close() waits for), the queue and the arena. Plain
   * data; its shape is for people and may change.
   */
  inspect() {
    return inspect(this);
  }

  // ---- inside -------------------------------------------------------------------

  _checkOpen() {
    if (this.closed) throw new TaskError('ECLOSED', 'Coordinator is closed');
  }

  _grants(allow) {
    return allow === undefined ? this.defaultGrants : new Grants(allow);
  }

  _taskOptions(options) {
    return { timeoutMs: options.timeoutMs ?? this.options.taskTimeoutMs, signal: options.signal };
  }

  _whenReady(fn) {
    if (this.closed) return Promise.reject(new TaskError('ECLOSED', 'Coordinator is closed'));
    if (this.dispatch) return fn();
    return this.ready.then(fn);
  }

  /** /host/run from a plugin: on a worker of its own, with no more than its caller may reach. */
  _nestedRun(caller, command, args) {
    const child = startProcess(this.ctx, command, { args, stdin: null, stderr: null }, {
      grants: caller.grants, // never more than its caller may reach
      depth: caller.depth + 1,
      ephemeral: true,
      timeoutMs: this.options.taskTimeoutMs,
    });
    return { lease: child._takeStdout(), exit: child.exit, kill: () => child.kill('the plugin that started it ended') };
  }
}

// The package the compute workers take their WASI layer from.
const WASI_SHIM = '@bjorn3/browser_wasi_shim';

/**
 * The WASI shim's URL as this module resolves its name, or null. Unbundled, a
 * page's import map (or Node) resolves it here, and the worker, which no
 * import map reaches, imports that URL. In a bundle nothing resolves it here
 * (or import.meta.resolve is gone): null, and the worker imports the shim by
 * its name, the import the bundler followed. The name is passed in a variable
 * on purpose: given a literal, webpack replaces the call with the URL of a
 * copy of the package's entry file alone, which cannot load.
 */
function resolvedShimUrl() {
  try {
    return import.meta.resolve(WASI_SHIM);
  } catch {
    return null;
  }
}

/**
 * A pipeline's exit under pipefail, from every stage's outcome: rejects with
 * the error of the first stage (in pipeline order) that failed with one
 * (trap, crash, timeout, cancel: a stage cut short can make every stage after
 * it look successful on a truncated stream); else resolves with the last
 * non-zero exit code, as a shell's `set -o pipefail`; else 0.
 */
function pipelineExit(outcomes) {
  const failed = outcomes.find((o) => o.error);
  if (failed) {
    const e = failed.error;
    const error = new TaskError(e?.code ?? 'ETHROWN', `pipeline stage ${failed.stage} (${failed.plugin}): ${e?.message ?? e}`, e);
    error.stage = failed.stage;
    throw error;
  }
  return outcomes.reduce((code, o) => (o.exitCode !== 0 ? o.exitCode : code), 0);
}

function rebuildError(e) {
  if (e?.name === 'RuntimeError') return new TaskError('ETRAP', `plugin trapped: ${e.message}`);
  const err = new TaskError('ETHROWN', e?.message ?? 'task failed');
  err.remoteName = e?.name;
  err.remoteStack = e?.stack;
  return err;
}

export { TaskError };
