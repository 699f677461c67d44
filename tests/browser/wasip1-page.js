// tests/browser/wasip1-page.js — the preview1 scenarios of the Node suite
// (tests/js/wasip1-scenarios.mjs: rights, directory fds, hard links, sockets'
// errors, bad arguments; C and Rust plugins) on memory mounts and image
// overlays, and on what only a browser has: OPFS directories, which have no
// links of either kind. Results: window.__result.
import { Coordinator, opfsDir } from '/bindings-js/src/index.js';
import { wasip1Scenarios, runChecks, COMMON_KINDS, WASIP1_PLUGINS } from '/tests/js/wasip1-scenarios.mjs';
import { runScenarios } from '/tests/browser/run-scenarios.js';

try {
  const c = await Coordinator.create({ workers: 2, wasiShimUrl: '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js' });
  for (const name of WASIP1_PLUGINS) await c.load(name, `/build/plugins/${name}.wasm`);
  const opfs = await navigator.storage.getDirectory();
  const made = [];
  let n = 0;
  const fresh = async () => {
    const dir = await opfs.getDirectoryHandle(`sabq-wasip1-${Date.now()}-${n++}`, { create: true });
    made.push(dir.name);
    return dir;
  };
  const OPFS = { kind: 'OPFS', mount: async () => opfsDir(await fresh()), links: ['no-hard-links', 'no-symlinks'] };
  const scenarios = [
    ...wasip1Scenarios([...COMMON_KINDS, OPFS]),
    {
      name: 'a hard link or a rename between OPFS and memory is EXDEV',
      async run(cc) {
        await runChecks(cc, 'wasip1', ['xdev', '/o', '/m'], { '/o': opfsDir(await fresh()), '/m': {} }, 3);
        await runChecks(cc, 'wasip1', ['xdev', '/m', '/o'], { '/o': opfsDir(await fresh()), '/m': {} }, 3);
      },
    },
  ];
  const { results, logs } = await runScenarios(c, scenarios);
  await c.close();
  for (const name of made) await opfs.removeEntry(name, { recursive: true });
  window.__result = { crossOriginIsolated, results, logs };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
