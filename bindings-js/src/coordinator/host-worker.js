// bindings-js/src/host-worker.js — the host worker: runs the app's host
// handlers (Coordinator option `hostWorker`) in a thread of their own, so a
// plugin's open of /host/call/NAME is answered worker to worker, without the
// page's event loop. It blocks on the bell of its shared block (host-block.js)
// and serves the host-call rings of every compute worker the page attached
// through its control ring. A synchronous handler may block, call wasm or do
// its own I/O here; a handler that returns a promise is awaited while the
// others keep being served. Answers too long for a ring, and streams, go
// through the page, which owns every pipe (relay, in protocol.js).
//
// Runs in a Web Worker or a Node worker_thread (module workers). Every
// message in and out is a protocol.js shape.

import { Sabq } from '../rings/module.js';
import { SpscRing } from '../rings/spsc.js';
import { TextRing } from '../rings/text-ring.js';
import { frameBuffer, decodeCall, encodeAnswer } from './host-wire.js';
import { END } from '../rings/region.js';
import { HostBlock } from './host-block.js';
import { parentChannel } from './platform.js';
import { make, accept, decode, ProtocolError } from './protocol.js';

/**
 * After the last piece of work, the bell is watched this long before the
 * thread sleeps: a plugin making calls in a loop sends its next request a few
 * µs after its answer, and catching it awake saves the wake-up (tens of µs).
 */
const SPIN_MICROS = 100;
/** Requests taken from one ring before the others get their turn. */
const FAIR_SHARE = 16;
/** How long an answer may wait for room in a replies ring (a worker reads its answer at once). */
const ANSWER_ROOM_MS = 1000;

let channel, block, control, handlers;
const workers = new Map(); // workerId -> {id, requests, replies}
let pending = 0; // handlers awaiting a promise, and relays still streaming
let nextRelay = 1;

const post = (type, fields) => channel.post(make('fromHostWorker', type, fields));

parentChannel().then((c) => {
  channel = c;
  channel.onMessage((raw) => {
    let msg;
    try {
      msg = accept('toHostWorker', raw);
    } catch (e) {
      if (e instanceof ProtocolError) return post('fatal', { error: describe(e) });
      throw e;
    }
    start(msg).catch((e) => post('fatal', { error: describe(e) }));
  });
});

function describe(e) {
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

async function start(msg) {
  const sabq = await Sabq.instantiate(msg.memory, { module: msg.sabqModule });
  block = new HostBlock(sabq, msg.block);
  control = new TextRing(SpscRing.attach(sabq, msg.control.offset, msg.control.size));
  // The app's module, served on its own: no bundler is to touch this import.
  const mod = await import(/* webpackIgnore: true */ /* @vite-ignore */ msg.url);
  handlers = mod[msg.export];
  const names = handlers !== null && typeof handlers === 'object'
    ? Object.keys(handlers).filter((k) => typeof handlers[k] === 'function')
    : [];
  if (names.length === 0) {
    throw new TypeError(`sabq: the host worker's module ${msg.url} has no export '${msg.export}' that is an object of handler functions`);
  }
  for (const w of msg.workers) attach(sabq, w);
  post('ready', { names });
  await serve(sabq);
}

function attach(sabq, { workerId, requests, replies }) {
  const w = {
    id: workerId,
    requests: SpscRing.attach(sabq, requests.offset, requests.size),
    replies: SpscRing.attach(sabq, replies.offset, replies.size),
  };
  // Frames of host-wire.js, decoded from and encoded into buffers of this thread's own.
  w.in = frameBuffer(w.requests.msgMax);
  w.out = frameBuffer(w.replies.msgMax);
  workers.set(workerId, w);
}

async function serve(sabq) {
  // This incarnation's generation: the page moves it when it replaces or
  // closes us, and rings the bell. Then we stop and idle in the event loop:
  // a thread parked in Atomics.wait would keep Chromium's terminate() waiting
  // 2 s (threads.js), and close() with it.
  const generation = block.generation;
  while (block.isCurrent(generation)) {
    const seen = block.bell; // before looking: a request sent after this moves it
    let worked = takeControl(sabq);
    for (const w of workers.values()) if (serveRing(w)) worked = true;
    if (pending > 0) {
      // Promises to settle: the event loop must run, so wait without blocking.
      await (worked ? turnOfEventLoop() : block.parkAsync(seen));
    } else if (!worked && !block.spin(seen, SPIN_MICROS)) {
      block.park(seen);
    }
  }
}

/** Applies the page's control messages; true if there were any. */
function takeControl(sabq) {
  let any = false;
  for (let text; (text = control.receive()) !== null && text !== END;) {
    any = true;
    const msg = decode('control', text);
    if (msg.type === 'attach') {
      attach(sabq, msg);
    } else {
      workers.delete(msg.workerId);
      post('detached', { workerId: msg.workerId });
    }
  }
  return any;
}

/** Serves up to FAIR_SHARE requests of one worker; true if there were any. */
function serveRing(w) {
  let n = 0;
  for (let got; n < FAIR_SHARE && (got = w.requests.receiveInto(w.in.u8)) !== null && got !== END; n++) {
    let msg;
    try {
      msg = decodeCall(w.in, got); // only calls come here: host-rpc.js sends runs and closes to the page
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      continue; // nothing to answer: it names no request
    }
    serveOne(w, msg);
  }
  return n > 0;
}

function serveOne(w, msg) {
  if (!Object.hasOwn(handlers, msg.name) || typeof handlers[msg.name] !== 'function') return answer(w, msg, { errno: 'NOENT' });
  let result;
  let threw = false;
  block.beginServing(msg.taskId);
  try {
    result = handlers[msg.name](msg.request);
  } catch {
    threw = true;
  }
  // The task ended while its handler ran, and the page is replacing this
  // thread: touch nothing more.
  if (!block.endServing(msg.taskId)) block.waitForEnd();
  if (threw) return answer(w, msg, { errno: 'IO' });
  if (result !== null && typeof result?.then === 'function') {
    pending++;
    Promise.resolve(result)
      .then((value) => deliver(w, msg, value), () => answer(w, msg, { errno: 'IO' }))
      .finally(() => pending--);
    return undefined;
  }
  return deliver(w, msg, result);
}

/** A handler's value to the worker: in the ring when it fits, else through the page. */
function deliver(w, msg, value) {
  if (value === null || value === undefined) return answer(w, msg, { inline: '' });
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    if (answer(w, msg, { inline: text }, true)) return undefined;
  }
  return relay(w, msg, value);
}

