// bindings-js/src/coordinator/pool.js — the compute workers: starting them with their
// rings, replacing one that died or was stopped mid-task, retiring them. The
// pool knows nothing of tasks; it reports what workers say (onMessage) and
// when one dies (onCrash).

import { SpscRing } from '../rings/spsc.js';
import { MpmcQueue } from '../rings/mpmc.js';
import { layout } from '../rings/layout.js';
import { startComputeWorker } from './threads.js';
import { make, accept, ProtocolError, RUN } from './protocol.js';

/** Bytes of each worker's request and reply rings (JSON messages). */
export const RPC_RING_BYTES = 1 << 12;

/** Bytes of a worker's run word's region (one word, on a line of its own). */
const RUN_WORD_BYTES = 64;

/** How long a starting worker may take to say it is ready, by default. */
export const START_TIMEOUT_MS = 30_000;

class WorkerHandle {
  constructor(id, { ephemeral, queue, requests, replies, run, sabq }) {
    this.id = id;
    this.ephemeral = ephemeral;
    this.queue = queue;
    this.requests = requests;
    this.replies = replies;
    this.run = run; // byte offset of the run word (protocol.js RUN)
    this.sabq = sabq;
    this.thread = null;
    this.task = null;
    this.dead = false;
    this.gone = null;
    this.ready = null;
  }

  post(msg, transfer) {
    if (!this.dead) this.thread.post(accept('toWorker', msg), transfer);
  }

  /** The worker is being handed a task: it is busy until it says otherwise. */
  markBusy() {
    Atomics.store(this.sabq.i32, this.run >> 2, RUN.BUSY);
  }

  /**
   * Claims the right to stop the worker in the middle of its task. False if
   * it has already finished that task (its report is on its way, and it may
   * be taking the next one): then it must not be stopped.
   */
  stopRunning() {
    return Atomics.compareExchange(this.sabq.i32, this.run >> 2, RUN.BUSY, RUN.STOPPED) === RUN.BUSY;
  }
}

export class WorkerPool {
  /**
   * @param {object} o
   * @param {WebAssembly.Memory} o.memory  the shared memory every ring lives in
   * @param {import('../rings/module.js').Sabq} o.sabq
   * @param {WebAssembly.Module} o.sabqModule
   * @param {import('./arena.js').Arena} o.arena
   * @param {MpmcQueue} o.queue  the dispatch queue pool workers pull task ids from
   * @param {string|null} o.shimUrl  where workers import the WASI shim from (null: by its package name)
   * @param {(w, msg) => void} o.onMessage
   * @param {(w, error) => void} o.onCrash
   * @param {() => Array<{id, module}>} o.modules  plugins every new worker must have
   * @param {(w) => void} o.onStarted  a worker is ready (its requests can be served)
   * @param {number} [o.startTimeoutMs]  a worker not ready by then counts as crashed (onCrash)
   * @param {() => Promise<object>} [o.startWorker]  creates the thread (platform.js; tests pass their own)
   * @param {import('./host-thread.js').HostThread|null} [o.hostThread]  the host worker, if any:
   *   each worker gets a pair of rings to it, attached before the worker's init
   */
  constructor(o) {
    this.startTimeoutMs = START_TIMEOUT_MS;
    this.startWorker = startComputeWorker;
    this.spin = layout.SPIN_DEFAULT; // tries a worker's blocking call spins (Coordinator option spin)
    Object.assign(this, o);
    this.workers = new Set();
    this.retiring = new Set(); // retired, not yet gone (what close() waits for)
    this.nextId = 1;
  }

  get size() {
    return [...this.workers].filter((w) => !w.ephemeral).length;
  }

