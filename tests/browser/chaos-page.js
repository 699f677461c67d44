// tests/browser/chaos-page.js — the chaos run of tests/js/chaos-scenarios.mjs
// in a browser (shorter than Node's): mixed tasks with every fault at once,
// each checked, a deadline on each and on close(). The query string sets
// ?tasks=N&seed=S. Results: window.__result.
import { Coordinator } from '/bindings-js/src/index.js';
import { runChaos, closeWithin, CHAOS_PLUGINS } from '/tests/js/chaos-scenarios.mjs';

const params = new URLSearchParams(location.search);
const tasks = Number(params.get('tasks') ?? 150);
const seed = Number(params.get('seed') ?? 1);

try {
  const c = await Coordinator.create({
    workers: 3,
    taskTimeoutMs: 20_000,
    wasiShimUrl: '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js',
  });
  for (const name of CHAOS_PLUGINS) await c.load(name, `/build/plugins/${name}.wasm`);
  const env = { tasksUrl: new URL('/tests/js/fixtures/tasks.mjs', location.href), runs: new Int32Array(new SharedArrayBuffer(64)) };
  const logs = [];
  const summary = await runChaos(c, { tasks, seed, env, deadlineMs: 60_000, log: (m) => logs.push(m) });
  const closeMs = await closeWithin(c, 30_000);
  window.__result = { summary, logs, closeMs, regionsLeft: c.ctx.arena.inUse.size };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
