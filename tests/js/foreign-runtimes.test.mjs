// tests/js/foreign-runtimes.test.mjs — sabq/wasi in Node: a WASI program run
// by node:wasi, by @tybys/wasm-util and by browser_wasi_shim, its stdin,
// stdout and poll() served by sabq pipes that this thread fills and drains.
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { plugin } from './plugins.mjs';
import { foreignRuntimeScenario } from './foreign-scenarios.mjs';

const compiled = (name) => ({ name, module: new WebAssembly.Module(readFileSync(plugin(name))) });
const plugins = { upper: compiled('upper'), fsops: compiled('fsops') };
const urls = {
  wasmUtil: import.meta.resolve('@tybys/wasm-util'),
  shim: import.meta.resolve('@bjorn3/browser_wasi_shim'),
};

function startWorker(job) {
  const w = new Worker(new URL('./fixtures/foreign-runtime.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    w.once('message', (m) => {
      resolve(m);
      w.terminate();
    });
    w.once('error', reject);
    w.postMessage(job);
  });
}

for (const runtime of ['node:wasi', 'wasm-util', 'shim']) {
  test(`${runtime} runs a program whose stdio and poll() are sabq pipes`, { timeout: 60_000 }, () =>
    foreignRuntimeScenario(runtime, { startWorker, plugins, urls }));
}
