// bench/browser/bench-worker.js — a Web Worker running its part of a
// measurement of bench/js/bench-core.mjs, or (role 'probe') the echoing side
// of the page's own placement probe.
import { RingBuffer } from '/node_modules/ringbuf.js/dist/index.mjs';
import { workerSide, link } from '/bench/js/bench-core.mjs';
import { probeEcho } from '/bench/js/atomic-probe.mjs';

const control = link((m) => self.postMessage(m), (fn) => { self.onmessage = (e) => fn(e.data); });
const first = await control.next(); // {data} with a MessagePort for channel measurements
const data = first.data;
if (data.role === 'probe') {
  control.post('ready');
  probeEcho(data.probe);
} else {
  const peer = data.port ? link((m) => data.port.postMessage(m), (fn) => { data.port.onmessage = (e) => fn(e.data); }) : null;
  workerSide(data, control, peer, RingBuffer).catch((e) => self.postMessage({ error: String(e?.stack ?? e) }));
}
