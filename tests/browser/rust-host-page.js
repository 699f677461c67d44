// tests/browser/rust-host-page.js — the Rust host scenarios of the Node suite
// (tests/js/rust-host-scenarios.mjs) in a browser: the Rust module blocks in
// its Web Worker while this page writes requests and reads answers with the
// async calls only, and measures its own stalls. Results: window.__result.
import { startRustHost } from '/examples/rust/start-host.js';
import { rustHostScenarios } from '/tests/js/rust-host-scenarios.mjs';
import { startStallMeter } from '/examples/browser/stall-meter.js';

const meter = startStallMeter();
try {
  const results = [];
  for (const s of rustHostScenarios) {
    const t0 = performance.now();
    try {
      await s.run(startRustHost);
      results.push({ name: s.name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (e) {
      results.push({ name: s.name, ok: false, error: String(e?.stack ?? e) });
    }
  }
  window.__result = { crossOriginIsolated, results, responsiveness: meter.report() };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
