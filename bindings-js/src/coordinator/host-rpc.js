// bindings-js/src/coordinator/host-rpc.js — calls a plugin makes to its host from inside
// a blocking wasm call (opening /host/call/... or /host/run/...), when its
// worker cannot receive a postMessage. The worker (HostClient) writes a
// request into its requests ring and blocks on its replies ring; the
// coordinator (HostServer) awaits requests without blocking its thread and
// answers each through the table of request kinds below. A kind not in the
// table, or a message without its fields, is refused (protocol.js).
//
// What a plugin may reach is granted per task: host handlers and plugins it
// may run are named in its grants (none by default); nested runs are bounded
// in depth and in how many run at once. A refusal is an errno in the plugin.
//
// With a host worker (host-thread.js), calls to the handlers it runs go to it
// instead, through a second pair of rings: HostClient routes them, and
// checks the task's grants itself, as the host worker knows no tasks.

import { encode, decode, ProtocolError } from './protocol.js';
import { END } from '../rings/region.js';
import { PipeLease, writeAllAsync } from './pipes.js';
import { AGAIN, blockOn } from '../rings/wait.js';
import { TextRing } from '../rings/text-ring.js';
import { frameBuffer, encodeCall, decodeAnswer } from './host-wire.js';

/** Answers up to this many characters travel inside the replies ring (if their JSON fits there). */
const INLINE_CHARS = 500;

/** What a task may reach, from the option `{hostCalls, plugins}` (arrays of names, or '*'). */
export class Grants {
  constructor({ hostCalls = [], plugins = [] } = {}) {
    this.hostCalls = hostCalls === '*' ? '*' : new Set(hostCalls);
    this.plugins = plugins === '*' ? '*' : new Set(plugins);
  }

  allows(set, name) {
    return set === '*' || set.has(name);
  }

  /** The host calls granted, as a task spec carries them to its worker: '*' or names. */
  hostCallList() {
    return this.hostCalls === '*' ? '*' : [...this.hostCalls];
  }
}

export class HostServer {
  /**
   * @param {object} o
   * @param {import('../rings/module.js').Sabq} o.sabq
   * @param {import('./arena.js').Arena} o.arena
   * @param {Record<string, (request: string) => any>} o.handlers
   * @param {(id: number) => import('./task.js').Task|undefined} o.taskById
   * @param {(caller, command, args) => {lease, exit: Promise, kill: () => void}} o.runPlugin starts a nested run
   * @param {(name: string) => boolean} o.pluginExists
   * @param {{maxDepth: number, maxNested: number}} o.limits
   */
  constructor(o) {
    Object.assign(this, o);
    this.nested = 0; // nested runs alive now
  }

  /** Answers `w`'s requests as they arrive, until stop(w). Never keeps a Node process alive. */
  async serve(w) {
    const stopping = new AbortController();
    w.stopServing = stopping;
    w.ringOps = new Set();
    const requests = new TextRing(w.requests);
    w.replyText = new TextRing(w.replies);
    for (;;) {
      if (stopping.signal.aborted) return; // stopped while a request was being answered
      // A request already there is taken at once: no promise, no turn of the event loop.
      let text = requests.receive();
      if (text === null) {
        try {
          // A plugin making host calls in a loop sends the next request a few
          // µs after its answer: spinning that long (bounded, 60 µs) saves
          // the ~35 µs it takes to wake this thread from waitAsync.
          text = await this.onRing(w, (signal) => requests.receiveAsync({ signal, keepAlive: false, spinMicros: 60 }));
        } catch {
          return; // stopped: the worker is being retired
        }
      }
      if (text === null || text === END) return;
      let msg;
      try {
        msg = decode('request', text);
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        this.onProtocolError?.(w, e);
        continue;
      }
      // Awaited when it is not answered at once: the worker waits for this
      // answer anyway, and the spin above must not hold this thread while
      // the answer is still to be produced.
      let answering;
      try {
        answering = KINDS[msg.type](this, w, msg, this.taskById(msg.taskId));
      } catch (e) {
        answering = Promise.reject(e);
      }
      if (answering) await answering.catch(() => this.answer(w, msg, { errno: 'IO' }));
    }
  }

