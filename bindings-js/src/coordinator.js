// bindings-js/src/coordinator.js — a pool of compute workers behind one
// object: run JS tasks and WASI plugins, stream plugin stdio, pipe plugins
// into each other, serve plugins' host calls, and survive crashes, timeouts
// and cancellation. The main thread never blocks: everything here is async.
//
// Dispatch goes through an MPMC queue of task ids in a shared memory, so an
// idle worker pulls the next task; the task itself (which may be large, or
// hold transferables) follows by postMessage once a worker has claimed it.

import { Sabq, compileSabq } from './module.js';
import { MpmcQueue } from './mpmc.js';
import { SpscRing } from './spsc.js';
import { Pipe } from './pipe.js';
import { END } from './region.js';
import { Arena } from './arena.js';
import { SabqError, TaskError } from './errors.js';
import { ProcessHandle, StdioLease } from './process.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
const PIPE_BYTES = 1 << 16;
const CONTROL_BYTES = 1 << 12;
// Host-call answers up to this many characters travel inside the control ring
// (its largest message is CONTROL_BYTES / 2 - 8 bytes of UTF-8 JSON).
const INLINE_CHARS = 500;

async function defaultWorkerCount() {
  if (isNode) {
    const os = await import('node:os');
    return Math.max(1, (os.availableParallelism?.() ?? os.cpus().length) - 1);
  }
  return Math.max(1, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1);
}

/** One worker thread, whatever the platform. */
class WorkerHandle {
  constructor(thread, ephemeral) {
    this.thread = thread;
    this.ephemeral = ephemeral;
    this.task = null;
    this.control = null;
    this.queue = null;
    this.ready = null;
    this.dead = false;
  }

  post(msg, transfer) {
    this.thread.postMessage(msg, transfer ?? []);
  }

  terminate() {
    this.dead = true;
    return this.thread.terminate();
  }
}

export class Coordinator {
  /**
   * @param {object} [options]
   * @param {number} [options.workers] pool size (default: hardware concurrency − 1)
   * @param {number} [options.queueSlots] tasks that may wait in the queue (power of two; default 1024)
   * @param {number} [options.taskTimeoutMs] default limit on a task's running time, from when a worker takes it (default: none)
   * @param {Record<string, (request: string) => any>} [options.hostHandlers] what plugins reach at /host/call/NAME
   * @param {number} [options.memoryMiB] initial shared memory for rings (default 16; grows)
   * @param {string|URL} [options.wasiShimUrl] where workers import @bjorn3/browser_wasi_shim from
   */
  static async create(options = {}) {
    const c = new Coordinator(options);
    await c.ready;
    return c;
  }

  constructor(options = {}) {
    this.options = options;
    this.hostHandlers = { ...(options.hostHandlers ?? {}) };
    this.tasks = new Map();
    this.nextTaskId = 1;
    this.plugins = new Map(); // name -> {id, module}
    this.workers = new Set();
    this.closed = false;
    this.ready = this._init();
    this.ready.then(() => (this.isReady = true), () => {});
  }