  /** Starts a worker; `ephemeral` ones get a private two-slot queue and run one task. */
  start(ephemeral = false) {
    const ring = () => SpscRing.create(this.sabq, this.arena.alloc(SpscRing.size(this.sabq, RPC_RING_BYTES)), RPC_RING_BYTES);
    const queue = ephemeral
      ? MpmcQueue.create(this.sabq, this.arena.alloc(MpmcQueue.size(this.sabq, 2, 8)), 2, 8)
      : this.queue;
    const run = this.arena.alloc(RUN_WORD_BYTES);
    this.sabq.ensure(run + RUN_WORD_BYTES);
    Atomics.store(this.sabq.i32, run >> 2, RUN.IDLE);
    const w = new WorkerHandle(this.nextId++, { ephemeral, queue, requests: ring(), replies: ring(), run, sabq: this.sabq });
    if (this.hostThread) {
      w.hostRequests = ring();
      w.hostReplies = ring();
    }
    this.workers.add(w);
    // `spawned`: the thread exists (retire terminates it, ready or not).
    // `ready`: it has initialised; rejects if it dies or is retired first, so
    // nothing waits for a worker that will never be ready.
    let becameReady;
    w.ready = new Promise((resolve, reject) => {
      becameReady = resolve;
      w.failedToStart = reject;
    });
    w.ready.catch(() => {});
    // A worker that never says ready (its thread never created, or stuck in
    // its init: seen once in 10^5 chaotic tasks, three fresh workers at once,
    // with every queued task waiting on them) would hold the queue forever:
    // past startTimeoutMs it counts as crashed, and is replaced.
    const watchdog = setTimeout(() => {
      if (w.isReady || w.dead) return;
      w.startExpired = true;
      const error = new Error(`sabq: worker ${w.id} not ready after ${this.startTimeoutMs} ms (${w.thread ? 'its init unanswered' : 'its thread never created'})`);
      w.failedToStart(error);
      this.onCrash(w, error);
    }, this.startTimeoutMs);
    watchdog.unref?.(); // Node: a start in progress does not keep the process alive
    w.ready.then(() => clearTimeout(watchdog), () => clearTimeout(watchdog));
    w.spawned = this.startWorker();
    w.spawned.then((thread) => {
      w.thread = thread;
      if (w.dead) return; // retired while the thread was being created: never initialised
      thread.onMessage((raw) => {
        let msg;
        try {
          msg = accept('fromWorker', raw);
        } catch (e) {
          if (e instanceof ProtocolError) return this.onCrash(w, e);
          throw e;
        }
        if (msg.type === 'ready') becameReady();
        else this.onMessage(w, msg);
      });
      thread.onError((e) => (w.isReady ? this.onCrash(w, e) : w.failedToStart(e)));
      thread.onExit((e) => {
        w.failedToStart(e);
        this.onCrash(w, e);
      });
      w.post(make('toWorker', 'init', {
        workerId: w.id,
        memory: this.memory,
        sabqModule: this.sabqModule,
        queue: w.queue.toJSON(),
        requests: w.requests.toJSON(),
        replies: w.replies.toJSON(),
        run: w.run,
        shimUrl: this.shimUrl,
        spin: this.spin,
        hostWorker: this.hostThread?.attach(w),
      }));
      for (const { id, module } of this.modules()) w.post(make('toWorker', 'module', { id, module }));
    }, (e) => w.failedToStart(e));
    w.ready.then(() => {
      w.isReady = true;
      if (!w.dead) this.onStarted(w); // retired while starting: nothing to serve
    }, () => {});
    return w;
  }

  /** The live worker with this id, if any. */
  byId(id) {
    for (const w of this.workers) if (w.id === id) return w;
    return undefined;
  }

  /** Posts to every live worker. */
  broadcast(msg) {
    for (const w of this.workers) if (w.thread) w.post(msg);
  }

  /**
   * Stops a worker. Resolves once it has stopped and nothing on this thread
   * waits on its rings any more, after which they go back to the arena (not
   * before: a thread being terminated may still write, and a wait still
   * announced on reused memory would corrupt its next owner's waiter count).
   */
  retire(w) {
    if (w.gone) return w.gone;
    w.dead = true;
    w.failedToStart(new Error(`sabq: worker ${w.id} was stopped before it was ready`));
    // Whoever waits on the worker's rings from this thread withdraws first
    // (onRetired resolves when it has): see HostServer.onRing.
    w.stopping = { terminated: false, withdrawn: false };
    const withdrawn = Promise.resolve(this.onRetired?.(w)).catch(() => {})
      .then(() => { w.stopping.withdrawn = true; });
    this.workers.delete(w);
    this.retiring.add(w);
    // Terminated whether it got as far as ready or not: a worker retired
    // while starting never gets its init, so it would never say ready.
    // A thread that was still not created when its start expired is not
    // waited for: it is terminated if it ever comes, and never gets an init,
    // so it never touches the rings released below.
    const terminating = w.spawned.then((thread) => thread.terminate()).catch(() => {});
    const stopped = (w.startExpired && !w.thread ? Promise.resolve() : terminating)
      .then(() => { w.stopping.terminated = true; });
    w.gone = Promise.all([stopped, withdrawn])
      .then(() => {
        this.retiring.delete(w);
        this.arena.release(w.requests.offset);
        this.arena.release(w.replies.offset);
        this.arena.release(w.run);
        if (w.ephemeral) this.arena.release(w.queue.offset);
        if (w.hostRequests) {
          this.arena.release(w.hostRequests.offset);
          this.arena.release(w.hostReplies.offset);
        }
      });
    return w.gone;
  }

  /** Retires `w` and, for a pool worker, starts a fresh one in its place. */
  replace(w, keepServing) {
    if (w.dead) return w.gone;
    const gone = this.retire(w);
    if (keepServing && !w.ephemeral) this.start(false);
    return gone;
  }

  /** Node: a process should not stay alive only because idle workers exist. */
  keepAlive(busy) {
    for (const w of this.workers) if (w.isReady && !w.dead) w.thread[busy ? 'ref' : 'unref']();
  }
}
