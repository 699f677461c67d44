// bindings-js/src/host-thread.js — the page's side of the host worker
// (host-worker.js): starts it, tells it through its control ring which
// compute workers' rings to serve, relays its long answers into pipes, and
// replaces it when it dies or is stopped in the middle of a handler (a task
// ended while its handler never returned). Callers waiting for an answer
// from a host worker that is gone give up when the generation in the shared
// block moves (host-block.js); the page wakes them.

import { SpscRing } from '../rings/spsc.js';
import { HostBlock, HOST_BLOCK_BYTES } from './host-block.js';
import { toUrl } from './platform.js';
import { startHostWorker } from './threads.js';
import { make, accept, encode, ProtocolError } from './protocol.js';

/** Bytes of the control ring (JSON attach/detach messages of ~150 bytes). */
const CONTROL_BYTES = 1 << 12;

/** The `hostWorker` option as {url, export}: a URL, a path, or {url, export}. */
export function hostWorkerSpec(option) {
  const given = typeof option === 'string' || option instanceof URL ? { url: option } : option;
  if (!given || (typeof given.url !== 'string' && !(given.url instanceof URL))) {
    throw new TypeError("sabq: hostWorker must be a module URL (string or URL) or {url, export}");
  }
  return { url: String(toUrl(given.url)), export: given.export ?? 'default' };
}

/** A relayed answer's pieces as they arrive, as an async iterable (pipes.js writeAllAsync). */
class Relay {
  constructor() {
    this.pieces = [];
    this.ended = false;
    this.failed = false;
    this.wake = null;
  }

  push(data) {
    this.pieces.push(data);
    this.wake?.();
  }

  end(failed) {
    this.ended = true;
    this.failed = failed;
    this.wake?.();
  }

  async* [Symbol.asyncIterator]() {
    for (;;) {
      if (this.pieces.length > 0) {
        const data = this.pieces.shift();
        yield typeof Blob !== 'undefined' && data instanceof Blob ? new Uint8Array(await data.arrayBuffer()) : data;
      } else if (this.ended) {
        if (this.failed) throw new Error('sabq: the host worker stopped in the middle of an answer');
        return;
      } else {
        await new Promise((resolve) => {
          this.wake = resolve;
        });
        this.wake = null;
      }
    }
  }
}

export class HostThread {
  /**
   * Starts the host worker; resolves once its handlers are loaded.
   * @param {object} o
   * @param {import('../rings/module.js').Sabq} o.sabq
   * @param {import('./arena.js').Arena} o.arena
   * @param {WebAssembly.Module} o.sabqModule
   * @param {{url: string, export: string}} o.spec the handlers' module
   * @param {(workerId: number, relay: {taskId, reqId}, pieces: AsyncIterable) => void} o.onRelay
   *   an answer that comes through the page: make a pipe for it and stream `pieces` into it
   */
  static async start(o) {
    const t = new HostThread(o);
    try {
      t.names = await t._launch();
    } catch (e) {
      t.close();
      throw e;
    }
    return t;
  }

  constructor(o) {
    Object.assign(this, o);
    this.blockOffset = this.arena.alloc(HOST_BLOCK_BYTES);
    this.block = HostBlock.create(this.sabq, this.blockOffset);
    this.attached = new Map(); // workerId -> compute worker handle (pool.js), served now
    this.current = null; // the running incarnation
    this.closed = false;
    this.restarts = 0;
  }

  /**
   * Starts an incarnation, which serves every attached worker from the start.
   * Resolves with the names it answers; rejects if it fails to load.
   */
  async _launch() {
    const control = SpscRing.create(this.sabq, this.arena.alloc(SpscRing.size(this.sabq, CONTROL_BYTES)), CONTROL_BYTES);
    const inc = {
      thread: null,
      control,
      queue: Promise.resolve(), // control messages in order
      stopped: new AbortController(),
      detaches: new Map(), // workerId -> resolve, until it says 'detached'
      relays: new Map(), // relayId -> Relay
      gone: false,
    };
    this.current = inc;
    this.block.resetServing();
    let started;
    const ready = new Promise((resolve, reject) => {
      started = (names) => {
        inc.readyOnce = true;
        resolve(names);
      };
      inc.failedToStart = reject;
    });
    ready.catch(() => {});
    let thread;
    try {
      thread = await startHostWorker();
    } catch (e) {
      this._end(inc);
      throw e;
    }
    inc.thread = thread;
    thread.onMessage((raw) => this._fromWorker(inc, raw, started));
    thread.onError((e) => this._died(inc, e));
    thread.onExit((e) => this._died(inc, e));
    // Once started it serves compute workers, which keep a Node process
    // alive while busy; until then, whoever awaits the start does.
    ready.then(() => thread.unref(), () => {});
    thread.post(make('toHostWorker', 'init', {
      memory: this.sabq.memory,
      sabqModule: this.sabqModule,
      url: this.spec.url,
      export: this.spec.export,
      control: control.toJSON(),
      block: this.blockOffset,
      workers: [...this.attached.values()].map(ringsOf),
    }));
    if (this.closed) this._end(inc);
    return ready;
  }

