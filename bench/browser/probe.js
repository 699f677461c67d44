// bench/browser/probe.js — the placement probe of a page that measures
// nothing between two threads of its own: this page's main thread pings a
// bench-worker.js that echoes (role 'probe'), right before a measurement.
import { newProbe, probePing } from '/bench/js/atomic-probe.mjs';

/** The bare atomic round trip, in ns, between this thread and a fresh worker
 * that `start(data)` → {control, terminate} runs bench-worker.js in. */
export async function probeAlone(start) {
  const probe = newProbe();
  const w = await start({ role: 'probe', probe });
  await w.control.next(); // it echoes from now on
  const ns = probePing(probe);
  await w.terminate();
  return Math.round(ns);
}
