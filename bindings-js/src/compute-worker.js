// bindings-js/src/compute-worker.js — the compute worker: pulls task ids from
// the coordinator's MPMC queue (so idle workers take work), claims each task,
// runs it (a JS function, or a WASI program with stdio over sabq pipes) and
// posts the outcome. While a task runs the worker may block (fd_read); between
// tasks it waits asynchronously, so it still hears the coordinator's messages.
//
// Runs in a Web Worker or a Node worker_thread (module workers).

import { Sabq } from './module.js';
import { MpmcQueue } from './mpmc.js';
import { END } from './region.js';
import { SpscRing } from './spsc.js';
import { Pipe } from './pipe.js';
import { makeFds } from './wasi-fds.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof self === 'undefined';
let port; // where messages to the coordinator go
const inbox = []; // messages that arrived while nobody awaited them
const waiters = new Map(); // awaited message type+id -> resolve

function onMessage(msg) {
  const key = `${msg.type}:${msg.taskId ?? ''}`;
  const resolve = waiters.get(key);
  if (resolve) {
    waiters.delete(key);
    resolve(msg);
  } else if (msg.type === 'module') {
    modules.set(msg.id, msg.module);
    moduleArrived.get(msg.id)?.();
  } else if (msg.type === 'init') {
    init(msg);
  } else {
    inbox.push(msg);
  }
}

/** Resolves with the next message of `type` about `taskId`. */
function next(type, taskId) {
  const key = `${type}:${taskId ?? ''}`;
  const i = inbox.findIndex((m) => `${m.type}:${m.taskId ?? ''}` === key);
  if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0]);
  return new Promise((resolve) => waiters.set(key, resolve));
}

const modules = new Map(); // plugin id -> WebAssembly.Module
const moduleArrived = new Map();
function moduleFor(id) {
  if (modules.has(id)) return modules.get(id);
  return new Promise((resolve) => moduleArrived.set(id, () => resolve(modules.get(id))));
}

let sabq, queue, control, requests, wasiShim, fdClasses;

async function init(msg) {
  sabq = await Sabq.instantiate(msg.memory, { module: msg.sabqModule });
  queue = MpmcQueue.attach(sabq, msg.queue.offset, msg.queue.size);
  control = SpscRing.attach(sabq, msg.control.offset, msg.control.size);
  requests = SpscRing.attach(sabq, msg.requests.offset, msg.requests.size);
  wasiShim = await import(msg.shimUrl);
  fdClasses = makeFds(wasiShim);
  port.postMessage({ type: 'ready' });
  loop().catch((e) => port.postMessage({ type: 'fatal', error: describe(e) }));
}

async function loop() {
  const ids = new DataView(new ArrayBuffer(4));
  for (;;) {
    const m = await queue.popAsync();
    if (m === END) break; // the coordinator closed the queue
    if (m === null) continue;
    new Uint8Array(ids.buffer).set(m.subarray(0, 4));
    const taskId = ids.getUint32(0, true);
    port.postMessage({ type: 'claim', taskId });
    const reply = await next('task', taskId);
    if (reply.skip) continue; // cancelled while queued
    await runTask(taskId, reply.spec);
  }
  port.postMessage({ type: 'drained' });
}