  _fromWorker(inc, raw, started) {
    let msg;
    try {
      msg = accept('fromHostWorker', raw);
    } catch (e) {
      if (e instanceof ProtocolError) return this._died(inc, e);
      throw e;
    }
    switch (msg.type) {
      case 'ready':
        return started(msg.names);
      case 'detached':
        inc.detaches.get(msg.workerId)?.();
        inc.detaches.delete(msg.workerId);
        return undefined;
      case 'relay': {
        const relay = new Relay();
        inc.relays.set(msg.relayId, relay);
        this.onRelay(msg.workerId, msg, relay);
        return undefined;
      }
      case 'chunk':
        return inc.relays.get(msg.relayId)?.push(msg.data);
      case 'end':
        inc.relays.get(msg.relayId)?.end(!!msg.failed);
        inc.relays.delete(msg.relayId);
        return undefined;
      case 'fatal':
        return this._died(inc, Object.assign(new Error(msg.error.message), { name: msg.error.name }));
      default:
        return undefined;
    }
  }

  /** What compute worker `w` needs in its init to call the host worker; it is served from now on. */
  attach(w) {
    this.attached.set(w.id, w);
    const inc = this.current;
    if (inc && !inc.gone) this._control(inc, 'attach', ringsOf(w));
    return { names: this.names, requests: w.hostRequests.toJSON(), replies: w.hostReplies.toJSON(), block: this.blockOffset };
  }

  /** Resolves once the host worker no longer touches `w`'s rings (or is gone). */
  detach(w) {
    if (!this.attached.delete(w.id)) return Promise.resolve();
    const inc = this.current;
    if (!inc || inc.gone) return Promise.resolve();
    const detached = new Promise((resolve) => inc.detaches.set(w.id, resolve));
    this._control(inc, 'detach', { workerId: w.id });
    return detached;
  }

  /**
   * Task `taskId` ended without finishing (timeout, cancel, crash): if the
   * host worker is running its handler now, that handler may never return,
   * and every other call would wait behind it: the host worker is replaced.
   */
  taskStopped(taskId) {
    const inc = this.current;
    if (inc && !inc.gone && this.block.claimIfServing(taskId)) {
      this._replace(inc, new Error(`the handler called by task ${taskId} had not returned when the task ended`));
    }
  }

  /** Control messages go in order; the ring is read by a thread that may be busy, so room is awaited. */
  _control(inc, type, fields) {
    const text = encode('control', type, fields);
    inc.queue = inc.queue.then(async () => {
      if (inc.gone) return;
      if (!inc.control.send(text) && !(await inc.control.sendAsync(text, { keepAlive: false, signal: inc.stopped.signal }))) return;
      this.block.ring();
    }).catch(() => {});
  }

  _died(inc, error) {
    if (inc.gone) return;
    inc.failedToStart(error); // before it was ready: the start fails
    if (inc.readyOnce) this._replace(inc, error);
    else this._end(inc);
  }

  /**
   * Stops incarnation `inc` and starts the next, which serves the same
   * workers. If that one cannot start, there is no host worker any more:
   * calls fail at once (EIO).
   */
  async _replace(inc, error) {
    this.lastError = error;
    await this._end(inc);
    if (this.closed) return;
    // Callers waiting for the next one send now: it reads what they sent when it starts.
    this.block.replaced();
    this.restarts++;
    try {
      await this._launch();
    } catch (e) {
      this.lastError = e;
      this.block.markDown();
      this._wakeCallers();
    }
  }

  /**
   * Ends incarnation `inc`: whoever waits for one of its answers gives up,
   * it is terminated, and then nothing of it touches shared memory any more.
   */
  async _end(inc) {
    if (inc.gone) return inc.ending;
    inc.gone = true;
    inc.failedToStart(new Error('sabq: the host worker was stopped before it was ready'));
    // Callers waiting for its answers give up; new callers wait (host-block.js).
    this.block.replacing();
    this._wakeCallers();
    // A host worker parked on its bell wakes, sees the generation moved and
    // stops serving, so that its terminate() below is prompt.
    this.block.ring();
    inc.ending = (async () => {
      inc.stopped.abort();
      await (inc.thread ? inc.thread.terminate().catch(() => {}) : Promise.resolve());
      this._wakeCallers(); // one that parked just as the generation moved
      for (const resolve of inc.detaches.values()) resolve();
      inc.detaches.clear();
      for (const relay of inc.relays.values()) relay.end(true);
      inc.relays.clear();
      await inc.queue;
      this.arena.release(inc.control.offset);
    })();
    return inc.ending;
  }

  /** Callers parked for an answer are woken to see that the generation moved. */
  _wakeCallers() {
    for (const w of this.attached.values()) Atomics.notify(this.sabq.i32, w.hostReplies.readable >> 2);
  }

  /** Stops the host worker for good: calls fail from now on (EIO). */
  close() {
    this.closed = true;
    this.block.markDown();
    return this.current ? this._end(this.current) : Promise.resolve();
  }

  /** For Coordinator.inspect(). */
  inspect() {
    return {
      ...this.block.snapshot(),
      names: this.names,
      attached: [...this.attached.keys()],
      restarts: this.restarts,
      lastError: this.lastError ? String(this.lastError.message ?? this.lastError) : null,
    };
  }
}

function ringsOf(w) {
  return { workerId: w.id, requests: w.hostRequests.toJSON(), replies: w.hostReplies.toJSON() };
}
