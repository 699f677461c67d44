// bench/js/chromium-bench.mjs — the JS benchmarks in Debian's Chromium
// (headless, puppeteer-core, tools/serve.mjs for COOP/COEP): opens
// bench/browser/, waits for its rows and prints them as JSON lines.
// BENCH_SCALE: tiny for the smoke test; quick runs (< 1) use half the full
// counts, so that one page stays within the quick bench's time.
// BENCH_ONLY=tput:sabq:8,rtt:ringbuf runs just those measurements.
import { engine, openBrowser, runPage } from '../../tests/browser/browser.mjs';

const requested = Number(process.env.BENCH_SCALE ?? 1);
const scale = requested < 0.05 ? requested : requested < 1 ? 0.5 : requested;
const b = await openBrowser(engine('chromium'));
try {
  const only = process.env.BENCH_ONLY ? `&only=${encodeURIComponent(process.env.BENCH_ONLY)}` : '';
  const rows = await runPage(b, `/bench/browser/?scale=${scale}${only}`, 300_000);
  for (const r of rows) console.log(JSON.stringify(r));
} finally {
  await b.close();
}
