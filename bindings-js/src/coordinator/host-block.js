// bindings-js/src/host-block.js — the host worker's shared block: 128 bytes
// of the coordinator's memory that every thread involved reads. The host
// worker serves the host-call rings of many compute workers; it cannot wait
// on all of them, so it waits on one word, the bell, which each caller rings
// after it sends a request (as an eventfd would). The block also says which
// incarnation of the host worker runs (a caller waiting for an answer gives
// up when that changes), whether there is one at all, and which task's
// handler it is running (so that a task stopped while its handler never
// returns takes the host worker with it). All accesses are Atomics: seq_cst.

import { parkAsync } from '../rings/wait.js';

/** Bytes of the block (two 64-byte lines). */
export const HOST_BLOCK_BYTES = 128;

// Word indices from the start of the block.
// Line 0, written by every caller and by the host worker:
const BELL = 0; //      bumped by a caller after each request (and by the page after a control message)
const SLEEPING = 1; //  1 while the host worker is parked (or about to) on BELL: callers must notify
// Line 1, written by the page and the host worker:
// Which host worker runs: even while one runs, odd while the page replaces
// it (callers wait to send until it is even again); a caller waiting for an
// answer gives up when it moves.
const GENERATION = 16;
const DOWN = 17; //       1 when there is no host worker any more (it could not be restarted, or was closed)
const SERVING = 18; //    the task id whose handler runs now (0: none; STOPPING: being stopped)

/** SERVING while the page stops the host worker in the middle of a handler. */
const STOPPING = -1;

const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

export class HostBlock {
  /** The block at byte `offset` of sabq's memory (laid out zeroed by `create`). */
  constructor(sabq, offset) {
    sabq.ensure(offset + HOST_BLOCK_BYTES);
    this.offset = offset;
    this.i32 = sabq.i32; // covers the block for good: a shared memory never shrinks
    this.at = offset >> 2;
  }

  /** A fresh block at `offset` (the page, once). */
  static create(sabq, offset) {
    const b = new HostBlock(sabq, offset);
    b.i32.fill(0, b.at, b.at + HOST_BLOCK_BYTES / 4);
    return b;
  }

  // ---- callers (compute workers; the page for control messages) ----------

  /** After a request is in a ring: wakes the host worker if it sleeps. */
  ring() {
    const i32 = this.i32;
    // The bump comes before the check, and the host worker announces itself
    // before it checks the bell: with seq_cst, either it sees the bump or we
    // see it sleeping (the Dekker pattern). Only a sleeper costs a notify.
    Atomics.add(i32, this.at + BELL, 1);
    if (Atomics.load(i32, this.at + SLEEPING) !== 0) Atomics.notify(i32, this.at + BELL, 1);
  }

  /** Which host worker runs: a caller compares it before and while it waits. */
  get generation() {
    return Atomics.load(this.i32, this.at + GENERATION);
  }

  /**
   * The generation of a running host worker, waiting (blocking, up to
   * `timeoutMs`) while one is being replaced; odd if it is still being
   * replaced then, or if there will be none (down). Workers only.
   */
  running(timeoutMs) {
    const i32 = this.i32;
    const end = now() + timeoutMs;
    for (;;) {
      const g = Atomics.load(i32, this.at + GENERATION);
      const left = end - now();
      if ((g & 1) === 0 || left <= 0 || this.down) return g;
      Atomics.wait(i32, this.at + GENERATION, g, left);
    }
  }

  /** True when no host worker will answer any more. */
  get down() {
    return Atomics.load(this.i32, this.at + DOWN) !== 0;
  }

  // ---- the host worker -----------------------------------------------------

  /**
   * Whether the host worker that started serving at `generation` is still
   * the one the page runs: false once the page replaces it or closes (the
   * generation moves, or is odd). It then stops serving and returns to its
   * event loop, where a browser's terminate() takes effect at once.
   */
  isCurrent(generation) {
    return (generation & 1) === 0 && Atomics.load(this.i32, this.at + GENERATION) === generation;
  }

