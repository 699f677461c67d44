// tests/browser/rust-host-page.js — the Rust host scenarios of the Node suite
// (tests/js/rust-host-scenarios.mjs) in a browser: the Rust module blocks in
// its Web Worker while this page writes requests and reads answers with the
// async calls only, and measures its own stalls. Results: window.__result.
import { startRustHost } from '/examples/rust/start-host.js';
import { rustHostScenarios } from '/tests/js/rust-host-scenarios.mjs';
import { startStallMeter } from '/examples/browser/stall-meter.js';
import { runScenarios } from '/tests/browser/run-scenarios.js';

const meter = startStallMeter();
try {
  const { results } = await runScenarios(startRustHost, rustHostScenarios);
  window.__result = { crossOriginIsolated, results, responsiveness: meter.report() };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
