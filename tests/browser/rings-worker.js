// tests/browser/rings-worker.js — a Web Worker (module) playing one role of
// tests/js/roles.mjs: the same code the Node tests run in worker_threads.
import { runRole } from '../js/roles.mjs';

self.onmessage = async ({ data: job }) => {
  try {
    const report = await runRole(job);
    delete report.seen; // large; the page checks order and counts
    self.postMessage({ ok: true, ...report });
  } catch (e) {
    self.postMessage({ ok: false, error: String(e?.stack ?? e) });
  }
};
