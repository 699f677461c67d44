// bench/js/host-browser-bench.mjs — the rows of bench/browser/host.html
// (host answers by a page handler, by the host worker and by sync-message;
// interactive stdin line round trip; the bare main↔worker round trip) in
// Debian's Chromium or Firefox ESR, headless, printed as JSON lines, each with
// the page's placement probe; exits non-zero unless every row was measured:
//   node bench/js/host-browser-bench.mjs chromium|firefox
// BENCH_SCALE scales the counts (tiny for a smoke test).
import { engine, openBrowser, runPage } from '../../tests/browser/browser.mjs';

const name = process.argv[2];
if (name !== 'chromium' && name !== 'firefox') {
  console.error('usage: host-browser-bench.mjs chromium|firefox');
  process.exit(2);
}
const scale = Number(process.env.BENCH_SCALE ?? 1);
const b = await openBrowser(engine(name));
try {
  const { rows, planned } = await runPage(b, `/bench/browser/host.html?scale=${scale}&engine=${name}`, 300_000);
  if (rows.length !== planned) throw new Error(`${name}: the page planned ${planned} measurements and returned ${rows.length} rows`);
  if (b.errors.length) throw new Error(`${name} reported errors:\n${b.errors.join('\n')}`);
  for (const r of rows) console.log(JSON.stringify(r));
} finally {
  await b.close();
}
