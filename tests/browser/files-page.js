// tests/browser/files-page.js — the file scenarios of the Node suite
// (tests/js/files-scenarios.mjs) in a browser, plus a mount tree made of the
// browser's own kinds of data: a Blob and a URL the page fetches.
// Results: window.__result.
import { Coordinator, opfsDir } from '/bindings-js/src/index.js';
import { fileScenarios, FILE_PLUGINS } from '/tests/js/files-scenarios.mjs';
import { pandocScenarios, PANDOC_WASM } from '/tests/js/pandoc-scenarios.mjs';
import { runScenarios } from '/tests/browser/run-scenarios.js';

try {
  const c = await Coordinator.create({ workers: 2, wasiShimUrl: '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js' });
  for (const name of FILE_PLUGINS) await c.load(name, `/build/plugins/${name}.wasm`);
  await c.load('pandoc', `/${PANDOC_WASM}`);
  const { results, logs } = await runScenarios(c, [...fileScenarios, ...pandocScenarios]);
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
  // An OPFS directory: every file call from C, then what it wrote, read back
  // through the async OPFS API. OPFS has no links; Chromium cannot move a
  // non-empty directory.
  const opfs = await navigator.storage.getDirectory();
  const dir = await opfs.getDirectoryHandle(`sabq-files-${Date.now()}`, { create: true });
  const flags = navigator.userAgent.includes('Firefox') ? ['no-links'] : ['no-links', 'no-dir-rename'];
  const rw = await c.spawn('fsops', { args: ['rw', '/opfs', ...flags], mounts: { '/opfs': opfsDir(dir) }, stdin: null }).text();
  const input = await (await dir.getFileHandle('in.txt', { create: true })).createWritable();
  await input.write('pear\napple\nfig\n');
  await input.close();
  const sorted = await c.spawn('sortlines', { args: ['/opfs/in.txt', '/opfs/out.txt'], mounts: { '/opfs': opfsDir(dir) }, stdin: null }).text();
  const opfsData = {
    failed: rw.stdout.split('\n').filter((l) => l && !l.startsWith('ok ')),
    checks: rw.stdout.split('\n').filter((l) => l.startsWith('ok ')).length,
    exitCode: rw.exitCode,
    stderr: rw.stderr,
    sorted: sorted.exitCode === 0 ? await (await (await dir.getFileHandle('out.txt')).getFile()).text() : sorted.stderr,
  };
  await opfs.removeEntry(dir.name, { recursive: true });
  await c.close();
  window.__result = { crossOriginIsolated, results, logs, browserData, opfsData };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
