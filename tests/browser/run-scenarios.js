// tests/browser/run-scenarios.js — runs scenarios of the Node suites (each
// {name, run(subject, log)}; the subject is the page's coordinator, or what
// the scenarios start their host with) one after another, recording
// each one's outcome and time instead of stopping at the first failure: the
// test then reports every scenario that failed, with its stack.

/** Resolves with {results: [{name, ok, ms} | {name, ok: false, error}], logs}. */
export async function runScenarios(subject, scenarios) {
  const results = [];
  const logs = [];
  for (const s of scenarios) {
    const t0 = performance.now();
    try {
      await s.run(subject, (msg) => logs.push(msg));
      results.push({ name: s.name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (e) {
      results.push({ name: s.name, ok: false, error: String(e?.stack ?? e) });
    }
  }
  return { results, logs };
}
