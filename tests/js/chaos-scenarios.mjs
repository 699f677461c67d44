// tests/js/chaos-scenarios.mjs — many tasks of every kind at once, with every
// fault the coordinator must survive happening together at random moments:
// pipelines (clean, with a stage that exits non-zero, traps or hangs until
// its timeout), interactive plugins, plugins writing files in mounts, traps,
// hangs ended by timeoutMs (each terminates a worker), aborts, kills, stdout
// cancelled by the reader, exit codes, JS tasks that return, throw or crash
// their worker. Every output and every stage's outcome is checked; every
// promise must settle by a deadline, close() included. A job that misses its
// deadline fails the run with the coordinator's inspect() snapshot, so a hang
// can be diagnosed from a CI log. Written once, run in Node (chaos.test.mjs,
// chaos-soak.mjs) and in browsers (tests/browser/chaos-page.js): no Node imports.
import { TaskError } from '../../bindings-js/src/index.js';

/** Plugins the jobs use (build/plugins/NAME.wasm). */
export const CHAOS_PLUGINS = ['gen', 'grep', 'wc', 'faulty', 'calc', 'sortlines'];

/** Deterministic random numbers (mulberry32), so a failing run can be replayed from its seed. */
export function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), // lo..hi inclusive
    pick: (list) => list[Math.floor(next() * list.length)],
  };
}

/** What `gen N | grep 7 | wc` prints: lines, words and bytes of the numbers 1..N containing a 7. */
export function genGrepWc(n) {
  let lines = 0;
  let bytes = 0;
  for (let i = 1; i <= n; i++) {
    const s = String(i);
    if (s.includes('7')) {
      lines++;
      bytes += s.length + 1;
    }
  }
  return `${lines} ${lines} ${bytes}\n`;
}

/** What `gen N` prints. */
const genText = (n) => Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const decode = (bytes) => new TextDecoder().decode(bytes);

class Failure extends Error {}
function expect(ok, message) {
  if (!ok) throw new Failure(message);
}

/** The outcome of `promise`: {value} or {error}. */
const settle = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));

function expectError(outcome, code, what) {
  expect(outcome.error instanceof TaskError, `${what}: expected a TaskError ${code}, got ${outcome.error ?? `value ${JSON.stringify(outcome.value)}`}`);
  expect(outcome.error.code === code, `${what}: expected ${code}, got ${outcome.error.code} (${outcome.error.message})`);
}

