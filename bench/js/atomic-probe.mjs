// bench/js/atomic-probe.mjs — the placement probe of the JS benchmarks, for
// any platform (Node worker_threads, Web Workers, a page's main thread): the
// bare round trip of one shared word between two threads, as the native
// benchmarks measure it (bench/native/harness.h). On a VM the hypervisor
// decides how far apart the two vCPUs are, and every queue's speed follows,
// so each measurement runs this between its own two threads right before it
// and reports it with its row; bench/run.py sorts the rows by it.
//
// Word 0 is the bounced counter, word 1 says the echoing side has arrived.
// Blocks are long (4,096 round trips, 200 µs or more) because a browser's
// clock is coarse (5 µs in Chromium, 20 µs in Firefox when cross-origin
// isolated); the figure is the median block, so the first one (the JIT still
// warming up) and any preempted one do not count.
const BLOCK = 4096;
const BLOCKS = 13;
const STOP = -1;

/** The shared words of one probe: send it to the other thread. */
export function newProbe() {
  return new SharedArrayBuffer(64);
}

/**
 * The pinging side: waits (spinning, up to 10 s) for the echoing side to
 * arrive, measures, tells it to stop. Returns nanoseconds per round trip.
 * Spins on the page's main thread too: a few milliseconds, once.
 */
export function probePing(sab) {
  const w = new Int32Array(sab);
  const deadline = performance.now() + 10_000;
  while (Atomics.load(w, 1) === 0) {
    if (performance.now() > deadline) throw new Error('placement probe: the other thread never arrived');
  }
  const per = [];
  let v = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const t0 = performance.now();
    for (let k = 0; k < BLOCK; k++) {
      Atomics.store(w, 0, ++v);
      while (Atomics.load(w, 0) !== v + 1);
      v++;
    }
    per.push(((performance.now() - t0) * 1e6) / BLOCK);
  }
  Atomics.store(w, 0, STOP);
  per.sort((a, b) => a - b);
  return per[BLOCKS >> 1];
}

/** The echoing side: answers every ping until told to stop. */
export function probeEcho(sab) {
  const w = new Int32Array(sab);
  Atomics.store(w, 1, 1);
  for (let v = 1; ; v += 2) {
    let x;
    while ((x = Atomics.load(w, 0)) !== v) {
      if (x === STOP) return;
    }
    Atomics.store(w, 0, v + 1);
  }
}
