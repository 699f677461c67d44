// tests/browser/opfs-spawns-page.js — many spawns of a plugin with an OPFS
// mount, two at a time on a pool of two workers: each starts its mount's
// helper and ends it, which is where Firefox once hung one spawn in twenty.
// Each spawn must end, with the right output, within HANG_MS; one that does
// not is counted as hung and the run goes on. ?n= spawns (default 40).
// Results: window.__result {spawns, seconds, medianMs, maxMs, hung, failed};
// meanwhile window.__progress {ended, hung, failed} (counts).
import { Coordinator, opfsDir } from '/bindings-js/src/index.js';

const HANG_MS = 20_000; // a spawn here takes well under a second
const n = Number(new URLSearchParams(location.search).get('n') ?? 40);

try {
  const c = await Coordinator.create({ workers: 2, wasiShimUrl: '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js' });
  await c.load('sortlines', '/build/plugins/sortlines.wasm');
  const opfs = await navigator.storage.getDirectory();
  const name = `sabq-spawns-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const dir = await opfs.getDirectoryHandle(name, { create: true });
  // An input per lane: OPFS lets one worker at a time hold a file open (EBUSY for the other).
  for (const lane of [0, 1]) {
    const input = await (await dir.getFileHandle(`in${lane}.txt`, { create: true })).createWritable();
    await input.write('pear\napple\nfig\n');
    await input.close();
  }

  const times = [];
  const hung = [];
  const failed = [];
  let next = 0;
  const one = async (i, lane) => {
    const t0 = performance.now();
    let timer;
    const bound = new Promise((resolve) => {
      timer = setTimeout(() => resolve('hung'), HANG_MS);
    });
    const run = (async () => {
      const out = `out${i}.txt`;
      const r = await c.spawn('sortlines', { args: [`/o/in${lane}.txt`, `/o/${out}`], mounts: { '/o': opfsDir(dir) }, stdin: null }).text();
      if (r.exitCode !== 0) return `exit ${r.exitCode}: ${r.stderr}`;
      const text = await (await (await dir.getFileHandle(out)).getFile()).text();
      await dir.removeEntry(out);
      return text === 'apple\nfig\npear\n' ? 'ok' : `wrote ${JSON.stringify(text)}`;
    })().catch((e) => String(e?.message ?? e));
    const outcome = await Promise.race([run, bound]);
    clearTimeout(timer);
    if (outcome === 'ok') times.push(performance.now() - t0);
    else if (outcome === 'hung') hung.push(i);
    else failed.push(`spawn ${i}: ${outcome}`);
    window.__progress = { ended: times.length + hung.length + failed.length, hung: hung.length, failed: failed.length };
  };
  const t0 = performance.now();
  await Promise.all([0, 1].map(async (lane) => {
    while (next < n) await one(next++, lane);
  }));
  const seconds = (performance.now() - t0) / 1000;
  if (hung.length === 0) {
    await c.close();
    await opfs.removeEntry(name, { recursive: true });
  } // else a hung spawn may still hold a file: leave the directory, as evidence
  times.sort((a, b) => a - b);
  window.__result = {
    spawns: n, seconds, hung, failed,
    medianMs: times[times.length >> 1] ?? null,
    maxMs: times[times.length - 1] ?? null,
  };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
document.getElementById('status').textContent = 'done';