/** Reads the lines of `reader`'s stream one at a time. */
function lineReader(stream) {
  const reader = stream.getReader();
  let buffered = '';
  const decoder = new TextDecoder();
  return {
    async next() {
      for (;;) {
        const nl = buffered.indexOf('\n');
        if (nl >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          return line;
        }
        const { value, done } = await reader.read();
        if (done) return null;
        buffered += decoder.decode(value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

const GEN_SIZES = [2000, 20000];
const expectedWc = Object.fromEntries(GEN_SIZES.map((n) => [n, genGrepWc(n)]));
const stages3 = (n, middle) => [{ plugin: 'gen', args: [String(n)] }, middle, { plugin: 'wc' }];

/**
 * The jobs: name -> {fault, run(c, rnd, stats)}. `fault` names what goes
 * wrong on purpose (null: nothing). run() throws a Failure when an output or
 * an outcome is not what it must be; it counts the pipeline stages it checked.
 */
export const JOBS = {
  async pipeline(c, rnd, stats) {
    const n = rnd.pick(GEN_SIZES);
    const p = c.pipeline(stages3(n, { plugin: 'grep', args: ['7'] }), { stdin: null });
    const r = await p.text();
    const outcomes = await p.outcomes;
    stats.stages += outcomes.length;
    expect(r.exitCode === 0, `pipeline gen ${n}: exit ${r.exitCode}`);
    expect(r.stdout === expectedWc[n], `pipeline gen ${n}: stdout ${JSON.stringify(r.stdout)}, expected ${JSON.stringify(expectedWc[n])}`);
    expect(outcomes.every((o) => o.exitCode === 0), `pipeline gen ${n}: stage outcomes ${JSON.stringify(outcomes)}`);
  },

  async pipelineExitCode(c, rnd, stats) {
    const code = rnd.int(1, 5);
    const p = c.pipeline(stages3(2000, { plugin: 'faulty', args: ['exit', String(code)] }), { stdin: null });
    const r = await p.text();
    const outcomes = await p.outcomes;
    stats.stages += outcomes.length;
    expect(r.exitCode === code, `gen | faulty exit ${code} | wc: pipefail exit ${r.exitCode}`);
    expect(outcomes[1].exitCode === code && outcomes[2].exitCode === 0, `exit-code pipeline outcomes ${JSON.stringify(outcomes)}`);
    expect(r.stdout === '0 0 0\n', `gen | faulty exit | wc: stdout ${JSON.stringify(r.stdout)}`);
  },

  async pipelineTrap(c, rnd, stats) {
    const p = c.pipeline(stages3(2000, { plugin: 'faulty', args: ['trap'] }), { stdin: null });
    const r = await settle(p.text());
    const outcomes = await p.outcomes;
    stats.stages += outcomes.length;
    expectError(r, 'ETRAP', 'gen | faulty trap | wc: text()');
    expect(r.error.stage === 1, `trap pipeline: failed stage ${r.error.stage}, expected 1`);
    expectError({ error: outcomes[1].error }, 'ETRAP', 'trap pipeline: stage 1 outcome');
  },

  async pipelineHang(c, rnd, stats) {
    const p = c.pipeline(stages3(2000, { plugin: 'faulty', args: ['hang'] }), { stdin: null, timeoutMs: rnd.int(200, 500) });
    const r = await settle(p.text());
    const outcomes = await p.outcomes;
    stats.stages += outcomes.length;
    // The hang's timeout closes its pipes: wc sees end of file and exits 0
    // on what it got (nothing). Under pipefail that must not pass for success.
    expectError(r, 'ETIMEDOUT', 'gen | faulty hang | wc: text()');
    expectError({ error: outcomes[1].error }, 'ETIMEDOUT', 'hang pipeline: stage 1 outcome');
    // The timeout is every stage's: on a loaded machine gen may still be
    // running when it strikes, and then stage 0 is the first that failed.
    const first = outcomes.findIndex((o) => o.error);
    expect(r.error.stage === first, `hang pipeline: reported stage ${r.error.stage}, first failed ${first}`);
  },

  async pipelineAbort(c, rnd, stats) {
    const abort = new AbortController();
    const n = rnd.pick(GEN_SIZES);
    const p = c.pipeline(stages3(n, { plugin: 'grep', args: ['7'] }), { stdin: null, signal: abort.signal });
    setTimeout(() => abort.abort(), rnd.int(0, 60));
    const r = await settle(p.text());
    const outcomes = await p.outcomes;
    stats.stages += outcomes.length;
    // Either it finished before the abort, whole, or it failed: never a clean exit on partial output.
    if (r.error) expectError(r, 'ECANCELED', 'aborted pipeline');
    else expect(r.value.exitCode === 0 && r.value.stdout === expectedWc[n], `aborted pipeline resolved with ${JSON.stringify(r.value)}`);
  },

  async interactive(c, rnd) {
    const p = c.spawn('calc');
    const answers = lineReader(p.stdout);
    for (let i = 0, n = rnd.int(1, 5); i < n; i++) {
      const a = rnd.int(-1000, 1000);
      const b = rnd.int(-1000, 1000);
      await p.write(`${a} * ${b}\n`);
      const line = await answers.next();
      expect(line === String(a * b), `calc: ${a} * ${b} answered ${JSON.stringify(line)}`);
    }
    p.closeStdin();
    expect((await answers.next()) === null, 'calc: output after its last answer');
    const code = await p.exit;
    expect(code === 0, `calc: exit ${code}`);
  },

  async interactiveKill(c, rnd) {
    const p = c.spawn('calc');
    const answers = lineReader(p.stdout);
    await p.write('6 * 7\n');
    const line = await answers.next();
    expect(line === '42', `calc before kill: ${JSON.stringify(line)}`);
    await sleep(rnd.int(0, 20));
    p.kill('chaos');
    expectError(await settle(p.exit), 'ECANCELED', 'killed calc');
    expect((await answers.next()) === null, 'killed calc: its stdout ends');
  },

  async files(c, rnd) {
    const words = Array.from({ length: rnd.int(1, 50) }, () => rnd.pick(['pear', 'apple', 'fig', 'kiwi', 'plum', 'lime']));
    const p = c.spawn('sortlines', {
      args: ['/work/in.txt', '/work/out.txt'],
      mounts: { '/work': { 'in.txt': words.map((w) => `${w}\n`).join('') } },
      stdin: null,
    });
    const code = await p.exit;
    expect(code === 0, `sortlines: exit ${code}`);
    const out = decode((await p.files('/work'))['out.txt'] ?? new Uint8Array(0));
    const sorted = [...words].sort().map((w) => `${w}\n`).join('');
    expect(out === sorted, `sortlines wrote ${JSON.stringify(out.slice(0, 80))}`);
  },

  async trap(c) {
    expectError(await settle(c.spawn('faulty', { args: ['trap'], stdin: null }).exit), 'ETRAP', 'faulty trap');
  },

  async hang(c, rnd) {
    const p = c.spawn('faulty', { args: ['hang'], stdin: null, timeoutMs: rnd.int(200, 500) });
    expectError(await settle(p.exit), 'ETIMEDOUT', 'faulty hang');
  },

  async exitCode(c, rnd) {
    const code = rnd.int(0, 9);
    const r = await c.spawn('faulty', { args: ['exit', String(code)], stdin: null }).text();
    expect(r.exitCode === code, `faulty exit ${code}: exit ${r.exitCode}`);
  },

  async stdoutCancel(c, rnd) {
    // More than the pipe holds: gen is still writing when the reader goes.
    const p = c.spawn('gen', { args: ['200000'], stdin: null });
    const reader = p.stdout.getReader();
    let got = '';
    for (let i = 0, n = rnd.int(0, 3); i < n; i++) {
      const { value, done } = await reader.read();
      if (done) break;
      got += decode(value);
    }
    await reader.cancel();
    const whole = genText(200000);
    expect(whole.startsWith(got), 'gen: what was read before the cancel is not a prefix of its output');
    // gen sees EPIPE on its next write: it ends (exit 1, as ferror says), or
    // ended before that with everything written.
    const r = await settle(p.exit);
    expect(r.value === 0 || r.value === 1, `gen after its reader cancelled: ${r.error ?? `exit ${r.value}`}`);
  },

  async jsTask(c, rnd, stats, env) {
    const i = rnd.int(0, 15); // also the slot it counts its run in
    const kind = rnd.pick(['square', 'square', 'fail', 'crash']);
    const r = await settle(c.run({ url: env.tasksUrl, export: kind }, { i, runs: env.runs }));
    if (kind === 'square') expect(r.value === i * i, `square(${i}): ${r.error ?? r.value}`);
    else expectError(r, kind === 'fail' ? 'ETHROWN' : 'ECRASHED', `js ${kind}`);
  },
};

/** Which fault each job provokes (for the counts in the report). */
export const FAULTS = {
  pipeline: null,
  pipelineExitCode: 'exit code',
  pipelineTrap: 'trap',
  pipelineHang: 'timeout',
  pipelineAbort: 'abort',
  interactive: null,
  interactiveKill: 'kill',
  files: null,
  trap: 'trap',
  hang: 'timeout',
  exitCode: 'exit code',
  stdoutCancel: 'stdout cancel',
  jsTask: 'throw/crash',
};

/** The share of each job in a run (weights). */
export const MIX = {
  pipeline: 6, pipelineExitCode: 1, pipelineTrap: 1, pipelineHang: 1, pipelineAbort: 2,
  interactive: 3, interactiveKill: 1, files: 2, trap: 1, hang: 2, exitCode: 1, stdoutCancel: 1, jsTask: 2,
};

function weighted(rnd, mix) {
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  let x = rnd.next() * total;
  for (const [name, w] of Object.entries(mix)) {
    if ((x -= w) < 0) return name;
  }
  return Object.keys(mix)[0];
}

const percentile = (sorted, p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : 0);

/**
 * Runs `tasks` jobs on coordinator `c` (its plugins loaded), at most
 * `concurrency` in flight, each starting after a random 0–100 ms. Resolves
 * with {tasks, jobs, faults, stages, settleMs: {p50, p99, max}, failures}.
 * A job that does not settle within `deadlineMs` is a failure carrying
 * c.inspect(). `onProgress(done)` is called after each job (for the soak's
 * memory readings). `env`: {tasksUrl, runs} for JS tasks.
 */
export async function runChaos(c, { tasks, concurrency = 120, seed = 1, deadlineMs = 60_000, env, mix = MIX, onProgress, log = () => {} }) {
  const rnd = random(seed);
  const stats = { stages: 0 };
  const jobs = {};
  const faults = {};
  const failures = [];
  const settleMs = [];
  const now = () => performance.now();
  let started = 0;
  let done = 0;

  async function one() {
    const name = weighted(rnd, mix);
    const jobRnd = random(rnd.int(0, 2 ** 31));
    const delay = rnd.int(0, 100);
    jobs[name] = (jobs[name] ?? 0) + 1;
    if (FAULTS[name]) faults[FAULTS[name]] = (faults[FAULTS[name]] ?? 0) + 1;
    await sleep(delay);
    const t0 = now();
    let timer;
    const deadline = new Promise((resolve) => {
      timer = setTimeout(() => resolve({ hung: true }), deadlineMs);
    });
    const r = await Promise.race([settle(JOBS[name](c, jobRnd, stats, env)), deadline]);
    clearTimeout(timer);
    settleMs.push(now() - t0);
    if (r.hung) failures.push({ job: name, error: `did not settle within ${deadlineMs} ms`, state: c.inspect() });
    else if (r.error) failures.push({ job: name, error: String(r.error?.stack ?? r.error) });
    done++;
    onProgress?.(done);
  }

  const workers = Array.from({ length: Math.min(concurrency, tasks) }, async () => {
    while (started < tasks && failures.length === 0) {
      started++;
      await one();
    }
  });
  await Promise.all(workers);
  settleMs.sort((a, b) => a - b);
  const summary = {
    tasks: done,
    jobs,
    faults,
    stages: stats.stages,
    settleMs: { p50: Math.round(percentile(settleMs, 50)), p99: Math.round(percentile(settleMs, 99)), max: Math.round(settleMs.at(-1) ?? 0) },
    failures,
  };
  log(`chaos: ${done} tasks (seed ${seed}), faults ${JSON.stringify(faults)}, ${stats.stages} stages checked, settle p50 ${summary.settleMs.p50} ms p99 ${summary.settleMs.p99} ms max ${summary.settleMs.max} ms`);
  return summary;
}

/** close() with a deadline: resolves with its time in ms, or throws with the snapshot. */
export async function closeWithin(c, ms) {
  const t0 = performance.now();
  let timer;
  const closed = await Promise.race([
    c.close().then(() => true),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  if (!closed) throw new Error(`close() did not settle within ${ms} ms: ${JSON.stringify(c.inspect())}`);
  return performance.now() - t0;
}
