// tests/browser/opfs-stress.mjs — `make stress-opfs`: many spawns with an OPFS
// mount in each browser (tests/browser/opfs-spawns-page.js), reporting how
// many hung or failed; exits non-zero if any did. Not part of `make test`
// (its short form is opfs-spawns.test.mjs).
//   node tests/browser/opfs-stress.mjs [SPAWNS]     (default 300; SABQ_BROWSERS picks engines)
import { openBrowser, engines } from './browser.mjs';

const spawns = Number(process.argv[2] ?? 300);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens the page and asks for its state every 2 s, each ask short (one long
 * waitForFunction would outlive puppeteer's 180 s protocol timeout over
 * BiDi), until it has a result; or throws, saying how far it got, once the
 * page answers no more or the run overstays every spawn's bound.
 */
async function run(b) {
  await b.page.goto(new URL(`/tests/browser/opfs-spawns.html?n=${spawns}`, b.server.url).href);
  const deadline = Date.now() + spawns * 20_000 + 60_000;
  let last = null;
  while (Date.now() < deadline) {
    const state = await Promise.race([
      b.page.evaluate(() => ({ result: window.__result, error: window.__error, progress: window.__progress })),
      sleep(30_000).then(() => null),
    ]);
    if (!state) throw new Error(`the page stopped answering (its main thread is stuck) after ${JSON.stringify(last)}`);
    if (state.error) throw new Error(`page failed: ${state.error}`);
    if (state.result) return state.result;
    last = state.progress ?? last;
    await sleep(2000);
  }
  throw new Error(`no result in time; got to ${JSON.stringify(last)}`);
}

let bad = 0;
for (const engine of engines) {
  const b = await openBrowser(engine);
  try {
    const r = await run(b);
    console.log(`${engine.name}: ${r.spawns} OPFS spawns in ${r.seconds.toFixed(1)} s, median ${Math.round(r.medianMs)} ms, ` +
      `longest ${Math.round(r.maxMs)} ms, ${r.hung.length} hung, ${r.failed.length} failed`);
    for (const f of r.failed) console.log(`  ${f}`);
    if (r.hung.length) console.log(`  hung: spawns ${r.hung.join(', ')}`);
    for (const e of b.errors) console.log(`  ${e}`);
    if (r.hung.length || r.failed.length || b.errors.length) bad++;
  } catch (e) {
    console.log(`${engine.name}: ${e.message}`);
    bad++;
  } finally {
    await b.close();
  }
}
process.exit(bad ? 1 : 0);