/**
 * Answers `msg` in `w`'s replies ring, if `w` is still attached. With
 * `onlyIfFits`, returns false instead of sending an answer longer than the
 * ring's largest message.
 */
function answer(w, msg, fields, onlyIfFits = false) {
  if (workers.get(w.id) !== w) return true; // detached: nobody waits for it
  const n = encodeAnswer(w.out, { reqId: msg.reqId, ...fields });
  if (n < 0) {
    if (onlyIfFits) return false;
    throw new RangeError('sabq: host worker answer does not fit its ring'); // only inline answers are long
  }
  const bytes = w.out.u8.subarray(0, n);
  // The worker reads its answer at once; a full ring means it is gone.
  if (!w.replies.send(bytes)) w.replies.sendWait(bytes, ANSWER_ROOM_MS);
  return true;
}

/**
 * An answer the ring cannot carry: the page makes a pipe and answers the
 * worker with it, and this thread sends the pieces (protocol.js relay).
 */
function relay(w, msg, value) {
  const relayId = nextRelay++;
  post('relay', { relayId, workerId: w.id, taskId: msg.taskId, reqId: msg.reqId });
  answer(w, msg, { relayed: true });
  if (typeof value === 'string' || typeof value === 'number' || ArrayBuffer.isView(value) ||
      value instanceof ArrayBuffer || (typeof Blob !== 'undefined' && value instanceof Blob)) {
    post('chunk', { relayId, data: typeof value === 'number' ? String(value) : value });
    post('end', { relayId });
    return;
  }
  pending++;
  (async () => {
    try {
      for await (const data of chunksOf(value)) post('chunk', { relayId, data });
      post('end', { relayId });
    } catch {
      post('end', { relayId, failed: true });
    } finally {
      pending--;
    }
  })();
}

/** The pieces of a Response, a ReadableStream or an (async) iterable; anything else as its text. */
async function* chunksOf(value) {
  if (typeof Response !== 'undefined' && value instanceof Response) value = value.body;
  if (value && typeof value.getReader === 'function') {
    const reader = value.getReader();
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) return;
      yield chunk;
    }
  }
  if (value && (typeof value[Symbol.asyncIterator] === 'function' || typeof value[Symbol.iterator] === 'function')) {
    for await (const chunk of value) yield typeof chunk === 'number' ? String(chunk) : chunk;
    return;
  }
  yield String(value);
}

// A turn of the event loop sooner than setTimeout's (clamped to 1-4 ms).
const turn = new MessageChannel();
let turned = null;
turn.port1.onmessage = () => turned();
function turnOfEventLoop() {
  return new Promise((resolve) => {
    turned = resolve;
    turn.port2.postMessage(0);
  });
}
