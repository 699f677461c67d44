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

import { encode, decode, ProtocolError } from './protocol.js';
import { END } from '../rings/region.js';
import { PipeLease, writeAllAsync } from './pipes.js';

/** Answers up to this many characters travel inside the replies ring. */
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
    for (;;) {
      let text;
      try {
        // A plugin making host calls in a loop sends the next request a few
        // tens of µs after its answer: spinning that long (bounded, 60 µs)
        // saves the ~35 µs it takes to wake this thread from waitAsync.
        text = await this.onRing(w, (signal) => w.requests.receiveStringAsync({ signal, keepAlive: false, spinMicros: 60 }));
      } catch {
        return; // stopped: the worker is being retired
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
      // Awaited: the worker waits for this answer anyway, and the spin above
      // must not hold this thread while the answer is still to be produced.
      await KINDS[msg.type](this, w, msg, this.taskById(msg.taskId)).catch(() => this.answer(w, msg, { errno: 'IO' }));
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

  answer(w, msg, fields) {
    return this.onRing(w, (signal) => w.replies.sendAsync(encode('reply', 'answer', { reqId: msg.reqId, ...fields }), { signal })).catch(() => {});
  }
}

/** The request kinds: type -> (server, worker, message, calling task) => Promise. */
const KINDS = {
  async call(server, w, msg, task) {
    const handler = Object.hasOwn(server.handlers, msg.name) ? server.handlers[msg.name] : undefined;
    if (!handler) return server.answer(w, msg, { errno: 'NOENT' });
    if (!task?.grants?.allows(task.grants.hostCalls, msg.name)) return server.answer(w, msg, { errno: 'ACCES' });
    let data;
    try {
      data = await handler(msg.request);
    } catch {
      return server.answer(w, msg, { errno: 'IO' });
    }
    if (typeof data === 'string' || typeof data === 'number') {
      const text = String(data);
      if (text.length <= INLINE_CHARS) return server.answer(w, msg, { inline: text });
    }
    // A long or streamed answer: through a pipe the calling task holds until
    // the plugin closes the fd (a 'closed' request) or the task ends.
    const lease = PipeLease.create(server.sabq, server.arena, 'host');
    holdForTask(task, lease);
    await server.answer(w, msg, { pipe: lease.pipe.toJSON() });
    try {
      await writeAllAsync(lease.pipe, data);
    } finally {
      lease.pipe.close();
      lease.drop('host');
    }
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
    await server.answer(w, msg, { pipe: child.lease.pipe.toJSON() });
  },

  async closed(server, w, msg, task) {
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

export class HostClient {
  /** @param {import('../rings/spsc.js').SpscRing} requests  @param {import('../rings/spsc.js').SpscRing} replies */
  constructor(requests, replies) {
    this.requests = requests;
    this.replies = replies;
    this.nextReqId = 0;
  }

  /** Sends a request of `type` and blocks until its answer: {inline} | {pipe} | {errno}. */
  request(type, fields) {
    const reqId = ++this.nextReqId;
    this.send(type, { ...fields, reqId });
    for (;;) {
      let text = null;
      for (const end = performance.now() + ANSWER_SPIN_MS; text === null && performance.now() < end;) {
        text = this.replies.receiveString();
      }
      if (text === null) text = this.replies.receiveStringWait();
      if (text === null || text === END) return { errno: 'IO' };
      const answer = decode('reply', text);
      if (answer.reqId === reqId) return answer;
      // else: a late answer to a request abandoned earlier; skip it
    }
  }

  /** Sends without waiting for an answer. */
  send(type, fields) {
    if (!this.requests.sendWait(encode('request', type, fields), 60_000)) throw new Error('sabq: host request ring stuck');
  }
}
