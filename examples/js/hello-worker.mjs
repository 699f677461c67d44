import { workerData } from 'node:worker_threads';
import { Sabq, SpscRing } from 'sabq';

const { memory, module, ring: where } = workerData;
const sabq = await Sabq.instantiate(memory, { module });
const ring = SpscRing.attach(sabq, where.offset, where.size);
ring.sendWait('hello from a worker', 1000);                // a worker may block
