// tests/js/worker.mjs — a worker_threads peer for the Node tests: attaches to a
// ring in the shared memory and plays one role of tests/js/roles.mjs.
import { workerData, parentPort } from 'node:worker_threads';
import { runRole } from './roles.mjs';

try {
  parentPort.postMessage({ ok: true, ...(await runRole(workerData)) });
} catch (e) {
  parentPort.postMessage({ ok: false, error: String(e?.stack ?? e) });
}
