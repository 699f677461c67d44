// examples/rust/host-worker.js — the worker that runs the Rust host
// (examples/rust/src/lib.rs): it attaches the two pipes the page made,
// instantiates the Rust module with the `sabq` imports, and calls serve(),
// which blocks in reads until the page closes the requests pipe. The same file
// runs as a Web Worker (module) and as a Node worker_threads worker.
import { Sabq, Pipe, errno } from '../../bindings-js/src/index.js'; // in an app: from 'sabq'
import { sabqImports } from './sabq-imports.js';

// A Web Worker's global scope, or Node's parentPort: both are event targets
// with postMessage.
const port = globalThis.WorkerGlobalScope ? globalThis : (await import('node:worker_threads')).parentPort;

port.addEventListener('message', async ({ data }) => {
  try {
    const { memory, sabqModule, hostModule, requests, answers } = data;
    const sabq = await Sabq.instantiate(memory, { module: sabqModule });
    const pipes = [Pipe.attach(sabq, requests.offset, requests.size), Pipe.attach(sabq, answers.offset, answers.size)];
    let host;
    host = await WebAssembly.instantiate(hostModule, { sabq: sabqImports(pipes, () => host.exports.memory, errno) });
    const rc = host.exports.serve(0, 1); // handles: the indices in `pipes`
    port.postMessage(rc >= 0 ? { served: rc } : { errno: rc });
  } catch (e) {
    port.postMessage({ error: String(e?.stack ?? e) });
  }
  // One host per worker: done now. (A Node worker ends by itself once its
  // one-shot listener is gone.)
  globalThis.WorkerGlobalScope && globalThis.close();
}, { once: true });
