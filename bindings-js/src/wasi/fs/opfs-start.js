// bindings-js/src/wasi/fs/opfs-start.js — the page's side of an OPFS mount:
// starts the helper worker (opfs-helper.js) that does the mount's OPFS work,
// and hands back the shared buffer through which the plugin's worker (opfs.js)
// talks to it. Runs where `new Worker()` returns promptly in every engine —
// the page's main thread — and never blocks (why not in the plugin's worker:
// opfs-protocol.js).

import { ERRNO } from '../abi.js';
import { FsError } from './node.js';
import { DEFAULT_CHUNK, bufferBytes } from './opfs-protocol.js';

const SILENT = Symbol('no answer in time');

/** A helper worker; what the constructor throws (a bad URL, say) as an FsError (IO). */
function newHelper(helperUrl) {
  try {
    // The default written whole, in the form Vite and webpack bundle as a worker.
    return helperUrl
      ? new Worker(helperUrl, { type: 'module' })
      : new Worker(new URL('./opfs-helper.js', import.meta.url), { type: 'module' });
  } catch (e) {
    throw new FsError(ERRNO.IO, `the OPFS helper cannot be started: ${e.message}`);
  }
}

/**
 * Starts a helper over `handle` and waits until it is ready. A helper that
 * does not answer within startTimeoutMs is ended and another started, `tries`
 * in all; then, or if the helper fails to load, or takes more than
 * readyTimeoutMs after its first answer to count the tree, rejects with an
 * FsError (IO); a refusal of the helper's (counting failed) rejects with its
 * errno.
 * Rejects with nothing but FsErrors.
 * Resolves {channel, stop}: `channel` ({buffer, files, bytes}: the buffer,
 * and the entries and file bytes counted when `count`) goes to the plugin's
 * worker, which attaches OpfsFs to it; `stop()` ends the helper, once nobody
 * calls it any more.
 * @param {FileSystemDirectoryHandle} handle
 * @param {object} [o]
 * @param {boolean} [o.readOnly]
 * @param {boolean} [o.count] count the entries and bytes beneath `handle` (for quotas)
 * @param {boolean} [o.useMove] false: rename files by copying (as where move() is missing)
 * @param {number} [o.chunk] bytes of file data per round trip (default 1 MiB)
 * @param {string|URL} [o.helperUrl] where opfs-helper.js is served
 * @param {number} [o.startTimeoutMs]
 * @param {number} [o.tries]
 * @param {number} [o.readyTimeoutMs]
 */
export async function startOpfsHelper(handle, {
  readOnly = false, count = false, useMove = true, chunk = DEFAULT_CHUNK, helperUrl, startTimeoutMs = 5_000, tries = 3,
  readyTimeoutMs = 30_000,
} = {}) {
  const buffer = new SharedArrayBuffer(bufferBytes(chunk));
  for (let attempt = 1; ; attempt++) {
    const worker = newHelper(helperUrl);
    let timer;
    let ready;
    try {
      ready = await new Promise((resolve, reject) => {
        worker.onmessage = ({ data }) => {
          if (!data?.started) return resolve(data);
          // It runs: what is left (counting the tree for quotas) has a deadline of its own.
          clearTimeout(timer);
          timer = setTimeout(() => reject(new FsError(ERRNO.IO, `the OPFS helper did not count the tree in ${readyTimeoutMs} ms`)), readyTimeoutMs);
          return undefined;
        };
        worker.onerror = (e) => reject(new FsError(ERRNO.IO, `the OPFS helper failed to start: ${e.message}`));
        timer = setTimeout(() => resolve(SILENT), startTimeoutMs);
        worker.postMessage({ op: 'init', root: handle, buffer, readOnly, count, useMove });
      });
    } catch (e) {
      worker.terminate();
      throw e instanceof FsError ? e : new FsError(ERRNO.IO, `the OPFS helper cannot be started: ${e.message}`);
    } finally {
      clearTimeout(timer);
      worker.onmessage = worker.onerror = null;
    }
    if (ready === SILENT || !ready?.ok) worker.terminate();
    if (ready === SILENT) {
      if (attempt < tries) continue;
      throw new FsError(ERRNO.IO, `the OPFS helper did not start: no answer in ${startTimeoutMs} ms, ${tries} times`);
    }
    if (!ready?.ok) throw new FsError(ready?.errno ?? ERRNO.IO, ready?.message ?? 'the OPFS helper sent no answer to init');
    return { channel: { buffer, files: ready.files, bytes: ready.bytes }, stop: () => worker.terminate() };
  }
}
