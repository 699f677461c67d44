// bench/js/browser-bench.mjs — the JS benchmarks in a browser: Debian's
// Chromium or Firefox ESR, headless, driven by puppeteer-core as the browser
// tests are (tests/browser/browser.mjs, tools/serve.mjs for COOP/COEP).
// Opens bench/browser/, waits for its rows and prints them as JSON lines.
//   node bench/js/browser-bench.mjs chromium|firefox
// BENCH_SCALE: tiny for the smoke test; quick runs (< 1) use half the full
// counts, so that one page stays within the quick bench's time.
// BENCH_ONLY=tput:sabq:8,rtt:ringbuf:8:64k runs just those measurements.
// Exits non-zero unless the page measured everything it planned.
import { engine, openBrowser, runPage } from '../../tests/browser/browser.mjs';

const name = process.argv[2];
if (!['chromium', 'firefox'].includes(name)) {
  console.error('usage: browser-bench.mjs chromium|firefox');
  process.exit(2);
}
const requested = Number(process.env.BENCH_SCALE ?? 1);
const scale = requested < 0.05 ? requested : requested < 1 ? 0.5 : requested;
const b = await openBrowser(engine(name));
try {
  const only = process.env.BENCH_ONLY ? `&only=${encodeURIComponent(process.env.BENCH_ONLY)}` : '';
  const { rows, planned } = await runPage(b, `/bench/browser/?engine=${name}&scale=${scale}${only}`, 300_000);
  if (rows.length !== planned) throw new Error(`${name}: the page planned ${planned} measurements and returned ${rows.length} rows`);
  if (b.errors.length) throw new Error(`${name} reported errors:\n${b.errors.join('\n')}`);
  for (const r of rows) console.log(JSON.stringify(r));
} finally {
  await b.close();
}
