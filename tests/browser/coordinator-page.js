// tests/browser/coordinator-page.js — the coordinator scenarios of the Node
// suite (tests/js/coordinator-scenarios.mjs), run in a browser with four
// workers, plus a host handler that really calls fetch(). Stalls of this
// thread are measured throughout: workers blocked in fd_read or computing
// must never stall the page. Results: window.__result.
import { Coordinator } from '/bindings-js/src/index.js';
import { scenarios, hostHandlers, limits, PLUGINS } from '/tests/js/coordinator-scenarios.mjs';
import { startStallMeter } from '/examples/browser/stall-meter.js';
import { runScenarios } from '/tests/browser/run-scenarios.js';

const meter = startStallMeter();

try {
  const c = await Coordinator.create({
    workers: 4,
    limits,
    wasiShimUrl: '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js',
    hostHandlers: {
      ...hostHandlers,
      fetched: (path) => fetch(new URL(path, location.href)), // a Response streams to the plugin
    },
  });
  for (const name of PLUGINS) await c.load(name, `/build/plugins/${name}.wasm`);
  const { results, logs } = await runScenarios(c, scenarios);
  const viaFetch = await c.spawn('hostcall', { args: ['fetched', 'coordinator.html'], stdin: null, allow: { hostCalls: ['fetched'] } }).text();
  await c.close();
  window.__result = { crossOriginIsolated, results, logs, viaFetch, responsiveness: meter.report() };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
