import { Worker } from 'node:worker_threads';
import { Sabq, SpscRing, compileSabq } from 'sabq';

const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
const sabq = await Sabq.instantiate(memory);
const ring = SpscRing.create(sabq, 64, 4096);             // a 4 KiB ring at byte 64
const worker = new Worker(new URL('./hello-worker.mjs', import.meta.url),
  { workerData: { memory, module: await compileSabq(), ring: ring.toJSON() } });
console.log(await ring.receiveStringAsync());              // never blocks this thread
await worker.terminate();
