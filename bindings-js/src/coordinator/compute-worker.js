// bindings-js/src/coordinator/compute-worker.js — a compute worker: pulls task ids from
// the coordinator's MPMC queue (so an idle worker takes the next task), claims
// each, runs it — a JS function, or a WASI plugin whose system interface is
// wasi/system.js — and reports the end. While a plugin runs, the worker may
// block (fd_read on a pipe, a host call); between tasks it waits
// asynchronously, so it still hears the coordinator's messages.
//
// Runs in a Web Worker or a Node worker_thread (module workers). Every
// message in and out is a protocol.js shape.

import { Sabq } from '../rings/module.js';
import { MpmcQueue } from '../rings/mpmc.js';
import { SpscRing } from '../rings/spsc.js';
import { Pipe } from '../rings/pipe.js';
import { END } from '../rings/region.js';
import { waitOptions } from '../rings/wait.js';
import { parentChannel } from './platform.js';
import { make, accept, ProtocolError, RUN } from './protocol.js';
import { HostClient } from './host-rpc.js';
import { HostBlock } from './host-block.js';
import { PluginSystem } from '../wasi/system.js';
import { FsError } from '../wasi/fs/node.js';

let channel, sabq, queue, hostClient, wasiShim, runWord;
const post = (type, fields, transfer) => channel.post(make('fromWorker', type, fields), transfer);
const modules = new Map(); // plugin id -> WebAssembly.Module
const moduleWaiters = new Map(); // plugin id -> resolve
const claims = new Map(); // task id -> resolve(the coordinator's 'task' or 'skip')
const helpers = new Map(); // `${taskId} ${path}` -> resolve(the coordinator's 'helper')

// Not a top-level await: bundlers' default targets refuse one. Nothing is
// missed meanwhile: a page sends nothing before onMessage() has told it this
// thread's life lock (platform.js), and Node's port holds messages until a
// listener.
parentChannel().then((c) => {
  channel = c;
  channel.onMessage(receive);
});

function receive(raw) {
  let msg;
  try {
    msg = accept('toWorker', raw);
  } catch (e) {
    if (e instanceof ProtocolError) return post('fatal', { error: describe(e) });
    throw e;
  }
  switch (msg.type) {
    case 'init':
      init(msg).catch((e) => post('fatal', { error: describe(e) }));
      break;
    case 'module':
      modules.set(msg.id, msg.module);
      moduleWaiters.get(msg.id)?.(msg.module);
      moduleWaiters.delete(msg.id);
      break;
    case 'task':
    case 'skip':
      claims.get(msg.taskId)?.(msg);
      claims.delete(msg.taskId);
      break;
    case 'helper':
      helpers.get(`${msg.taskId} ${msg.path}`)?.(msg);
      helpers.delete(`${msg.taskId} ${msg.path}`);
      break;
    default:
  }
}

async function init(msg) {
  waitOptions.spin = msg.spin; // this thread's blocking calls (Coordinator option spin)
  sabq = await Sabq.instantiate(msg.memory, { module: msg.sabqModule });
  queue = MpmcQueue.attach(sabq, msg.queue.offset, msg.queue.size);
  runWord = msg.run >> 2;
  sabq.ensure(msg.run + 4);
  const hw = msg.hostWorker;
  hostClient = new HostClient(
    SpscRing.attach(sabq, msg.requests.offset, msg.requests.size),
    SpscRing.attach(sabq, msg.replies.offset, msg.replies.size),
    // The coordinator's host worker, if it has one: calls to its handlers go there.
    hw ? {
      names: new Set(hw.names),
      requests: SpscRing.attach(sabq, hw.requests.offset, hw.requests.size),
      replies: SpscRing.attach(sabq, hw.replies.offset, hw.replies.size),
      block: new HostBlock(sabq, hw.block),
    } : null,
    haltIfStopped,
  );
  // A URL when the coordinator resolved one (unbundled pages, Node) or was
  // given one (wasiShimUrl); else the package name, which bundlers follow.
  wasiShim = msg.shimUrl
    ? await import(/* webpackIgnore: true */ /* @vite-ignore */ msg.shimUrl)
    : await import('@bjorn3/browser_wasi_shim');
  post('ready');
  loop().catch((e) => post('fatal', { error: describe(e) }));
}

function moduleFor(id) {
  if (modules.has(id)) return modules.get(id);
  return new Promise((resolve) => moduleWaiters.set(id, resolve));
}