  /**
   * Runs `op(signal)`, an operation on one of `w`'s rings, unless serving `w`
   * has stopped; stop(w) waits for it. The rings go back to the arena after
   * that, and memory reused while a wait on it was still announced would
   * have that wait's withdrawal taken from the next owner's waiter count (a
   * reader there would then sleep through its data).
   */
  onRing(w, op) {
    const signal = w.stopServing.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    const pending = op(signal);
    const tracked = pending.catch(() => {}).finally(() => w.ringOps.delete(tracked));
    w.ringOps.add(tracked);
    return pending;
  }

  /** Stops serving `w`; resolves once nothing here touches its rings any more. */
  stop(w) {
    if (!w.stopServing) return Promise.resolve();
    w.stopServing.abort();
    return Promise.all([...w.ringOps]);
  }

  /** Sends the answer to `msg`: at once when there is room (undefined), else a promise. */
  answer(w, msg, fields) {
    return this._reply(w, encode('reply', 'answer', { reqId: msg.reqId, ...fields }));
  }

  _reply(w, text) {
    if (w.stopServing.signal.aborted) return undefined; // nobody reads it any more
    if (w.replyText.send(text)) return undefined;
    return this.onRing(w, (signal) => w.replyText.sendAsync(text, { signal })).catch(() => {});
  }

  /**
   * An answer of the host worker too long for its ring (host-thread.js):
   * `pieces` go into a pipe that answers request `reqId` of task `taskId` on
   * worker `w`, as a long answer of a handler here would.
   */
  relay(w, { taskId, reqId }, pieces) {
    const task = this.taskById(taskId);
    if (!w || w.dead || !w.stopServing || task?.worker !== w) return; // the task ended meanwhile: nobody reads it
    streamAnswer(this, w, { reqId }, task, pieces).catch(() => {});
  }
}

/**
 * Answers `msg` with a pipe that `data` is written into; the calling task
 * holds it until the plugin closes the fd (a 'closed' request) or the task ends.
 */
async function streamAnswer(server, w, msg, task, data) {
  const lease = PipeLease.create(server.sabq, server.arena, 'host');
  holdForTask(task, lease);
  await server.answer(w, msg, { pipe: lease.pipe.toJSON() });
  try {
    await writeAllAsync(lease.pipe, data);
  } finally {
    lease.pipe.close();
    lease.drop('host');
  }
}

/** What a handler returned, as the answer: inline when it is short text, else through a pipe. */
function deliver(server, w, msg, task, data) {
  if (typeof data === 'string' || typeof data === 'number') {
    const text = String(data);
    if (text.length <= INLINE_CHARS) {
      const reply = encode('reply', 'answer', { reqId: msg.reqId, inline: text });
      // JSON escapes a control character in six bytes: count, don't assume.
      if (w.replyText.encode(reply) !== null) return server._reply(w, reply);
    }
  }
  return streamAnswer(server, w, msg, task, data);
}

/**
 * The request kinds: type -> (server, worker, message, calling task) =>
 * undefined when answered at once, else a Promise.
 */
