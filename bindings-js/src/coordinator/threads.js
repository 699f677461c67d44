// bindings-js/src/coordinator/threads.js — starting the coordinator's own threads, compute
// workers and the host worker, in Node or a browser (platform.js for the rest).
// Apart from platform.js on purpose: both workers import platform.js, and a
// bundler that finds another worker's URL among a worker's imports bundles it
// into that worker, which Vite refuses as a cycle ("Circular worker imports":
// compute-worker.js -> host-worker.js -> compute-worker.js). Only the page's
// side (pool.js, host-thread.js) imports this file.

import { isNode, nodeOnly } from './platform.js';

// Where this file is, for Node (see platform.js: a bundler copies any file
// named in `new URL('literal', import.meta.url)` into the app as an asset).
const SRC_URL = import.meta.url;

/**
 * A compute worker (compute-worker.js), whatever the platform:
 * {post(msg, transfer), terminate() -> Promise, ref(), unref(), onMessage(fn),
 *  onError(fn), onExit(fn)}. A browser worker has no exit event: it is noticed
 * by its task's timeout, or by terminate().
 */
export async function startComputeWorker() {
  if (isNode) {
    const { Worker } = await nodeOnly('node:worker_threads');
    return nodeThread(new Worker(new URL('./compute-worker.js', SRC_URL)));
  }
  // Written whole, in the form Vite and webpack bundle as a worker.
  return webThread(new Worker(new URL('./compute-worker.js', import.meta.url), { type: 'module' }));
}

/** The host worker (host-worker.js), as startComputeWorker() starts a compute worker. */
export async function startHostWorker() {
  if (isNode) {
    const { Worker } = await nodeOnly('node:worker_threads');
    return nodeThread(new Worker(new URL('./host-worker.js', SRC_URL)));
  }
  // Written whole, in the form Vite and webpack bundle as a worker.
  return webThread(new Worker(new URL('./host-worker.js', import.meta.url), { type: 'module' }));
}

function nodeThread(t) {
  return {
    post: (m, transfer) => t.postMessage(m, transfer ?? []),
    terminate: () => t.terminate(),
    ref: () => t.ref(),
    unref: () => t.unref(),
    onMessage: (fn) => t.on('message', fn),
    onError: (fn) => t.on('error', fn),
    onExit: (fn) => t.on('exit', (code) => fn(new Error(`worker exited with code ${code}`))),
  };
}

function webThread(t) {
  return {
    post: (m, transfer) => t.postMessage(m, transfer ?? []),
    terminate: async () => t.terminate(),
    ref() {},
    unref() {},
    onMessage: (fn) => t.addEventListener('message', (e) => fn(e.data)),
    onError: (fn) => t.addEventListener('error', (e) => {
      e.preventDefault?.();
      fn(new Error(e.message || 'worker error'));
    }),
    onExit() {},
  };
}
