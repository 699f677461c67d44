// examples/rust/start-host.js — the page's side of the Rust host: one shared
// memory with two sabq pipes (requests in, answers out), the Rust module
// compiled once, and the worker that runs it (examples/rust/host-worker.js).
// The page then only writes and reads with the non-blocking and async calls;
// the Rust code is the one that blocks, in its worker. Works in browsers and
// in Node (worker_threads).
import { Sabq, Pipe, SabqError, compileSabq, layout } from '../../bindings-js/src/index.js'; // in an app: from 'sabq'

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
const HOST_WASM = new URL('../../build/rust/sabq_host.wasm', import.meta.url); // `make rust`

async function compileHost() {
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(HOST_WASM));
  }
  return WebAssembly.compileStreaming(fetch(HOST_WASM));
}

/** Starts the worker; calls onMessage(data) with its reply, onError(Error) if it dies. */
async function startWorker(onMessage, onError) {
  const url = new URL('./host-worker.js', import.meta.url);
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(url);
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', (code) => onError(new Error(`Rust host worker exited with code ${code}`)));
    return w;
  }
  const w = new Worker(url, { type: 'module' });
  w.onmessage = (e) => onMessage(e.data);
  w.onerror = (e) => onError(new Error(e.message || 'Rust host worker failed'));
  return w;
}

/**
 * Starts the Rust host with pipes of `capacity` bytes. Returns {requests,
 * answers, done, terminate}: write requests into `requests` and close it at
 * the end; read answers from `answers`; `done` resolves with the number of
 * requests served, or rejects with the host's error (a SabqError when serve()
 * returned a negative errno, such as EPIPE when the answers pipe was closed).
 */
export async function startRustHost({ capacity = 4096 } = {}) {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const sabqModule = await compileSabq();
  const sabq = await Sabq.instantiate(memory, { module: sabqModule });
  const requests = Pipe.create(sabq, layout.ALIGN, capacity);
  const next = Math.ceil((requests.offset + requests.size) / layout.ALIGN) * layout.ALIGN;
  const answers = Pipe.create(sabq, next, capacity);
  const hostModule = await compileHost();
  let worker;
  const done = new Promise((resolve, reject) => {
    const settle = (data) => {
      if (data.served !== undefined) resolve(data.served);
      else reject(data.errno !== undefined ? new SabqError(data.errno, 'Rust host serve()') : new Error(data.error));
    };
    startWorker(settle, reject).then((w) => {
      worker = w;
      w.postMessage({ memory, sabqModule, hostModule, requests: requests.toJSON(), answers: answers.toJSON() });
    }, reject);
  });
  return { requests, answers, done, terminate: () => worker?.terminate() };
}
