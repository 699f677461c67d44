// tests/js/helpers.mjs — shared set-up for the Node tests of the JS binding.
import { Worker } from 'node:worker_threads';
import { Sabq, compileSabq } from '../../bindings-js/src/index.js';

/** A fresh shared memory (pages of 64 KiB) and sabq instantiated against it. */
export async function freshSabq(pages = 64) {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  return Sabq.instantiate(memory);
}

/** Runs tests/js/worker.mjs with a job; resolves with the worker's result message. */
export async function runWorker(sabq, job) {
  const module = await compileSabq();
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
    workerData: { memory: sabq.memory, module, ...job },
  });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
  });
}

export { payload, checkPayload } from './payload.mjs';
