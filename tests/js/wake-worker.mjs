// tests/js/wake-worker.mjs — the waiter of tests/js/wake.test.mjs: for each
// round it is sent, attaches to the ring, makes one blocking wait with spin 0
// (it parks at once: the wake must come from the change), and reports what the
// wait returned. When the round says so, it makes the change itself, right
// after its check has answered "not yet" for the injectAt-th time.
import { workerData, parentPort } from 'node:worker_threads';
import { Sabq, END, waitOptions } from '../../bindings-js/src/index.js';
import { blockingCases, rings, makeChange, hookCheck } from './wake-cases.mjs';

const { memory, module, control } = workerData;
const sabq = await Sabq.instantiate(memory, { module });
const ctl = new Int32Array(memory.buffer, control.offset, control.words);
waitOptions.spin = 0;

const describe = (v) => (v === END ? 'END' : v instanceof Uint8Array ? `bytes [${v}]` : JSON.stringify(v));

parentPort.on('message', ({ round, index, at, size, injectAt }) => {
  const c = blockingCases[index];
  const ring = rings[c.ring].attach(sabq, at, size);
  const other = rings[c.ring].attach(sabq, at, size);
  // Whoever turns CHANGED from 0 makes the change: this thread or the test's.
  const claim = () => Atomics.compareExchange(ctl, control.CHANGED, 0, 1) === 0;
  const hook = hookCheck(ring, c, injectAt, claim, () => makeChange(c.ring, c.change, other));
  let v;
  try {
    v = c.wait(ring, sabq);
  } catch (e) {
    v = { threw: e?.code ?? String(e) };
  }
  const returnedAt = performance.now();
  Atomics.store(ctl, control.DONE, round);
  Atomics.notify(ctl, control.DONE);
  parentPort.postMessage({
    round,
    ok: c.expect(v),
    got: describe(v),
    checks: hook.attempts(),
    tookMs: hook.injectedAt === undefined ? undefined : returnedAt - hook.injectedAt,
  });
});
parentPort.postMessage({ ready: true });
