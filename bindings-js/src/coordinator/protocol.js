// bindings-js/src/coordinator/protocol.js — every message between the coordinator (on
// the page or Node's main thread) and its compute workers, as data: one table
// of named shapes, imported by both sides and described in docs/protocol.md.
// A message is built with make() and checked with accept(); a kind that is
// not in the table, or a message missing a field its shape requires, is
// refused (ProtocolError) rather than guessed at.
//
// The channels:
//   toWorker / fromWorker  postMessage (structured clone: memories, modules,
//                          buffers travel as themselves)
//   request                the worker's requests ring (JSON), for calls a
//                          plugin makes from inside a blocking wasm call,
//                          when the worker cannot receive a postMessage
//   reply                  the worker's replies ring (JSON): the answers
//   toHostWorker / fromHostWorker
//                          postMessage to and from the host worker, which
//                          runs host handlers in a thread of their own
//   control                the host worker's control ring (JSON): which
//                          compute workers' rings it serves, since it blocks
//                          on rings and hears no postMessage while it does

/** channel -> kind -> the fields a message must carry (besides `type`). */
export const SHAPES = Object.freeze({
  toWorker: {
    // once, first: the shared memory, sabq.wasm, the worker's rings
    init: ['workerId', 'memory', 'sabqModule', 'queue', 'requests', 'replies', 'run', 'shimUrl', 'spin'],
    // a plugin compiled by the coordinator, shared with every worker
    module: ['id', 'module'],
    // the task the worker claimed (answer to 'claim')
    task: ['taskId', 'spec'],
    // the task the worker claimed was cancelled while queued: take the next
    skip: ['taskId'],
    // answer to 'startHelper': `channel` ({buffer, files, bytes}) of the OPFS
    // mount's helper, or `error` ({errno, message}) if it could not be started
    helper: ['taskId', 'path'],
  },
  fromWorker: {
    ready: [],
    // the worker popped this task id from the dispatch queue and asks for it
    claim: ['taskId'],
    // the task ended: `value` (a JS task's result, a plugin's exit code); `files`: the
    // collected mounts ({'/work': {entries, changes}}), for plugins
    done: ['taskId', 'value'],
    // the task failed: `error` {name, message, code?, stack?}; `files` as for done
    failed: ['taskId', 'error'],
    // a file a plugin wrote was closed: {taskId, mount, path, size, data?}
    fileClosed: ['taskId', 'mount', 'path', 'size'],
    // the task's OPFS mount at `path` needs its helper worker, which the
    // coordinator starts (why not the worker: wasi/fs/opfs-protocol.js)
    startHelper: ['taskId', 'path'],
    // the worker itself is broken
    fatal: ['error'],
  },
  request: {
    // open /host/call/NAME/REQUEST
    call: ['taskId', 'reqId', 'name', 'request'],
    // open /host/run/COMMAND ARGS
    run: ['taskId', 'reqId', 'command', 'args'],
    // the plugin closed the fd of an answer: its pipe may be reused
    closed: ['taskId', 'offset'],
  },
  reply: {
    // exactly one of: `inline` (a short answer's text), `pipe` ({offset, size}
    // of a pipe to read the answer from), `errno` (a WASI errno name), or
    // from a host worker `relayed: true` (the answer, too long for the ring,
    // comes as a pipe through the page: wait for it on the page's replies ring)
    answer: ['reqId'],
  },
  toHostWorker: {
    // once, first: the shared memory, sabq.wasm, the handlers' module (`url`,
    // `export`), its control ring, its shared block (host-block.js) and the
    // compute workers' rings it serves from the start ([{workerId, requests, replies}])
    init: ['memory', 'sabqModule', 'url', 'export', 'control', 'block', 'workers'],
  },
  fromHostWorker: {
    // the handlers are loaded: `names`, those it answers
    ready: ['names'],
    // it no longer touches this compute worker's rings (answer to 'detach')
    detached: ['workerId'],
    // an answer too long for the ring (or streamed) starts: the page makes a
    // pipe for it, answers the worker's `reqId` with it, and writes the chunks
    relay: ['relayId', 'workerId', 'taskId', 'reqId'],
    // the next piece of relay `relayId` (a string, bytes or a Blob)
    chunk: ['relayId', 'data'],
    // relay `relayId` is complete (or, with `failed`, cut short)
    end: ['relayId'],
    // the host worker itself is broken (its handlers' module did not load)
    fatal: ['error'],
  },
  control: {
    // serve this compute worker's host-call rings ({offset, size} each)
    attach: ['workerId', 'requests', 'replies'],
    // stop touching them: they are about to be freed (answered by 'detached')
    detach: ['workerId'],
  },
});

/**
 * The run word: one shared Int32 per worker (at byte `run` of the memory, in
 * the init message) that says whether the worker is running a task, so the
 * coordinator never stops a worker that has already finished its task and
 * moved on (it might be between popping the next task id and claiming it,
 * and that task would be lost). The coordinator sets BUSY when it hands a
 * task over; the worker, once done with every byte the task owns, swaps BUSY
 * for IDLE before it reports; the coordinator stops a worker only if it
 * swapped BUSY for STOPPED first. Whoever swaps first decides: a worker that
 * finds STOPPED waits to be terminated and does nothing else.
 */
export const RUN = Object.freeze({ IDLE: 0, BUSY: 1, STOPPED: 2 });

export class ProtocolError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** A message of `type` on `channel`, with `fields`; throws if a required one is missing. */
export function make(channel, type, fields = {}) {
  const msg = { type, ...fields };
  accept(channel, msg);
  return msg;
}

/** Returns `msg` if its kind is known on `channel` and it has its fields; throws otherwise. */
export function accept(channel, msg) {
  const shapes = SHAPES[channel];
  if (!shapes) throw new ProtocolError(`unknown channel '${channel}'`);
  const required = msg && typeof msg === 'object' ? shapes[msg.type] : undefined;
  if (!required || !Object.hasOwn(shapes, msg.type)) {
    throw new ProtocolError(`${channel}: unknown message kind '${msg?.type}'`);
  }
  for (const field of required) {
    if (msg[field] === undefined) throw new ProtocolError(`${channel} '${msg.type}': missing '${field}'`);
  }
  return msg;
}

/** JSON text of a ring message (request or reply channel). */
export function encode(channel, type, fields) {
  return JSON.stringify(make(channel, type, fields));
}

/** The checked message in a ring's JSON text. */
export function decode(channel, text) {
  let msg;
  try {
    msg = JSON.parse(text);
  } catch {
    throw new ProtocolError(`${channel}: not JSON`);
  }
  return accept(channel, msg);
}
