// bench/js/files-bench.mjs — plugins working with files, timed from inside
// the plugin (plugins/fsbench.c, a monotonic clock), with sabq's mounts and
// with @bjorn3/browser_wasi_shim's own PreopenDirectory as the peer: the
// same wasm module, the same work. One JSON line per measurement.
//   node bench/js/files-bench.mjs read|append|create|mount sabq|shim
// BENCH_SCALE scales the sizes (100 MB, 10,000 files at 1; quick runs keep them).
import { readFile } from 'node:fs/promises';
import * as shim from '@bjorn3/browser_wasi_shim';
import { Coordinator } from '../../bindings-js/src/index.js';
import { dataTree } from '../../tests/js/files-scenarios.mjs';
import { probeNode } from './node-probe.mjs';

const requested = Number(process.env.BENCH_SCALE ?? 1);
const scale = requested < 0.05 ? requested : 1;
const MB = Math.max(1, Math.round(100 * scale));
const FILES = Math.max(10, Math.round(10_000 * scale));
const [, , what, impl] = process.argv;
const wasmUrl = new URL('../../build/plugins/fsbench.wasm', import.meta.url);

// The placement probe of this process (node-probe.mjs), before anything runs.
const probeNs = await probeNode();
const row = (bench, param, value, unit) => console.log(JSON.stringify({ bench, param, impl: impl === 'shim' ? 'browser_wasi_shim' : 'sabq', value, unit, atomic_rtt_ns: probeNs }));

/** Runs fsbench with `args` over `mounts` ({path: tree of Uint8Arrays}); returns its stdout. */
async function runShim(args, mounts) {
  const module = await WebAssembly.compile(await readFile(wasmUrl));
  const toDir = (tree) => new Map(Object.entries(tree).map(([k, v]) => [k, v instanceof Uint8Array ? new shim.File(v) : new shim.Directory(toDir(v))]));
  let out = '';
  const fds = [
    new shim.OpenFile(new shim.File([])),
    new shim.ConsoleStdout((b) => { out += new TextDecoder().decode(b); }),
    new shim.ConsoleStdout((b) => process.stderr.write(b)),
    ...Object.entries(mounts).map(([path, tree]) => new shim.PreopenDirectory(path, toDir(tree))),
  ];
  const wasi = new shim.WASI(['fsbench', ...args], [], fds, { debug: false });
  const instance = await WebAssembly.instantiate(module, { wasi_snapshot_preview1: wasi.wasiImport });
  const code = wasi.start(instance);
  if (code !== 0) throw new Error(`fsbench ${args.join(' ')}: exit ${code}`);
  return out;
}

let coordinator;
async function runSabq(args, mounts) {
  coordinator ??= await Coordinator.create({ workers: 1 });
  if (!coordinator.plugins.has('fsbench')) await coordinator.load('fsbench', wasmUrl);
  const r = await coordinator.spawn('fsbench', { args, mounts, stdin: null }).text();
  if (r.exitCode !== 0) throw new Error(`fsbench ${args.join(' ')}: exit ${r.exitCode} ${r.stderr}`);
  return r.stdout;
}
const run = impl === 'shim' ? runShim : runSabq;

async function main() {
  if (what === 'read') {
    const data = new Uint8Array(MB << 20).fill(7);
    const [bytes, ns] = (await run(['read', '/in/big.bin'], { '/in': { 'big.bin': data } })).trim().split(' ').map(Number);
    if (bytes !== data.length) throw new Error(`read ${bytes} of ${data.length}`);
    row('plugin reads a mounted file', `${MB} MB, 64 KiB reads`, (bytes / 1e6) / (ns / 1e9), 'MB/s');
  } else if (what === 'append') {
    const ns = Number(await run(['append', '/out/log.bin', String(MB)], { '/out': {} }));
    row('plugin appends to a file', `${MB} MB, 4 KiB writes`, (MB * 1.048576) / (ns / 1e9), 'MB/s');
  } else if (what === 'create') {
    const ns = Number(await run(['create', '/out', String(FILES)], { '/out': {} }));
    row('plugin creates small files', `${FILES} files`, FILES / (ns / 1e9), 'files/s');
  } else if (what === 'mount') {
    // The cost of mounting a 300-file, 6 MB tree in each spawn: spawns with
    // it, less spawns without it (medians of interleaved pairs).
    const { tree } = dataTree(300, 6 << 20);
    const mount = impl === 'shim' ? { '/share': tree } : { '/share': await (coordinator ??= await Coordinator.create({ workers: 1 })).image(tree) };
    const times = async (mounts) => {
      const t0 = performance.now();
      await run(['noop'], mounts);
      return performance.now() - t0;
    };
    const diffs = [];
    for (let i = 0; i < 40; i++) {
      const a = await times(mount);
      const b = await times({});
      if (i >= 5) diffs.push(a - b);
    }
    diffs.sort((x, y) => x - y);
    row('mount a 300-file, 6 MB tree per spawn', 'extra time per spawn', diffs[diffs.length >> 1] * 1e6, 'ns');
  } else {
    throw new Error('usage: files-bench.mjs read|append|create|mount sabq|shim');
  }
}

try {
  await main();
} finally {
  await coordinator?.close();
}