const KINDS = {
  call(server, w, msg, task) {
    const handler = Object.hasOwn(server.handlers, msg.name) ? server.handlers[msg.name] : undefined;
    if (!handler) return server.answer(w, msg, { errno: 'NOENT' });
    if (!task?.grants?.allows(task.grants.hostCalls, msg.name)) return server.answer(w, msg, { errno: 'ACCES' });
    let data;
    try {
      data = handler(msg.request);
    } catch {
      return server.answer(w, msg, { errno: 'IO' });
    }
    // A synchronous handler's answer goes at once; a promise is awaited.
    if (data === null || typeof data?.then !== 'function') return deliver(server, w, msg, task, data);
    return Promise.resolve(data).then((value) => deliver(server, w, msg, task, value), () => server.answer(w, msg, { errno: 'IO' }));
  },

  async run(server, w, msg, task) {
    if (!task) return server.answer(w, msg, { errno: 'IO' });
    if (!task.grants?.allows(task.grants.plugins, msg.command)) return server.answer(w, msg, { errno: server.pluginExists(msg.command) ? 'ACCES' : 'NOENT' });
    if (!server.pluginExists(msg.command)) return server.answer(w, msg, { errno: 'NOENT' });
    if (task.depth + 1 > server.limits.maxDepth) return server.answer(w, msg, { errno: 'LOOP' });
    if (server.nested >= server.limits.maxNested) return server.answer(w, msg, { errno: 'AGAIN' });
    server.nested++;
    let child;
    try {
      child = server.runPlugin(task, msg.command, msg.args);
    } catch (e) {
      server.nested--;
      throw e;
    }
    child.exit.catch(() => {}).finally(() => server.nested--);
    // A nested run belongs to the task that started it: it ends with it.
    task.own(() => child.kill());
    holdForTask(task, child.lease);
    child.exit.catch(() => {}).finally(() => child.lease.drop('host'));
    return server.answer(w, msg, { pipe: child.lease.pipe.toJSON() });
  },

  closed(server, w, msg, task) {
    task?.answerPipes?.get(msg.offset)?.();
  },
};

/** The calling task holds an answer's pipe until it closes the fd or ends. */
function holdForTask(task, lease) {
  const token = `answer:${task?.id}`;
  lease.hold(token);
  if (!task) return lease.drop(token);
  const letGo = () => {
    task.answerPipes?.delete(lease.pipe.offset);
    // Nobody will read the rest: a writer here waiting for room ends (EPIPE)
    // and lets go, instead of waiting on the pipe for ever.
    if (!lease.freed) lease.pipe.close();
    lease.drop(token);
  };
  (task.answerPipes ??= new Map()).set(lease.pipe.offset, letGo);
  task.own(letGo);
}

// ---- the worker's side ----------------------------------------------------------

/** Spinning this long on the replies ring before parking saves a wake-up per answer. */
const ANSWER_SPIN_MS = 0.3;

/** How long a call waits for the page to replace a host worker before it fails (EIO). */
const REPLACEMENT_MS = 30_000;
/** How often a call parked for a host worker's answer looks whether that worker is gone. */
const GENERATION_LOOK_MS = 50;

/** What a wait for the host worker's answer returns when that worker is gone. */
const GAVE_UP = Symbol('sabq.gaveUp');

export class HostClient {
  /**
   * @param {import('../rings/spsc.js').SpscRing} requests  @param {import('../rings/spsc.js').SpscRing} replies
   * @param {object|null} [hostWorker] the host worker, if the coordinator has one:
   *   {names: Set of the handlers it runs, requests, replies (SpscRings to it), block (a HostBlock)}
   * @param {() => void} [haltIfStopped] called before a call that gave up returns EIO:
   *   never returns if this worker's task was stopped meanwhile
   */
  constructor(requests, replies, hostWorker = null, haltIfStopped = () => {}) {
    this.haltIfStopped = haltIfStopped;
    this.requests = new TextRing(requests);
    this.replies = new TextRing(replies);
    // Frames of host-wire.js on the host worker's rings, each side with buffers of its own.
    this.hostWorker = hostWorker && {
      ...hostWorker,
      out: frameBuffer(hostWorker.requests.msgMax),
      in: frameBuffer(hostWorker.replies.msgMax),
    };
    this.nextReqId = 0;
    this.hostCalls = []; // what the running task may call: '*' or names (startTask)
  }

  /** A task starts: `hostCalls`, what it was granted ('*' or names), for calls to the host worker. */
  startTask(hostCalls) {
    this.hostCalls = hostCalls ?? [];
  }

