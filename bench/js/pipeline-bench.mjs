// bench/js/pipeline-bench.mjs — plugins joined by pipes, against the same
// programs run by node:wasi as processes joined by OS pipes (the shell's way;
// the peer's time includes starting its processes, sabq's uses a warm
// coordinator, as an application would). One JSON line per measurement.
//   node bench/js/pipeline-bench.mjs pipeline sabq|node-wasi   100 MB through cat | cat | cksum
//   node bench/js/pipeline-bench.mjs cksum sabq                cksum alone (the slowest stage)
//   node bench/js/pipeline-bench.mjs hop sabq|node-wasi        stream out | stream in, 64 KiB writes
// BENCH_SCALE below 0.05 shrinks the data for the smoke test.
import { spawn } from 'node:child_process';
import { Coordinator } from '../../bindings-js/src/index.js';
import { probeNode } from './node-probe.mjs';

const requested = Number(process.env.BENCH_SCALE ?? 1);
const MB = requested < 0.05 ? 4 : 100;
const HOP_MB = requested < 0.05 ? 16 : 1024;
const [, , what, impl] = process.argv;
const plugin = (name) => new URL(`../../build/plugins/${name}.wasm`, import.meta.url);
// The placement probe of this process (node-probe.mjs), before anything runs.
const probeNs = await probeNode();
const row = (bench, param, value, unit) => console.log(JSON.stringify({ bench, param, impl, value, unit, atomic_rtt_ns: probeNs }));

function data() {
  const d = new Uint8Array(MB << 20);
  for (let i = 0; i < d.length; i++) d[i] = (i * 7) & 255;
  return d;
}

/** Runs `stages` ([[plugin, ...args]]) as node:wasi processes joined by OS pipes; resolves with the last one's stdout. */
function osPipeline(stages, input) {
  const runner = new URL('./run-wasi.mjs', import.meta.url).pathname;
  const procs = stages.map(([name, ...args]) => spawn(process.execPath, ['--no-warnings', runner, plugin(name).pathname, ...args], { stdio: ['pipe', 'pipe', 'inherit'] }));
  for (let i = 1; i < procs.length; i++) procs[i - 1].stdout.pipe(procs[i].stdin);
  let out = '';
  procs[procs.length - 1].stdout.on('data', (b) => (out += b));
  if (input) procs[0].stdin.end(input);
  else procs[0].stdin.end();
  return Promise.all(procs.map((p) => new Promise((resolve, reject) => p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`exit ${code}`))))))).then(() => out);
}

async function coordinator() {
  const c = await Coordinator.create({ workers: 3 });
  for (const name of ['cat', 'cksum', 'stream']) await c.load(name, plugin(name));
  // Warm: each worker has compiled code for the plugins once.
  await c.pipeline([{ plugin: 'cat' }, { plugin: 'cat' }, { plugin: 'cksum' }], { stdin: 'warm' }).text();
  return c;
}

async function time(fn) {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}

const MIB = 1048576;
if (what === 'pipeline' || what === 'cksum') {
  const input = data();
  let ms;
  let out;
  if (impl === 'node-wasi') {
    [ms, out] = await time(() => osPipeline([['cat'], ['cat'], ['cksum']], input));
  } else {
    const c = await coordinator();
    const stages = what === 'cksum' ? [{ plugin: 'cksum' }] : [{ plugin: 'cat' }, { plugin: 'cat' }, { plugin: 'cksum' }];
    [ms, out] = await time(async () => (await c.pipeline(stages, { stdin: input }).text()).stdout);
    await c.close();
  }
  if (!out.trim().endsWith(` ${input.length}`)) throw new Error(`unexpected output ${out}`);
  row(what === 'cksum' ? 'plugin cksum alone (the slowest stage)' : 'plugin pipeline cat | cat | cksum', `${MB} MB`, (input.length / MIB) / (ms / 1000), 'MB/s');
} else if (what === 'hop') {
  let ms;
  let out;
  if (impl === 'node-wasi') {
    [ms, out] = await time(() => osPipeline([['stream', 'out', String(HOP_MB)], ['stream', 'in']]));
  } else {
    const c = await coordinator();
    [ms, out] = await time(async () => (await c.pipeline([{ plugin: 'stream', args: ['out', String(HOP_MB)] }, { plugin: 'stream', args: ['in'] }], { stdin: null }).text()).stdout);
    await c.close();
  }
  if (Number(out) !== HOP_MB * MIB) throw new Error(`unexpected output ${out}`);
  row('plugin to plugin stream', `${HOP_MB} MiB, 64 KiB writes`, (HOP_MB * MIB / 1e9) / (ms / 1000), 'GB/s');
} else {
  throw new Error('usage: pipeline-bench.mjs pipeline|cksum|hop sabq|node-wasi');
}