  async _init() {
    const pages = Math.ceil(((this.options.memoryMiB ?? 16) << 20) / 65536);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: 16384, shared: true });
    this.sabqModule = await compileSabq();
    this.sabq = await Sabq.instantiate(this.memory, { module: this.sabqModule });
    this.arena = new Arena(this.memory);
    const slots = this.options.queueSlots ?? 1024;
    this.queue = this._queue(slots);
    this.workerUrl = new URL('./compute-worker.js', import.meta.url);
    this.shimUrl = String(this.options.wasiShimUrl ?? import.meta.resolve('@bjorn3/browser_wasi_shim'));
    const n = this.options.workers ?? (await defaultWorkerCount());
    await Promise.all(Array.from({ length: n }, () => this._startWorker(false).ready));
  }

  _queue(slots) {
    const size = MpmcQueue.size(this.sabq, slots, 8);
    return MpmcQueue.create(this.sabq, this.arena.alloc(size), slots, 8);
  }

  /** A pipe in the shared memory, from the arena. */
  _pipe(bytes = PIPE_BYTES) {
    const size = Pipe.size(this.sabq, bytes);
    return Pipe.create(this.sabq, this.arena.alloc(size), bytes);
  }

  async _newThread() {
    if (isNode) {
      const { Worker } = await import('node:worker_threads');
      const t = new Worker(this.workerUrl);
      return {
        postMessage: (m, tr) => t.postMessage(m, tr),
        terminate: () => t.terminate(),
        on: (ev, fn) => t.on(ev === 'message' ? 'message' : ev, fn),
        unref: () => t.unref(),
        ref: () => t.ref(),
      };
    }
    const t = new Worker(this.workerUrl, { type: 'module' });
    return {
      postMessage: (m, tr) => t.postMessage(m, tr),
      terminate: () => t.terminate(),
      on: (ev, fn) => {
        if (ev === 'message') t.addEventListener('message', (e) => fn(e.data));
        else if (ev === 'error') t.addEventListener('error', (e) => { e.preventDefault?.(); fn(new Error(e.message || 'worker error')); });
      },
      unref() {},
      ref() {},
    };
  }

  /** Starts a worker; `ephemeral` ones get a private queue and run one task. */
  _startWorker(ephemeral) {
    const w = new WorkerHandle(null, ephemeral);
    w.control = SpscRing.create(this.sabq, this.arena.alloc(SpscRing.size(this.sabq, CONTROL_BYTES)), CONTROL_BYTES);
    w.requests = SpscRing.create(this.sabq, this.arena.alloc(SpscRing.size(this.sabq, CONTROL_BYTES)), CONTROL_BYTES);
    w.queue = ephemeral ? this._queue(2) : this.queue;
    this.workers.add(w);
    w.ready = (async () => {
      w.thread = await this._newThread();
      await new Promise((resolve, reject) => {
        w.thread.on('message', (msg) => (msg.type === 'ready' ? resolve() : this._onMessage(w, msg)));
        w.thread.on('error', (e) => (w.thread ? this._onCrash(w, e) : reject(e)));
        w.thread.on('exit', (code) => this._onCrash(w, new Error(`worker exited${code === undefined ? '' : ` with code ${code}`}`)));
        w.post({
          type: 'init',
          memory: this.memory,
          sabqModule: this.sabqModule,
          queue: w.queue.toJSON(),
          control: w.control.toJSON(),
          requests: w.requests.toJSON(),
          shimUrl: this.shimUrl,
        });
        for (const { id, module } of this.plugins.values()) w.post({ type: 'module', id, module });
      });
      w.isReady = true;
      this._serveRequests(w);
      this._idleRef();
    })();
    return w;
  }

  // A Node process should not stay alive only because idle workers exist.
  // A worker still starting stays referenced: something awaits its 'ready'.
  _idleRef() {
    // O(1): runs on every submit and settle, and settled tasks leave the map
    // (a scan here made submitting 1000 tasks a 50 ms task on a page).
    const busy = this.tasks.size > 0;
    for (const w of this.workers) if (w.isReady) w.thread?.[busy ? 'ref' : 'unref']?.();
  }

  /**
   * Registers a WASI plugin under `name`: compiled once, shared with every
   * worker. `source`: a URL or path (string/URL), bytes, a Response or a
   * WebAssembly.Module.
   */
  async load(name, source) {
    await this.ready;
    let module = source;
    if (!(source instanceof WebAssembly.Module)) {
      let bytes = source;
      if (typeof source === 'string' || source instanceof URL) {
        const url = new URL(source, isNode ? `file://${process.cwd()}/` : globalThis.location?.href);
        if (url.protocol === 'file:') bytes = await (await import('node:fs/promises')).readFile(url);
        else if (!isNode && typeof Worker !== 'undefined') bytes = await compileOffThread(url);
        else bytes = await fetch(url);
      }
      if (bytes instanceof WebAssembly.Module) {
        module = bytes;
      } else if (typeof Response !== 'undefined' && bytes instanceof Response) {
        module = await WebAssembly.compileStreaming(bytes).catch(async () => WebAssembly.compile(await bytes.clone().arrayBuffer()));
      } else {
        module = await WebAssembly.compile(bytes);
      }
    }
    const id = this.plugins.get(name)?.id ?? this.plugins.size + 1;
    this.plugins.set(name, { id, module });
    for (const w of this.workers) w.post({ type: 'module', id, module });
    return name;
  }

  // ---- tasks ------------------------------------------------------------------

  /**
   * Runs a JS task in a worker: `task` is {url, export} (a module URL and the
   * name of an exported function, default 'default'); resolves with what the
   * function returns (structured-cloned), rejects with its error or a TaskError.
   */
  run(task, input, options = {}) {
    const url = String(task.url instanceof URL ? task.url.href : new URL(task.url, isNode ? `file://${process.cwd()}/` : globalThis.location?.href));
    return this._submit({ kind: 'js', url, export: task.export ?? 'default', input }, options).promise;
  }

  /**
   * Starts a WASI plugin registered with load(). Returns a ProcessHandle with
   * stdin (writable), stdout and stderr (readable streams) and `exit`, a
   * promise of the exit code.
   * @param {object} [options] {args, env, stdin, stdout, stderr, tty, signal, timeoutMs}
   *   stdin: 'pipe' (default: write it through the handle), a string, bytes,
   *   a ReadableStream, another ProcessHandle (its stdout, with no copy through
   *   this thread) or null (empty).
   */
  spawn(name, options = {}) {
    return this._spawn(name, options, false);
  }

  /** Runs `stages` ([{plugin, args, env}]) as `a | b | c`: each in its own
   * worker, each stdout the next stdin through a sabq pipe. Returns the last
   * stage's handle, with `stages` (all handles) and `exitCodes` (a promise). */
  pipeline(stages, options = {}) {
    const handles = [];
    let stdin = options.stdin ?? 'pipe';
    stages.forEach((s, i) => {
      const last = i === stages.length - 1;
      const h = this.spawn(s.plugin, {
        args: s.args,
        env: s.env,
        tty: options.tty,
        signal: options.signal,
        timeoutMs: options.timeoutMs,
        stdin,
        stderr: options.stderr ?? 'pipe',
        stdout: last ? options.stdout ?? 'pipe' : 'pipe',
      });
      handles.push(h);
      stdin = h;
    });
    const last = handles[handles.length - 1];
    last.stages = handles;
    last.first = handles[0];
    last.exitCodes = Promise.all(handles.map((h) => h.exit));
    return last;
  }

  _spawn(name, options, ephemeral) {
    if (this.closed) throw new TaskError('ECLOSED', 'Coordinator is closed');
    const plugin = this.plugins.get(name);
    if (!plugin) throw new TypeError(`sabq: no plugin named '${name}' (load() it first)`);
    const leases = [];
    const stdio = (option) => {
      if (option === null || option === 'ignore') return null;
      const lease = new StdioLease(this._pipe(), this.arena);
      leases.push(lease);
      return lease;
    };
    // stdin: another process's stdout is used as it is: no copy through here.
    let stdinLease;
    if (options.stdin instanceof ProcessHandle) {
      stdinLease = options.stdin._takeStdout();
      leases.push(stdinLease);
    } else {
      stdinLease = stdio(options.stdin === undefined ? 'pipe' : options.stdin);
    }
    const stdoutLease = stdio(options.stdout ?? 'pipe');
    const stderrLease = stdio(options.stderr ?? 'pipe');
    const spec = {
      kind: 'wasi',
      moduleId: plugin.id,
      name,
      args: (options.args ?? []).map(String),
      env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
      tty: !!options.tty,
      stdin: stdinLease?.pipe.toJSON() ?? null,
      stdout: stdoutLease?.pipe.toJSON() ?? null,
      stderr: stderrLease?.pipe.toJSON() ?? null,
    };
    const task = this._submit(spec, options, ephemeral);
    for (const l of leases) l.hold();
    const piped = options.stdin instanceof ProcessHandle;
    if (piped) stdinLease.release(); // the upstream handle's host reference: nobody on this thread reads it
    task.quiet.then(() => {
      for (const l of leases) l.done(); // the worker no longer touches them
    });
    const handle = new ProcessHandle(this, task, { stdin: piped ? null : stdinLease, stdout: stdoutLease, stderr: stderrLease });
    // stdin given as data or a stream: feed it from here, then close it.
    const src = options.stdin;
    if (src !== undefined && src !== 'pipe' && src !== null && !(src instanceof ProcessHandle)) {
      handle._feed(src);
    }
    return handle;
  }

  _submit(spec, options = {}, ephemeral = false) {
    if (this.closed) {
      return { promise: Promise.reject(new TaskError('ECLOSED', 'Coordinator is closed')) };
    }
    const id = this.nextTaskId++;
    const task = { id, spec, state: 'queued', worker: null, timer: null };
    task.promise = new Promise((resolve, reject) => {
      task.resolve = resolve;
      task.reject = reject;
    });
    // Resolves once no worker can touch the task's memory (its stdio pipes):
    // at once when the worker reported the end, or when a worker that was
    // stopped mid-task has really terminated. Only then is memory reused.
    task.quiet = new Promise((resolve) => {
      task.setQuiet = resolve;
    });
    this.tasks.set(id, task);
    // The timeout limits running time: its clock starts when a worker takes
    // the task (see 'claim'), so a busy pool does not time out queued work.
    task.timeoutMs = options.timeoutMs ?? this.options.taskTimeoutMs;
    const signal = options.signal;
    if (signal) {
      const onAbort = () => this._abort(task, new TaskError('ECANCELED', `task ${id} was cancelled`, signal.reason));
      if (signal.aborted) queueMicrotask(onAbort);
      else signal.addEventListener('abort', onAbort, { once: true });
      task.promise.finally(() => signal.removeEventListener('abort', onAbort)).catch(() => {});
    }
    this._idleRef();
    const id32 = new Uint8Array(new Uint32Array([id]).buffer);
    // The common case at once: a started pool with room in its queue. No
    // promise or microtask per task, which a page submitting a thousand in a
    // loop would pay for in one long task.
    let queued = false;
    try {
      queued = this.isReady && !ephemeral && this.queue.push(id32);
    } catch {
      // closed under us: the path below reports it on the task
    }
    if (queued) return task;
    this.ready.then(async () => {
      if (ephemeral) {
        const w = this._startWorker(true);
        task.ephemeral = w;
        await w.ready;
        w.queue.push(id32);
      } else if (!this.queue.push(id32)) {
        // Backpressure: the queue is full; wait for room without blocking.
        if (!(await this.queue.pushAsync(id32))) throw new Error('queue push failed');
      }
    }).catch((e) => this._settle(task, null, e instanceof SabqError && e.code === 'EPIPE' ? new TaskError('ECLOSED', 'Coordinator is closed') : e));
    return task;
  }

  /** Ends a task once. `gone`: when its worker can no longer touch its memory. */
  _settle(task, value, error, gone = Promise.resolve()) {
    if (task.state === 'done') return;
    task.state = 'done';
    task.setQuiet(gone);
    clearTimeout(task.timer);
    this.tasks.delete(task.id);
    if (task.worker?.task === task) task.worker.task = null;
    if (task.ephemeral && !task.ephemeral.dead) this._retire(task.ephemeral);
    if (error) task.reject(error);
    else task.resolve(value);
    this._idleRef();
  }

  /** Cancel or time out: a queued task is dropped when claimed; a running one
   * takes its worker with it (a blocked or busy worker cannot be interrupted
   * any other way), and a fresh worker replaces it. */
  _abort(task, error) {
    if (task.state === 'done') return;
    const w = task.state === 'running' ? task.worker : null;
    this._settle(task, null, error, w ? this._replace(w) : undefined);
  }

  /** Stops a worker; returns a promise of its end, after which its rings go
   * back to the arena (not before: a thread being terminated may still write). */
  _retire(w) {
    this.workers.delete(w);
    w.stopServing?.abort();
    // Node's terminate() resolves when the thread has stopped; a browser's
    // returns nothing and stops the worker at once.
    return Promise.resolve(w.terminate()).catch(() => {}).then(() => {
      this.arena.release(w.control.offset);
      this.arena.release(w.requests.offset);
      if (w.ephemeral) this.arena.release(w.queue.offset);
    });
  }

  _replace(w) {
    if (w.dead) return w.gone ?? Promise.resolve();
    w.gone = this._retire(w);
    if (!this.closed && !w.ephemeral) this._startWorker(false);
    return w.gone;
  }

  _onCrash(w, error) {
    if (w.dead) return;
    const task = w.task;
    const gone = this._replace(w);
    if (task) this._settle(task, null, new TaskError('ECRASHED', `worker died running task ${task.id}: ${error?.message ?? error}`, error), gone);
  }

  _onMessage(w, msg) {
    const task = this.tasks.get(msg.taskId);
    switch (msg.type) {
      case 'claim':
        if (!task || task.state !== 'queued') {
          w.post({ type: 'task', taskId: msg.taskId, skip: true });
          return;
        }
        task.state = 'running';
        task.worker = w;
        w.task = task;
        if (task.timeoutMs !== undefined) {
          task.timer = setTimeout(() => this._abort(task, new TaskError('ETIMEDOUT', `task ${task.id} timed out after running ${task.timeoutMs} ms`)), task.timeoutMs);
        }
        w.post({ type: 'task', taskId: task.id, spec: task.spec });
        return;
      case 'done':
        if (task) this._settle(task, msg.value);
        return;
      case 'failed':
        if (task) this._settle(task, null, rebuildError(msg.error));
        return;
      case 'fatal':
        this._onCrash(w, rebuildError(msg.error));
        return;
      default:
    }
  }

  // ---- host calls ---------------------------------------------------------------

  /** Answers a worker's requests (host calls) as they arrive in its requests
   * ring, without blocking and without keeping a Node process alive. */
  async _serveRequests(w) {
    w.stopServing = new AbortController();
    for (;;) {
      let m;
      try {
        // A plugin making host calls in a loop sends the next request a few
        // tens of µs after its answer: spinning that long (bounded, 60 µs)
        // saves the ~35 µs it takes to wake this thread from waitAsync.
        m = await w.requests.receiveStringAsync({ signal: w.stopServing.signal, keepAlive: false, spinMicros: 60 });
      } catch {
        return; // stopped: the worker is being retired
      }
      if (m === null || m === END) return;
      const msg = JSON.parse(m);
      if (msg.type === 'closed') this.tasks.get(msg.taskId)?.hostLeases?.get(msg.offset)?.();
      // Awaited: the worker waits for this answer anyway, and the spin above
      // must not hold this thread while the answer is still to be sent.
      else await this._hostCall(w, msg).catch(() => {});
    }
  }

  /** The calling task holds an answer's pipe until it closes the fd or ends. */
  _holdForTask(task, lease) {
    lease.hold();
    let done = false;
    const letGo = () => {
      if (!done) {
        done = true;
        task?.hostLeases?.delete(lease.pipe.offset);
        lease.done();
      }
    };
    if (!task) return letGo();
    (task.hostLeases ??= new Map()).set(lease.pipe.offset, letGo);
    task.quiet.then(letGo);
  }

  async _hostCall(w, msg) {
    const answer = (a) => w.control.sendAsync(JSON.stringify({ reqId: msg.reqId, ...a }));
    const task = this.tasks.get(msg.taskId);
    try {
      if (msg.kind === 'call') {
        const slash = msg.rest.indexOf('/');
        const name = slash < 0 ? msg.rest : msg.rest.slice(0, slash);
        const request = slash < 0 ? '' : msg.rest.slice(slash + 1);
        const handler = this.hostHandlers[name];
        if (!handler) return answer({ errno: 'ERRNO_NOENT' });
        let data;
        try {
          data = await handler(request);
        } catch {
          return answer({ errno: 'ERRNO_IO' });
        }
        // Short text goes inline in the control ring: no pipe to set up.
        if (typeof data === 'string' || typeof data === 'number') {
          const text = String(data);
          if (text.length <= INLINE_CHARS && JSON.stringify(text).length <= INLINE_CHARS * 2) return answer({ inline: text });
        }
        const lease = new StdioLease(this._pipe(), this.arena);
        this._holdForTask(task, lease);
        await answer(lease.pipe.toJSON());
        await writeAll(lease.pipe, data);
        lease.pipe.close();
        lease.release();
      } else {
        // run: "PLUGIN ARG ARG": on a worker of its own, so that nested calls
        // never wait for a pool that their callers occupy.
        const [name, ...args] = msg.rest.split(' ').filter(Boolean);
        if (!this.plugins.has(name)) return answer({ errno: 'ERRNO_NOENT' });
        const child = this._spawn(name, { args, stdin: null, stderr: null }, true);
        const lease = child._takeStdout();
        this._holdForTask(task, lease);
        child.exit.catch(() => {}).finally(() => lease.release());
        await answer(lease.pipe.toJSON());
      }
    } catch (e) {
      await answer({ errno: 'ERRNO_IO' }).catch(() => {});
    }
  }

  /** Shuts everything down: pending and running tasks reject with ECLOSED,
   * workers are terminated. */
  async close() {
    if (this.closed) return;
    await this.ready.catch(() => {});
    this.closed = true;
    this.queue.close();
    const gone = Promise.all([...this.workers].map((w) => this._retire(w)));
    for (const task of [...this.tasks.values()]) this._settle(task, null, new TaskError('ECLOSED', 'Coordinator closed'), gone);
    await gone;
  }
}