function describe(e) {
  if (e instanceof Error) return { name: e.name, message: e.message, code: e.code, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

async function runTask(taskId, spec) {
  try {
    if (spec.kind === 'js') {
      const mod = await import(spec.url);
      const fn = mod[spec.export ?? 'default'];
      if (typeof fn !== 'function') throw new TypeError(`task: ${spec.url} has no function export '${spec.export ?? 'default'}'`);
      const value = await fn(spec.input);
      port.postMessage({ type: 'done', taskId, value });
    } else {
      const code = await runWasi(taskId, spec);
      port.postMessage({ type: 'done', taskId, value: code });
    }
  } catch (e) {
    port.postMessage({ type: 'failed', taskId, error: describe(e) });
  }
}

const encoder = new TextEncoder();
const ANSWER_SPIN_MS = 0.3;
const attachPipe = (where) => (where ? Pipe.attach(sabq, where.offset, where.size) : null);

async function runWasi(taskId, spec) {
  const module = await moduleFor(spec.moduleId);
  const stdin = attachPipe(spec.stdin);
  const stdout = attachPipe(spec.stdout);
  const stderr = attachPipe(spec.stderr);
  const tty = !!spec.tty;
  const { PipeReadFd, PipeWriteFd, NullFd, HostDirFd } = fdClasses;
  // A host call: the request goes through our requests ring (the host awaits
  // it without blocking; a postMessage would cost tens of microseconds more),
  // then we block on our control ring for the answer: the coordinator cannot
  // post to us while we are inside wasm.
  let reqId = 0;
  const ask = (msg) => {
    if (!requests.sendWait(JSON.stringify(msg), 60_000)) throw new Error('host request ring stuck');
  };
  const request = (kind, rest) => {
    const id = ++reqId;
    ask({ type: 'hostcall', taskId, reqId: id, kind, rest });
    for (;;) {
      // The host answers within tens of µs: spin that long (this worker has
      // nothing else to do) before parking, which would add a futex wake.
      let answer = null;
      for (const end = performance.now() + ANSWER_SPIN_MS; answer === null && performance.now() < end;) {
        answer = control.receiveString();
      }
      if (answer === null) answer = control.receiveStringWait();
      if (answer === null || answer === END) return wasiShim.wasi.ERRNO_IO;
      const a = JSON.parse(answer);
      if (a.reqId !== id) continue; // a late answer to an abandoned request
      if (a.errno) return wasiShim.wasi[a.errno] ?? wasiShim.wasi.ERRNO_IO;
      // A short answer comes inline; a long or streamed one through a pipe.
      return a.inline !== undefined ? encoder.encode(a.inline) : Pipe.attach(sabq, a.offset, a.size);
    }
  };
  const fds = [
    stdin ? new PipeReadFd(stdin, { tty, onClose: () => stdin.close() }) : new NullFd(),
    stdout ? new PipeWriteFd(stdout, { tty }) : new NullFd(),
    stderr ? new PipeWriteFd(stderr, { tty }) : new NullFd(),
    // Closing an answer's fd lets the host reuse its pipe at once.
    new HostDirFd(request, (pipe) => ask({ type: 'closed', taskId, offset: pipe.offset })),
  ];
  // { debug: false } explicitly: shim 0.4.2 turns its console logging on when
  // the option is absent.
  const shim = new wasiShim.WASI([spec.name ?? 'plugin', ...(spec.args ?? [])], spec.env ?? [], fds, { debug: false });
  // The shim's poll_oneoff (sleep) spins; a worker can sleep for real.
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const poll = shim.wasiImport.poll_oneoff;
  shim.wasiImport.poll_oneoff = (inPtr, outPtr, n) => {
    // One relative clock subscription (what sleep() and nanosleep() make):
    // userdata u64 @0, tag u8 @8, clock id u32 @16, timeout u64 @24, flags u16 @40.
    const view = new DataView(shim.inst.exports.memory.buffer);
    const { wasi } = wasiShim;
    if (n !== 1 || view.getUint8(inPtr + 8) !== wasi.EVENTTYPE_CLOCK || (view.getUint16(inPtr + 40, true) & 1) !== 0) {
      return poll(inPtr, outPtr, n);
    }
    Atomics.wait(sleeper, 0, 0, Number(view.getBigUint64(inPtr + 24, true)) / 1e6);
    new wasi.Event(view.getBigUint64(inPtr, true), wasi.ERRNO_SUCCESS, wasi.EVENTTYPE_CLOCK).write_bytes(view, outPtr);
    return wasi.ERRNO_SUCCESS;
  };
  try {
    const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: shim.wasiImport });
    return shim.start(instance);
  } finally {
    // The program is done with its stdio: end of stream downstream, and a
    // closed reader upstream (a writer still feeding us gets EPIPE).
    stdout?.close();
    stderr?.close();
    stdin?.close();
  }
}

if (isNode) {
  const { parentPort } = await import('node:worker_threads');
  port = parentPort;
  parentPort.on('message', onMessage);
} else {
  port = self;
  self.onmessage = (e) => onMessage(e.data);
}
