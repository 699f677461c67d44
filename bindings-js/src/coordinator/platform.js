// bindings-js/src/coordinator/platform.js — the one place where Node's worker_threads and
// the browser's Web Workers differ: hearing from the thread that started us,
// the default pool size, turning a path or URL into bytes (starting the
// coordinator's threads: threads.js). Everything else in the coordinator is
// written once.
//
// Bundlers (Vite, webpack, esbuild) read this package too, so two rules hold
// here and wherever a module or worker is reached (docs/plugins.md, Bundlers):
// - a browser worker is started by the one form bundlers recognise and bundle,
//   `new Worker(new URL('./literal.js', import.meta.url), { type: 'module' })`;
// - what only Node runs (node:* modules, the host file system) is imported
//   through nodeOnly(), so no bundler pulls it into a browser bundle.

export const isNode = typeof process !== 'undefined' && !!process.versions?.node &&
  typeof window === 'undefined' && typeof WorkerGlobalScope === 'undefined';

// Where this file is, for Node. Taken apart from `new URL(...)` on purpose: a
// bundler copies any file named in `new URL('literal', import.meta.url)`
// into the app as an asset, unbundled.
const SRC_URL = import.meta.url;

/**
 * Imports a module that only Node runs: 'node:fs' and the like, or a path
 * relative to bindings-js/src/coordinator/ ('../wasi/fs/hostdir.js'). The specifier is
 * computed and marked for webpack and Vite, so no bundler follows it (webpack
 * and esbuild refuse node: imports in a browser build; Vite stubs them out).
 */
export function nodeOnly(specifier) {
  // One call inside import(): given `import(a ? b : c)`, Vite 8's dependency
  // optimizer makes it two imports and drops the comments that mark them.
  return import(/* webpackIgnore: true */ /* @vite-ignore */ nodeSpecifier(specifier));
}

function nodeSpecifier(specifier) {
  return specifier.startsWith('node:') ? specifier : new URL(specifier, SRC_URL).href;
}

/** The cores this process may run on (Node), or the browser's hardwareConcurrency. */
export async function coreCount() {
  if (isNode) {
    const os = await nodeOnly('node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return globalThis.navigator?.hardwareConcurrency ?? 2;
}

/** Workers in a pool by default: one per core, leaving one for the page. */
export async function defaultWorkerCount() {
  return Math.max(1, (await coreCount()) - 1);
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
 * The message a coordinator thread in a browser sends first: the name of
 * the Web Lock it holds until it dies (null where the browser has no Web
 * Locks). threads.js holds back every message to the thread until it has
 * this, and learns the thread's death from the lock (see webThread there).
 */
export const LIFE_LOCK = 'sabqLifeLock';

/**
 * This worker's channel to whoever started it: {post(msg, transfer), onMessage(fn)}.
 * In a browser it first takes its life lock; onMessage() (called once) then
 * tells the page the lock's name, after which the page's messages come.
 */
export async function parentChannel() {
  if (isNode) {
    const { parentPort } = await nodeOnly('node:worker_threads');
    return {
      post: (m, transfer) => parentPort.postMessage(m, transfer ?? []),
      onMessage: (fn) => parentPort.on('message', fn),
    };
  }
  const lock = await takeLifeLock();
  return {
    post: (m, transfer) => self.postMessage(m, transfer ?? []),
    onMessage: (fn) => {
      self.onmessage = (e) => fn(e.data);
      self.postMessage({ [LIFE_LOCK]: lock });
    },
  };
}

/**
 * Takes a Web Lock of a fresh name that this thread holds as long as it
 * lives, and resolves with its name (null without navigator.locks). The
 * browser lets go of it only once the thread can run no more script.
 */
async function takeLifeLock() {
  const locks = globalThis.navigator?.locks;
  if (!locks || typeof crypto?.randomUUID !== 'function') return null;
  const name = `sabq-life-${crypto.randomUUID()}`;
  await new Promise((held) => {
    locks.request(name, () => {
      held();
      return new Promise(() => {}); // until this thread dies
    });
  });
  return name;
}

/**
 * The bytes (or a Response, or a compiled module) behind a path or URL: read
 * from disk for file: URLs in Node; in browsers fetched and compiled in a
 * short-lived worker (compile-worker.js) so a large plugin never stalls the
 * page; fetched otherwise.
 */
export async function loadWasmSource(source) {
  const url = toUrl(source);
  if (url.protocol === 'file:') return (await nodeOnly('node:fs/promises')).readFile(url);
  if (!isNode && typeof Worker !== 'undefined') return compileOffThread(url);
  return fetch(url);
}

/** Bytes of a file: URL or path (Node), or fetched (anywhere): for mount trees. */
export async function loadBytes(source) {
  const url = toUrl(source);
  if (url.protocol === 'file:') return new Uint8Array(await (await nodeOnly('node:fs/promises')).readFile(url));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`sabq: ${url} answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function compileOffThread(url) {
  // Written whole, in the form Vite and webpack bundle as a worker.
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
