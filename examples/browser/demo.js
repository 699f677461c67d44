// examples/browser/demo.js — the browser demo (`make serve`): an animation with
// a frame-time meter, an interactive plugin whose stdin is a text box, a
// pipeline and a pool of CPU-heavy tasks, all at once. With ?auto=1 it runs
// a scripted session and publishes what it measured in window.__result (the
// browser tests drive it that way).
import { Coordinator } from '/bindings-js/src/index.js';
import { startStallMeter } from './stall-meter.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

// ---- frame meter: rAF gaps and stalls of this thread ----------------------------
const stats = { worstFrameMs: 0, frames: 0 };
const meter = startStallMeter();

const ctx = $('spinner').getContext('2d');
let last = performance.now();
function frame(now) {
  const dt = now - last;
  last = now;
  if (stats.frames++ > 2) stats.worstFrameMs = Math.max(stats.worstFrameMs, dt);
  ctx.clearRect(0, 0, 320, 120);
  for (let i = 0; i < 5; i++) {
    ctx.save();
    ctx.translate(40 + i * 60, 60);
    ctx.rotate(now / (300 + i * 90));
    ctx.fillStyle = `hsl(${i * 60}, 70%, 55%)`;
    ctx.fillRect(-20, -20, 40, 40);
    ctx.restore();
  }
  $('meter').textContent = `frame: ${dt.toFixed(1)} ms · worst: ${stats.worstFrameMs.toFixed(1)} ms · ` +
    `longest stall: ${meter.longestStallMs.toFixed(1)} ms`;
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

// ---- the pool ------------------------------------------------------------------
const coordinator = await Coordinator.create({
  workers: 4,
  // A worker cannot resolve a bare package name without an import map.
  wasiShimUrl: '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js',
});
for (const name of ['calc', 'gen', 'grep', 'wc', 'primes']) {
  await coordinator.load(name, `/build/plugins/${name}.wasm`);
}

// ---- interactive: a text box as stdin ----------------------------------------------
const calc = coordinator.spawn('calc', { tty: true });
const answers = [];
(async () => {
  const decoder = new TextDecoder();
  for await (const chunk of calc.stdout) {
    const text = decoder.decode(chunk, { stream: true });
    $('calc-output').textContent += text;
    answers.push(...text.split('\n').filter(Boolean));
  }
})();
async function sendLine(line) {
  $('calc-output').textContent += `> ${line}\n`;
  await calc.write(`${line}\n`);
}
$('calc-form').addEventListener('submit', (e) => {
  e.preventDefault();
  sendLine($('calc-input').value);
});

// ---- pipeline ----------------------------------------------------------------
async function runPipeline() {
  $('pipeline-result').textContent = 'running…';
  const t0 = performance.now();
  const last = coordinator.pipeline([
    { plugin: 'gen', args: ['300000'] },
    { plugin: 'grep', args: ['7'] },
    { plugin: 'wc' },
  ], { stdin: null });
  const { stdout } = await last.text();
  $('pipeline-result').textContent = `${stdout.trim()} (lines words bytes) in ${Math.round(performance.now() - t0)} ms`;
  return stdout.trim();
}
$('pipeline-run').addEventListener('click', runPipeline);

// ---- pool of CPU-heavy tasks -------------------------------------------------------
async function runPool(n = 12, limit = 2_000_000) {
  $('pool-result').textContent = 'running…';
  const t0 = performance.now();
  const outs = await Promise.all(Array.from({ length: n }, () =>
    coordinator.spawn('primes', { args: [String(limit)], stdin: null }).text()));
  $('pool-result').textContent = `${n} × primes below ${limit}: ${outs[0].stdout.trim()} in ${Math.round(performance.now() - t0)} ms`;
  return outs.map((o) => o.stdout.trim());
}
$('pool-run').addEventListener('click', () => runPool());

// ---- scripted session for the test ------------------------------------------------
if (params.has('auto')) {
  const t0 = performance.now();
  meter.reset();
  stats.worstFrameMs = 0;
  const exprs = Array.from({ length: 200 }, (_, i) => [`${i} * 3 + (7 - 2)`, i * 3 + 5]);
  const calcDone = (async () => {
    for (const [expr] of exprs) {
      const before = answers.length;
      await sendLine(expr);
      while (answers.length === before) await new Promise((r) => setTimeout(r, 1));
    }
  })();
  const [pipeline, primes] = await Promise.all([runPipeline(), runPool(8, 1_500_000), calcDone]);
  window.__result = {
    crossOriginIsolated,
    pipeline,
    primes,
    calcAnswers: answers.slice(-exprs.length),
    calcExpected: exprs.map(([, v]) => String(v)),
    responsiveness: meter.report(),
    worstFrameMs: stats.worstFrameMs,
    frames: stats.frames,
    ms: performance.now() - t0,
  };
}