async function loop() {
  const id = new DataView(new ArrayBuffer(4));
  for (;;) {
    const m = await queue.popAsync();
    if (m === END) return; // the coordinator closed the queue
    if (m === null) continue;
    new Uint8Array(id.buffer).set(m.subarray(0, 4));
    const taskId = id.getUint32(0, true);
    const reply = new Promise((resolve) => claims.set(taskId, resolve));
    post('claim', { taskId });
    const msg = await reply;
    if (msg.type === 'skip') continue; // cancelled while queued
    await runTask(taskId, msg.spec);
  }
}

function describe(e) {
  if (e instanceof Error) return { name: e.name, message: e.message, code: e.code, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

async function runTask(taskId, spec) {
  if (spec.kind === 'js') {
    let outcome;
    try {
      // A module of the app's, served on its own: no bundler is to touch this import.
      const mod = await import(/* webpackIgnore: true */ /* @vite-ignore */ spec.url);
      const fn = mod[spec.export ?? 'default'];
      if (typeof fn !== 'function') throw new TypeError(`task: ${spec.url} has no function export '${spec.export ?? 'default'}'`);
      outcome = { type: 'done', fields: { value: await fn(spec.input) } };
    } catch (e) {
      outcome = { type: 'failed', fields: { error: describe(e) } };
    }
    report(taskId, outcome, []);
    return;
  }
  await runPlugin(taskId, spec);
}

/**
 * Reports the end of a task, once nothing of it is touched any more — unless
 * the coordinator has meanwhile decided to stop this worker (timeout, cancel):
 * then the worker waits for its end and does nothing else (protocol.js RUN).
 */
function report(taskId, outcome, transfer) {
  if (Atomics.compareExchange(sabq.i32, runWord, RUN.BUSY, RUN.IDLE) !== RUN.BUSY) {
    for (;;) Atomics.wait(sabq.i32, runWord, RUN.STOPPED);
  }
  post(outcome.type, { taskId, ...outcome.fields }, transfer);
}

/**
 * A host call gave up (its answerer went away): if that is because the
 * coordinator stopped this worker's task, the plugin must not run on — its
 * task has ended, and what it wrote now would reach nobody, or close pipes
 * someone still reads — so the worker waits for its end, touching nothing.
 * (Its memory is not reused meanwhile: the page waits for this thread's
 * death before it takes the memory back, threads.js.)
 */
function haltIfStopped() {
  while (Atomics.load(sabq.i32, runWord) === RUN.STOPPED) Atomics.wait(sabq.i32, runWord, RUN.STOPPED);
}

const attachPipe = (where) => (where ? Pipe.attach(sabq, where.offset, where.size) : null);

/**
 * Asks the coordinator to start the helper of the task's OPFS mount at
 * `path` (a worker must not start one: wasi/fs/opfs-protocol.js) and resolves
 * with its channel; rejects with the coordinator's FsError if it could not.
 * Always answered: the coordinator's start has a deadline.
 */
async function startHelper(taskId, path) {
  const answer = new Promise((resolve) => helpers.set(`${taskId} ${path}`, resolve));
  post('startHelper', { taskId, path });
  const { channel, error } = await answer;
  if (error) throw new FsError(error.errno, error.message);
  return channel;
}

async function runPlugin(taskId, spec) {
  const stdio = { stdin: attachPipe(spec.stdin), stdout: attachPipe(spec.stdout), stderr: attachPipe(spec.stderr) };
  hostClient.startTask(spec.hostCalls);
  let system = null;
  let outcome;
  try {
    const module = await moduleFor(spec.moduleId);
    system = await PluginSystem.create({
      shim: wasiShim,
      args: [spec.name, ...spec.args],
      env: spec.env,
      stdio,
      tty: spec.tty,
      host: spec.host ? { client: hostClient, taskId, sabq } : null,
      onFileClosed: spec.watchFiles ? (e) => post('fileClosed', { taskId, ...e }, e.data ? [e.data.buffer] : []) : null,
      startHelper: (path) => startHelper(taskId, path),
    }, spec.mounts);
    const instance = await WebAssembly.instantiate(module, system.imports);
    outcome = { type: 'done', fields: { value: system.start(instance) } };
  } catch (e) {
    outcome = { type: 'failed', fields: { error: describe(e) } };
  }
  // The program is done with its stdio: end of stream downstream, and a
  // closed reader upstream (a writer still feeding us gets EPIPE).
  for (const p of [stdio.stdout, stdio.stderr, stdio.stdin]) p?.close();
  let transfer = [];
  if (system) {
    try {
      const collected = system.finish();
      outcome.fields.files = collected.files;
      transfer = collected.transfer;
    } catch (e) {
      outcome = { type: 'failed', fields: { error: describe(e) } };
    }
  }
  report(taskId, outcome, transfer);
}
