// bindings-js/src/coordinator/threads.js — starting the coordinator's own threads, compute
// workers and the host worker, in Node or a browser (platform.js for the rest).
// Apart from platform.js on purpose: both workers import platform.js, and a
// bundler that finds another worker's URL among a worker's imports bundles it
// into that worker, which Vite refuses as a cycle ("Circular worker imports":
// compute-worker.js -> host-worker.js -> compute-worker.js). Only the page's
// side (pool.js, host-thread.js) imports this file.

import { isNode, nodeOnly, LIFE_LOCK } from './platform.js';

// Where this file is, for Node (see platform.js: a bundler copies any file
// named in `new URL('literal', import.meta.url)` into the app as an asset).
const SRC_URL = import.meta.url;

/**
 * A compute worker (compute-worker.js), whatever the platform:
 * {post(msg, transfer), terminate() -> Promise, ref(), unref(), onMessage(fn),
 *  onError(fn), onExit(fn)}. terminate() resolves once the thread can touch
 * shared memory no more. A browser worker has no exit event: it is noticed by
 * its task's timeout, or by terminate().
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

/**
 * How long a browser without Web Locks is given to stop a terminated worker
 * before its memory is reused: Chromium runs one that is busy or blocked on
 * for 2 s after terminate() (its forcible-termination delay).
 */
const STOP_GRACE_MS = 3000;

/**
 * A Web Worker running a coordinator thread. A browser's terminate() returns
 * at once, and the thread may still run — in Chromium for 2 s, woken by a
 * notify or busy in wasm — and write into memory the page hands out again.
 * So the thread holds a Web Lock for life (platform.js parentChannel), the
 * page holds back its messages until it knows the lock (before that the
 * thread has no memory to touch), and terminate() resolves once the page
 * can take the lock: the thread is gone.
 */
export function webThread(t) {
  let lock; // undefined until the thread says; then its name, or null (no Web Locks)
  let held = []; // [message, transfer] posted before that; null once sent or terminated
  const isLifeLock = (data) => Object.hasOwn(Object(data), LIFE_LOCK);
  t.addEventListener('message', (e) => {
    if (lock !== undefined || !held || !isLifeLock(e.data)) return;
    lock = e.data[LIFE_LOCK];
    for (const [m, transfer] of held) t.postMessage(m, transfer);
    held = null;
  });
  return {
    post(m, transfer) {
      if (held) held.push([m, transfer ?? []]);
      else if (lock !== undefined) t.postMessage(m, transfer ?? []);
    },
    async terminate() {
      t.terminate();
      held = null;
      if (lock === undefined) return; // it was never sent anything: it knows no memory
      if (lock === null) await new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS));
      else await navigator.locks.request(lock, () => {});
    },
    ref() {},
    unref() {},
    onMessage: (fn) => t.addEventListener('message', (e) => {
      if (!isLifeLock(e.data)) fn(e.data);
    }),
    onError: (fn) => t.addEventListener('error', (e) => {
      e.preventDefault?.();
      fn(new Error(e.message || 'worker error'));
    }),
    onExit() {},
  };
}