  /**
   * Sends a request of `type` and blocks until its answer: {inline} | {pipe} | {errno}.
   * NAMETOOLONG when it does not fit in a ring message.
   */
  request(type, fields) {
    if (type === 'call' && this.hostWorker?.names.has(fields.name)) return this._callHostWorker(fields);
    const reqId = ++this.nextReqId;
    const bytes = this.requests.encode(encode('request', type, { ...fields, reqId }));
    if (bytes === null) return { errno: 'NAMETOOLONG' };
    if (!this.requests.ring.sendWait(bytes, 60_000)) throw new Error('sabq: host request ring stuck');
    return this._answerFromPage(reqId);
  }

  /** Blocks until the page's answer to `reqId`. */
  _answerFromPage(reqId) {
    for (;;) {
      let text = null;
      for (const end = performance.now() + ANSWER_SPIN_MS; text === null && performance.now() < end;) {
        text = this.replies.receive();
      }
      if (text === null) text = this.replies.receiveWait();
      if (text === null || text === END) {
        this.haltIfStopped();
        return { errno: 'IO' };
      }
      const answer = decode('reply', text);
      if (answer.reqId === reqId) return answer;
      // else: a late answer to a request abandoned earlier; skip it
    }
  }

  /**
   * A call to a handler of the host worker: the grant is checked here (the
   * host worker knows no tasks), then worker to worker. EIO if the host
   * worker is gone, or goes while we wait (the page replaces it).
   */
  _callHostWorker({ taskId, name, request }) {
    const hw = this.hostWorker;
    if (this.hostCalls !== '*' && !this.hostCalls.includes(name)) return { errno: 'ACCES' };
    // Taken before sending: a host worker that goes after this will not answer.
    // While the page replaces one (odd), wait for the next to send to it.
    let generation = hw.block.generation;
    if (generation & 1) generation = hw.block.running(REPLACEMENT_MS);
    if (hw.block.down || generation & 1) return { errno: 'IO' };
    const reqId = ++this.nextReqId;
    const n = encodeCall(hw.out, { taskId, reqId, name, request });
    if (n < 0) return { errno: 'NAMETOOLONG' };
    if (!hw.requests.sendWait(hw.out.u8.subarray(0, n), 60_000)) return { errno: 'IO' };
    hw.block.ring();
    for (;;) {
      const got = this._answerFromHostWorker(generation);
      if (got === GAVE_UP || got === END) {
        this.haltIfStopped(); // the host worker was replaced because this task was stopped
        return { errno: 'IO' };
      }
      const answer = decodeAnswer(hw.in, got);
      if (answer.reqId !== reqId) continue; // an answer to a call given up earlier
      return answer.relayed ? this._answerFromPage(reqId) : answer;
    }
  }

  /**
   * The length of the next frame of the host worker's replies ring (in
   * hostWorker.in), or GAVE_UP when the host worker of `generation` is gone.
   */
  _answerFromHostWorker(generation) {
    const { replies, block, in: buf } = this.hostWorker;
    for (const end = performance.now() + ANSWER_SPIN_MS; performance.now() < end;) {
      const n = replies.receiveInto(buf.u8);
      if (n !== null) return n;
      if (block.generation !== generation) return GAVE_UP;
    }
    // Parked on the ring's readable event. The page wakes it when the
    // generation moves; as that wake-up carries no data (it may come between
    // our last look and our sleep), the generation is also looked at again
    // every GENERATION_LOOK_MS.
    for (;;) {
      const got = blockOn(replies.sabq, replies.readable, () => {
        const n = replies.receiveInto(buf.u8);
        if (n !== null) return n;
        return block.generation !== generation ? GAVE_UP : AGAIN;
      }, GENERATION_LOOK_MS);
      if (got !== null) return got;
    }
  }

  /** Sends without waiting for an answer. */
  send(type, fields) {
    if (!this.requests.sendWait(encode('request', type, fields), 60_000)) throw new Error('sabq: host request ring stuck');
  }
}
