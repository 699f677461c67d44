// tests/browser/foreign-page.js — sabq/wasi in a browser: WASI programs run
// by @tybys/wasm-util and by browser_wasi_shim in module workers, their
// stdin, stdout and poll() served by sabq pipes this page fills and drains
// (the scenario of tests/js/foreign-runtimes.test.mjs). Results: window.__result.
import { foreignRuntimeScenario } from '/tests/js/foreign-scenarios.mjs';

const compiled = async (name) => ({ name, module: await WebAssembly.compileStreaming(fetch(`/build/plugins/${name}.wasm`)) });
const urls = {
  wasmUtil: '/node_modules/@tybys/wasm-util/dist/wasm-util.esm.js',
  shim: '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js',
};

function startWorker(job) {
  const w = new Worker('/tests/js/fixtures/foreign-runtime.mjs', { type: 'module' });
  return new Promise((resolve) => {
    w.onmessage = ({ data }) => {
      resolve(data);
      w.terminate();
    };
    w.onerror = (e) => resolve({ error: e.message });
    w.postMessage(job);
  });
}

try {
  const plugins = { upper: await compiled('upper'), fsops: await compiled('fsops') };
  const results = [];
  for (const runtime of ['wasm-util', 'shim']) {
    try {
      await foreignRuntimeScenario(runtime, { startWorker, plugins, urls });
      results.push({ runtime, ok: true });
    } catch (e) {
      results.push({ runtime, ok: false, error: String(e?.stack ?? e) });
    }
  }
  window.__result = { results };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
