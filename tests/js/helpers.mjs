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

/** The payload of message `seq` from producer `id`: 8..40 bytes, all derived from (id, seq). */
export function payload(id, seq) {
  const len = 8 + (seq % 33);
  const bytes = new Uint8Array(len);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, id, true);
  dv.setUint32(4, seq, true);
  for (let i = 8; i < len; i++) bytes[i] = (id * 31 + seq * 7 + i) & 0xff;
  return bytes;
}

/** Checks a payload and returns [id, seq]; throws on any wrong byte. */
export function checkPayload(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = dv.getUint32(0, true);
  const seq = dv.getUint32(4, true);
  if (bytes.length !== 8 + (seq % 33)) throw new Error(`bad length ${bytes.length} for seq ${seq}`);
  for (let i = 8; i < bytes.length; i++) {
    if (bytes[i] !== ((id * 31 + seq * 7 + i) & 0xff)) throw new Error(`bad byte ${i} in (${id}, ${seq})`);
  }
  return [id, seq];
}