/** Fetches and compiles `url` in a short-lived worker (compile-worker.js), so
 * that loading a large plugin never stalls the page. */
function compileOffThread(url) {
  const worker = new Worker(new URL('./compile-worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(`load: ${data.error}`)) : resolve(data.module));
    worker.onerror = (e) => {
      e.preventDefault?.();
      reject(new Error(`load: ${e.message || 'compile worker failed'}`));
    };
    worker.postMessage({ url: String(url) });
  }).finally(() => worker.terminate());
}

async function writeAll(pipe, data) {
  if (data === undefined || data === null) return;
  if (typeof data === 'string' || ArrayBuffer.isView(data) || data instanceof ArrayBuffer) {
    await pipe.writeAsync(data);
    return;
  }
  if (typeof Response !== 'undefined' && data instanceof Response) data = data.body;
  if (data && typeof data[Symbol.asyncIterator] === 'function') {
    for await (const chunk of data) await pipe.writeAsync(chunk);
    return;
  }
  await pipe.writeAsync(String(data));
}

function rebuildError(e) {
  if (e?.name === 'RuntimeError') return new TaskError('ETRAP', `plugin trapped: ${e.message}`);
  const err = new TaskError('ETHROWN', e?.message ?? 'task failed');
  err.remoteName = e?.name;
  err.remoteStack = e?.stack;
  return err;
}

export { END, TaskError };
