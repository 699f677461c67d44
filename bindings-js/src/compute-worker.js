// bindings-js/src/compute-worker.js — a compute worker: pulls task ids from
// the coordinator's MPMC queue (so an idle worker takes the next task), claims
// each, runs it — a JS function, or a WASI plugin whose system interface is
// wasi/system.js — and reports the end. While a plugin runs, the worker may
// block (fd_read on a pipe, a host call); between tasks it waits
// asynchronously, so it still hears the coordinator's messages.
//
// Runs in a Web Worker or a Node worker_thread (module workers). Every
// message in and out is a protocol.js shape.

import { Sabq } from './module.js';
import { MpmcQueue } from './mpmc.js';
import { SpscRing } from './spsc.js';
import { Pipe } from './pipe.js';
import { END } from './region.js';
import { parentChannel } from './platform.js';
import { make, accept, ProtocolError } from './protocol.js';
import { HostClient } from './host-rpc.js';
import { PluginSystem } from './wasi/system.js';

const channel = await parentChannel();
const post = (type, fields, transfer) => channel.post(make('fromWorker', type, fields), transfer);

let sabq, queue, hostClient, wasiShim;
const modules = new Map(); // plugin id -> WebAssembly.Module
const moduleWaiters = new Map(); // plugin id -> resolve
const claims = new Map(); // task id -> resolve(the coordinator's 'task' or 'skip')

channel.onMessage((raw) => {
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
    default:
  }
});

async function init(msg) {
  sabq = await Sabq.instantiate(msg.memory, { module: msg.sabqModule });
  queue = MpmcQueue.attach(sabq, msg.queue.offset, msg.queue.size);
  hostClient = new HostClient(
    SpscRing.attach(sabq, msg.requests.offset, msg.requests.size),
    SpscRing.attach(sabq, msg.replies.offset, msg.replies.size),
  );
  wasiShim = await import(msg.shimUrl);
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
    try {
      const mod = await import(spec.url);
      const fn = mod[spec.export ?? 'default'];
      if (typeof fn !== 'function') throw new TypeError(`task: ${spec.url} has no function export '${spec.export ?? 'default'}'`);
      post('done', { taskId, value: await fn(spec.input) });
    } catch (e) {
      post('failed', { taskId, error: describe(e) });
    }
    return;
  }
  await runPlugin(taskId, spec);
}

const attachPipe = (where) => (where ? Pipe.attach(sabq, where.offset, where.size) : null);

async function runPlugin(taskId, spec) {
  const stdio = { stdin: attachPipe(spec.stdin), stdout: attachPipe(spec.stdout), stderr: attachPipe(spec.stderr) };
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
  post(outcome.type, { taskId, ...outcome.fields }, transfer);
}
