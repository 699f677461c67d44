// tests/browser/host-worker-page.js — the host-worker scenarios of the Node
// suite (tests/js/host-worker-scenarios.mjs), run in a browser: host handlers
// in a Web Worker of their own, answering plugins worker to worker. The page's
// thread is held for 20 ms in one scenario (well under the long-task bar of
// 50 ms: held for 30, the task that held it measured 55 ms once in 8 runs on
// a loaded two-core machine, with what else ran in it); stalls
// are measured throughout. Results: window.__result.
import { Coordinator } from '/bindings-js/src/index.js';
import { scenarios, options, PLUGINS } from '/tests/js/host-worker-scenarios.mjs';
import { startStallMeter } from '/examples/browser/stall-meter.js';
import { runScenarios } from '/tests/browser/run-scenarios.js';

const meter = startStallMeter();
const shim = { wasiShimUrl: '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js' };

try {
  const c = await Coordinator.create({ ...options, ...shim });
  for (const name of PLUGINS) await c.load(name, `/build/plugins/${name}.wasm`);
  // Measured from here: what this page shows is a page that stays responsive
  // while plugins call handlers in a worker. Its start-up (module evaluation,
  // Coordinator.create) had a 50-63 ms long task in 3 of 12 loads in Chromium
  // before and after the host worker's changes alike; the coordinator page
  // (tests/browser/coordinator.test.mjs) measures a start-up.
  meter.reset();
  const env = { c, create: (o) => Coordinator.create({ ...o, ...shim }), blockMs: 20 };
  const { results, logs } = await runScenarios(env, scenarios);
  await c.close();
  window.__result = { crossOriginIsolated, results, logs, responsiveness: meter.report() };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
