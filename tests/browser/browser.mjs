// tests/browser/browser.mjs — the harness of every browser test: Debian's
// Chromium and Firefox ESR, headless, both driven by puppeteer-core (Chromium
// over CDP, Firefox over WebDriver BiDi) against tools/serve.mjs (COOP/COEP
// headers). Never downloads a browser: both must be installed (make deps).
// A test written with browserTest() runs once per engine with the same
// assertions, and fails on any page error or console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import puppeteer from 'puppeteer-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg, availableParallelism } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../tools/serve.mjs';

const ALL_ENGINES = [
  {
    name: 'chromium',
    browser: 'chrome',
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  },
  {
    name: 'firefox',
    browser: 'firefox',
    executablePath: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
    args: [],
  },
];

/** The engine called `name` ('chromium' or 'firefox'), for a tool that needs one. */
export function engine(name) {
  const e = ALL_ENGINES.find((x) => x.name === name);
  if (!e) throw new Error(`no browser engine '${name}'`);
  return e;
}

/**
 * The engines to test: all, or those named in SABQ_BROWSERS (e.g. "firefox",
 * "chromium,firefox"). A name that is no engine is an error: it would
 * register no test, and the run would be green having tested nothing.
 */
export const engines = selectEngines(process.env.SABQ_BROWSERS);

/** The engines `names` (comma- or space-separated) picks; all when unset or empty. */
export function selectEngines(names) {
  const wanted = (names ?? '').split(/[ ,]+/).filter(Boolean);
  if (wanted.length === 0) return ALL_ENGINES;
  const unknown = wanted.filter((n) => !ALL_ENGINES.some((e) => e.name === n));
  if (unknown.length > 0) {
    throw new Error(`SABQ_BROWSERS: no browser engine ${unknown.map((n) => `'${n}'`).join(', ')} ` +
      `(the engines are ${ALL_ENGINES.map((e) => e.name).join(', ')})`);
  }
  return ALL_ENGINES.filter((e) => wanted.includes(e.name));
}

/**
 * Starts the server and `engine` with a fresh profile.
 * Returns {engine, contention, page, server, errors, close}; `errors`
 * collects page errors and console errors as they happen; `contention` is
 * otherWork() before the browser started.
 */
export async function openBrowser(engine) {
  const contention = otherWork();
  const server = await startServer({ port: 0 });
  const profile = await mkdtemp(join(tmpdir(), `sabq-${engine.name}-`));
  const browser = await puppeteer.launch({
    browser: engine.browser,
    executablePath: engine.executablePath,
    headless: true,
    userDataDir: profile,
    args: engine.args,
  });
  const page = (await browser.pages())[0] ?? (await browser.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e?.message ?? e}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console error: ${m.text()}`); });
  return {
    engine,
    contention,
    page,
    server,
    errors,
    async close() {
      await browser.close();
      await server.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Registers test `name` once per engine ("name [firefox]"): opens a browser,
 * calls fn(b), then fails if the page reported any error.
 */
export function browserTest(name, options, fn) {
  for (const engine of engines) {
    test(`${name} [${engine.name}]`, options, async () => {
      const b = await openBrowser(engine);
      try {
        await fn(b);
        assert.deepEqual(b.errors, [], `${engine.name} reported errors`);
      } finally {
        await b.close();
      }
    });
  }
}

/** Opens `path` (on the harness's server, or a full URL) and waits for the page to publish window.__result. */
export async function runPage(b, path, timeout = 180_000) {
  await b.page.goto(new URL(path, b.server.url).href);
  await b.page.waitForFunction(() => window.__result !== undefined || window.__error !== undefined, { timeout, polling: 250 });
  const error = await b.page.evaluate(() => window.__error);
  if (error) throw new Error(`page failed: ${error}\n${b.errors.join('\n')}`);
  return b.page.evaluate(() => window.__result);
}

/** Waits until the text of `selector` contains `text`. */
export async function waitForText(b, selector, text, timeout = 10_000) {
  await b.page.waitForFunction((s, t) => document.querySelector(s)?.textContent.includes(t),
    { timeout, polling: 50 }, selector, text);
}

// A long task, as the Long Tasks API counts it.
const TASK_LIMIT_MS = 50;
// The heartbeat gap of examples/browser/stall-meter.js is not a task: it also
// counts garbage collection, rendering and the time the OS did not run the
// thread. In the coordinator's 100 MB scenario (the page hashes 100 MB while
// three workers stream it) both engines show gaps of 200-350 ms on this
// 2-core machine when it is moderately busy, while Chromium reports no long
// task at all. So where an engine reports no tasks, the bar is for a freeze:
// a quarter of a second, five long tasks' worth.
const STALL_LIMIT_MS = 250;

/**
 * Runnable threads per core from other work on the machine (the 1-minute load
 * average over the cores, at least 1), taken before a browser starts. Both
 * measures above are wall time, and a thread that gets 1/k of a core takes
 * about k times as long for the same work: with other jobs running (on a
 * machine shared for builds, say), the bars scale by this.
 */
function otherWork() {
  return Math.max(1, loadavg()[0] / availableParallelism());
}

/**
 * The responsiveness check of every page test, given the page's stall meter
 * report: the meter ran throughout, and the page never stalled — no long task
 * over 50 ms where the engine reports them (Chromium), no heartbeat gap over
 * 250 ms where it does not (Firefox); both bars times b.contention.
 */
export function assertResponsive(b, meter) {
  const { longestStallMs, stalls, beats, seconds, longTasks } = meter;
  const taskLimit = Math.round(TASK_LIMIT_MS * b.contention);
  const stallLimit = Math.round(STALL_LIMIT_MS * b.contention);
  const load = `${b.contention.toFixed(1)} runnable threads per core from other work`;
  console.log(`# ${b.engine.name}: longest stall ${longestStallMs.toFixed(1)} ms, gaps over 30 ms ${JSON.stringify(stalls)}, ` +
    `long tasks ${longTasks === null ? '(not reported by this engine)' : JSON.stringify(longTasks)}; ${load}`);
  assert.ok(beats / seconds > 50, `the stall meter ran (${beats} heartbeats in ${seconds.toFixed(1)} s)`);
  if (longTasks !== null) {
    assert.deepEqual(longTasks.filter((ms) => ms > taskLimit), [], `no main-thread task over ${taskLimit} ms (${load})`);
  } else {
    assert.deepEqual(stalls.filter((ms) => ms > stallLimit), [], `no main-thread stall over ${stallLimit} ms (${load})`);
  }
}
