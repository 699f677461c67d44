// tests/js/roles.mjs — what a worker does in the ring tests, shared by the Node
// worker (worker.mjs) and the browser worker (tests/browser/rings-worker.js):
// produce, consume, echo, or write/read a byte stream, with the blocking API.
// Every blocking call goes through woken(): one that returns only after its
// whole timeout is a lost wake-up, and fails the role.
import { Sabq, SpscRing, Pipe, MpmcQueue, END, waitOptions } from '../../bindings-js/src/index.js';
import { payload, checkPayload } from './payload.mjs';
import { woken } from './whole-timeout.mjs';

/** Runs `job.role` against the ring at job.offset; returns the role's report.
 * `job.spin`, when given, replaces the spin before parking (0: every wait parks). */
export async function runRole(job) {
  const { memory, module, kind, role, offset, size, count, id = 0, producers = 1, timeoutMs = 10000, chunk: chunkBytes = 1000 } = job;
  if (job.spin !== undefined) waitOptions.spin = job.spin;
  const sabq = await Sabq.instantiate(memory, { module });
  const classes = { spsc: SpscRing, pipe: Pipe, mpmc: MpmcQueue };
  const ring = classes[kind].attach(sabq, offset, size);
  const wait = (what, call) => woken(`${kind} ${role}: ${what}`, timeoutMs, call);

  function produce() {
    for (let seq = 0; seq < count; seq++) {
      const ok = kind === 'mpmc' ? wait('pushWait', () => ring.pushWait(payload(id, seq), timeoutMs))
        : wait('sendWait', () => ring.sendWait(payload(id, seq), timeoutMs));
      if (!ok) throw new Error(`send timed out at ${seq}`);
    }
    return { sent: count };
  }

  function consume() {
    const next = new Array(producers).fill(0);
    const seen = Array.from({ length: producers }, () => new Uint8Array(count));
    let received = 0;
    for (;;) {
      const m = kind === 'mpmc' ? wait('popWait', () => ring.popWait(timeoutMs)) : wait('receiveWait', () => ring.receiveWait(timeoutMs));
      if (m === END) break;
      if (m === null) throw new Error(`receive timed out after ${received}`);
      const [pid, seq] = checkPayload(m);
      if (kind === 'mpmc' ? seq < next[pid] : seq !== next[pid]) throw new Error(`order: got ${seq} from ${pid}, expected ${next[pid]}`);
      if (seen[pid][seq]++) throw new Error(`duplicate (${pid}, ${seq})`);
      next[pid] = seq + 1;
      received++;
      if (kind !== 'mpmc' && received === count) break;
    }
    return { received, next, seen };
  }

  // The echo role: receive messages and send them back on a second ring.
  function echo() {
    const back = SpscRing.attach(sabq, job.replyOffset, job.replySize);
    let n = 0;
    for (;;) {
      const m = wait('receiveWait', () => ring.receiveWait(timeoutMs));
      if (m === END) break;
      if (m === null) throw new Error(`echo: receive timed out after ${n}`);
      if (!wait('sendWait', () => back.sendWait(m, timeoutMs))) throw new Error('echo send timed out');
      n++;
    }
    back.close();
    return { echoed: n };
  }

  // The pipe roles: a deterministic byte stream, checked byte for byte.
  const byteAt = (pos) => (pos * 2654435761) >>> 24;
  function pipeWrite() {
    const chunk = new Uint8Array(chunkBytes);
    for (let pos = 0; pos < count; pos += chunk.length) {
      const n = Math.min(chunk.length, count - pos);
      for (let i = 0; i < n; i++) chunk[i] = byteAt(pos + i);
      if (wait('writeWait', () => ring.writeWait(chunk.subarray(0, n), timeoutMs)) !== n) throw new Error('pipe write timed out');
    }
    ring.close();
    return { written: count };
  }
  function pipeRead() {
    const buf = new Uint8Array(777);
    let pos = 0;
    for (;;) {
      const n = wait('readIntoWait', () => ring.readIntoWait(buf, 0, buf.length, timeoutMs));
      if (n === 0) break;
      if (n < 0) throw new Error('pipe read timed out');
      for (let i = 0; i < n; i++) if (buf[i] !== byteAt(pos + i)) throw new Error(`byte ${pos + i} wrong`);
      pos += n;
    }
    return { read: pos };
  }

  const roles = { produce, consume, echo, pipeWrite, pipeRead };
  return roles[role]();
}
