// bench/js/node-probe.mjs — the placement probe (atomic-probe.mjs) for a Node
// benchmark whose own threads cannot stop to run it (a coordinator's workers,
// a plugin): the main thread and one worker of this process, right before the
// measurement. The worker is this module itself.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { newProbe, probePing, probeEcho } from './atomic-probe.mjs';

/** Nanoseconds per bare atomic round trip between the main thread and a worker. */
export async function probeNode() {
  const probe = newProbe();
  const w = new Worker(new URL(import.meta.url), { workerData: { nodeProbe: probe } });
  try {
    await new Promise((resolve, reject) => {
      w.once('message', resolve); // it echoes from now on
      w.once('error', reject);
    });
    return Math.round(probePing(probe));
  } finally {
    await w.terminate();
  }
}

// Only in the worker started above: this module is imported by benchmark
// workers too, whose workerData has other keys.
if (!isMainThread && workerData?.nodeProbe) {
  parentPort.postMessage('echoing');
  probeEcho(workerData.nodeProbe);
}
