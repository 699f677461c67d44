// bindings-js/src/platform.js — the one place where Node's worker_threads and
// the browser's Web Workers differ: starting a thread, hearing from it, the
// default pool size, turning a path or URL into bytes. Everything else in the
// coordinator is written once.

export const isNode = typeof process !== 'undefined' && !!process.versions?.node &&
  typeof window === 'undefined' && typeof WorkerGlobalScope === 'undefined';

/** Workers in a pool by default: one per core, leaving one for the page. */
export async function defaultWorkerCount() {
  if (isNode) {
    const os = await import('node:os');
    return Math.max(1, (os.availableParallelism?.() ?? os.cpus().length) - 1);
  }
  return Math.max(1, (globalThis.navigator?.hardwareConcurrency ?? 2) - 1);
}

/** Where relative paths and URLs are resolved from: the working directory, or the page. */
export function baseUrl() {
  return isNode ? `file://${process.cwd()}/` : globalThis.location?.href;
}

/** A URL for a string path or URL (relative to baseUrl()). */
export function toUrl(source) {
  return new URL(source instanceof URL ? source.href : source, baseUrl());
}

/**
 * A thread running the module at `url`, whatever the platform:
 * {post(msg, transfer), terminate() -> Promise, ref(), unref(), onMessage(fn),
 *  onError(fn), onExit(fn)}. A browser worker has no exit event: it is noticed
 * by its task's timeout, or by terminate().
 */
export async function startThread(url) {
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const t = new Worker(url);
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
  const t = new Worker(url, { type: 'module' });
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

/** This worker's channel to whoever started it: {post(msg, transfer), onMessage(fn)}. */
export async function parentChannel() {
  if (isNode) {
    const { parentPort } = await import('node:worker_threads');
    return {
      post: (m, transfer) => parentPort.postMessage(m, transfer ?? []),
      onMessage: (fn) => parentPort.on('message', fn),
    };
  }
  return {
    post: (m, transfer) => self.postMessage(m, transfer ?? []),
    onMessage: (fn) => {
      self.onmessage = (e) => fn(e.data);
    },
  };
}

/**
 * The bytes (or a Response, or a compiled module) behind a path or URL: read
 * from disk for file: URLs in Node; in browsers fetched and compiled in a
 * short-lived worker (compile-worker.js) so a large plugin never stalls the
 * page; fetched otherwise.
 */
export async function loadWasmSource(source) {
  const url = toUrl(source);
  if (url.protocol === 'file:') return (await import('node:fs/promises')).readFile(url);
  if (!isNode && typeof Worker !== 'undefined') return compileOffThread(url);
  return fetch(url);
}

/** Bytes of a file: URL or path (Node), or fetched (anywhere): for mount trees. */
export async function loadBytes(source) {
  const url = toUrl(source);
  if (url.protocol === 'file:') return new Uint8Array(await (await import('node:fs/promises')).readFile(url));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`sabq: ${url} answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function compileOffThread(url) {
  const worker = new Worker(new URL('./compile-worker.js', import.meta.url), { type: 'module' });
  return new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(`load: ${data.error}`)) : resolve(data.module));
    worker.onerror = (e) => {
      e.preventDefault?.();
      reject(new Error(`load: ${e.message || 'compile worker failed'}`));
    };
    worker.postMessage({ url: String(url) });
  }).finally(() => worker.terminate());
}