  /** The bell's count now: take it before looking at the rings. */
  get bell() {
    return Atomics.load(this.i32, this.at + BELL);
  }

  /** Spins up to `micros` µs for the bell to move from `seen`; true if it did. */
  spin(seen, micros) {
    const i32 = this.i32;
    const at = this.at + BELL;
    const end = now() + micros / 1000;
    for (;;) {
      // The clock is read once per 64 loads: it costs more than a load.
      for (let i = 0; i < 64; i++) if (Atomics.load(i32, at) !== seen) return true;
      if (now() >= end) return false;
    }
  }

  /** Sleeps until the bell moves from `seen` (or `timeoutMs` passes). Blocks. */
  park(seen, timeoutMs = Infinity) {
    const i32 = this.i32;
    Atomics.store(i32, this.at + SLEEPING, 1);
    if (Atomics.load(i32, this.at + BELL) === seen) Atomics.wait(i32, this.at + BELL, seen, timeoutMs);
    Atomics.store(i32, this.at + SLEEPING, 0);
  }

  /** park() without blocking the thread: the host worker's event loop runs meanwhile. */
  async parkAsync(seen, timeoutMs = Infinity) {
    const i32 = this.i32;
    Atomics.store(i32, this.at + SLEEPING, 1);
    try {
      // Atomics.waitAsync, or polling where an engine lacks it (wait.js).
      if (Atomics.load(i32, this.at + BELL) === seen) await parkAsync(i32, this.at + BELL, seen, timeoutMs);
    } finally {
      Atomics.store(i32, this.at + SLEEPING, 0);
    }
  }

  /** Before a handler of task `taskId` runs. */
  beginServing(taskId) {
    Atomics.store(this.i32, this.at + SERVING, taskId);
  }

  /**
   * After it returned: false if the page has meanwhile decided to stop this
   * host worker (the task ended while its handler ran): then it must touch
   * nothing more and wait for its end (waitForEnd).
   */
  endServing(taskId) {
    return Atomics.compareExchange(this.i32, this.at + SERVING, taskId, 0) === taskId;
  }

  /** Waits to be terminated, touching nothing. */
  waitForEnd() {
    for (;;) Atomics.wait(this.i32, this.at + SERVING, STOPPING);
  }

  // ---- the page -------------------------------------------------------------

  /**
   * Task `taskId` ended: true if its handler is running now, in which case
   * the host worker is claimed for stopping (it will not answer; terminate
   * and replace it). Whoever swaps SERVING first decides, as with the run
   * word of compute workers (protocol.js RUN).
   */
  claimIfServing(taskId) {
    return Atomics.compareExchange(this.i32, this.at + SERVING, taskId, STOPPING) === taskId;
  }

  /**
   * The running host worker is to be replaced (generation odd): callers
   * waiting for its answers give up, new callers wait. Then, once it is
   * gone, replaced() (even again: new callers send, the next host worker
   * reads what they sent).
   */
  replacing() {
    Atomics.add(this.i32, this.at + GENERATION, 1);
    Atomics.notify(this.i32, this.at + GENERATION);
  }

  replaced() {
    this.replacing(); // the same step: odd to even
  }

  /** A new host worker starts: nothing is being served. */
  resetServing() {
    Atomics.store(this.i32, this.at + SERVING, 0);
  }

  /** No host worker from now on: calls fail at once, and callers waiting give up. */
  markDown() {
    Atomics.store(this.i32, this.at + DOWN, 1);
    Atomics.add(this.i32, this.at + GENERATION, 2); // moves, and keeps its parity
    Atomics.notify(this.i32, this.at + GENERATION);
  }

  /** For inspect(): the block as numbers. */
  snapshot() {
    const i32 = this.i32;
    return {
      bell: Atomics.load(i32, this.at + BELL),
      sleeping: Atomics.load(i32, this.at + SLEEPING) !== 0,
      generation: Atomics.load(i32, this.at + GENERATION),
      down: Atomics.load(i32, this.at + DOWN) !== 0,
      serving: Atomics.load(i32, this.at + SERVING),
    };
  }
}
