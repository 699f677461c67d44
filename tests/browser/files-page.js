// tests/browser/files-page.js — the file scenarios of the Node suite
// (tests/js/files-scenarios.mjs) in a browser, plus a mount tree made of the
// browser's own kinds of data: a Blob and a URL the page fetches.
// Results: window.__result.
import { Coordinator } from '/bindings-js/src/index.js';
import { fileScenarios, FILE_PLUGINS } from '/tests/js/files-scenarios.mjs';
import { pandocScenarios, PANDOC_WASM } from '/tests/js/pandoc-scenarios.mjs';

try {
  const c = await Coordinator.create({ workers: 2, wasiShimUrl: '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js' });
  for (const name of FILE_PLUGINS) await c.load(name, `/build/plugins/${name}.wasm`);
  await c.load('pandoc', `/${PANDOC_WASM}`);
  const results = [];
  const logs = [];
  for (const s of [...fileScenarios, ...pandocScenarios]) {
    const t0 = performance.now();
    try {
      await s.run(c, (msg) => logs.push(msg));
      results.push({ name: s.name, ok: true, ms: Math.round(performance.now() - t0) });
    } catch (e) {
      results.push({ name: s.name, ok: false, error: String(e?.stack ?? e) });
    }
  }
  // Browser data in a tree: a Blob, and a URL fetched when the plugin is spawned.
  const p = c.spawn('sortlines', {
    args: ['/in/blob.txt', '/in/sorted.txt'],
    mounts: { '/in': { 'blob.txt': new Blob(['b\na\n']), 'page.html': new URL('/tests/browser/files.html', location.href) } },
    stdin: null,
  });
  const r = await p.text();
  const files = await p.files('/in');
  const decode = (b) => new TextDecoder().decode(b);
  const browserData = { exitCode: r.exitCode, stderr: r.stderr, sorted: decode(files['sorted.txt']), page: decode(files['page.html']).slice(0, 15) };
  await c.close();
  window.__result = { crossOriginIsolated, results, logs, browserData };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
