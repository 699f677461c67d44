// bindings-js/src/coordinator/pipes.js — pipes the coordinator hands out from its arena,
// and their host ends. A pipe may be used by several parties at once (two
// pipeline stages, a plugin and the page reading its stdout); each holds it
// under a token of its own and drops that token exactly once. The last drop
// returns the memory to the arena: the one place a pipe's lifetime is counted.

import { Pipe } from '../rings/pipe.js';
import { END } from '../rings/region.js';
import { AGAIN, now, waitOn, waitOptions } from '../rings/wait.js';

export const PIPE_BYTES = 1 << 16;

export class PipeLease {
  /** A new pipe of `bytes` in `arena`, held by `holder`. */
  static create(sabq, arena, holder, bytes = PIPE_BYTES) {
    const pipe = Pipe.create(sabq, arena.alloc(Pipe.size(sabq, bytes)), bytes);
    return new PipeLease(pipe, arena).hold(holder);
  }

  constructor(pipe, arena) {
    this.pipe = pipe;
    this.arena = arena;
    this.holders = new Set();
    this.freed = false;
  }

  hold(holder) {
    if (this.freed) throw new Error('sabq: pipe already returned to the arena');
    this.holders.add(holder);
    return this;
  }

  /** `holder` lets go; the pipe goes back to the arena when nobody holds it. Idempotent per holder. */
  drop(holder) {
    if (!this.holders.delete(holder) || this.holders.size > 0) return;
    this.freed = true;
    this.arena.release(this.pipe.offset);
  }
}

const CHUNK = 1 << 16;

/**
 * A ReadableStream of Uint8Array chunks from a pipe's read end, read without
 * blocking this thread. At the end, or when cancelled, it closes the pipe (a
 * writer still going gets EPIPE) and drops `holder` — after a read still in
 * flight has withdrawn its wait (the pipe's memory may be reused at once).
 * `answers` (an AnswerSpin, optional) may take chunks for it while a read is
 * parked.
 */
export function readableFrom(lease, holder, answers) {
  let done = false;
  let parked = false; // a pull waits, and has taken nothing from the pipe
  let reading = Promise.resolve();
  let controller;
  const finish = async () => {
    if (done) return;
    done = true;
    lease.pipe.close(); // wakes a read in flight, which then sees the end
    await reading.catch(() => {});
    lease.drop(holder);
  };
  // A chunk now, for AnswerSpin: only while a pull is parked (otherwise the
  // stream has what it asked for, or its next pull looks at once). The
  // parked read, once woken, reads what comes after: this thread reads the
  // pipe in one order whoever calls. The end, and an error (a corrupt pipe),
  // are left to that read: they belong to the stream, not to the write.
  answers?.attach(() => {
    if (!parked || done) return STOP;
    let chunk;
    try {
      chunk = lease.pipe.read(CHUNK);
    } catch {
      return STOP;
    }
    if (chunk === null) return null;
    if (chunk === END) return STOP;
    controller.enqueue(chunk); // Pipe.read's own array, sized to what it read
    return chunk;
  });
  return new ReadableStream({
    start(c) {
      controller = c;
    },
    async pull() {
      if (done) return;
      // Pipe.readAsync, but `parked` ends the moment this read takes
      // something: what it took reaches the stream only a microtask later,
      // and a look by AnswerSpin meanwhile would hand the stream a later
      // chunk first.
      parked = true;
      const pipe = lease.pipe;
      reading = waitOn(pipe.sabq, pipe.readable, () => {
        const got = pipe.read(CHUNK);
        if (got === null) return AGAIN;
        parked = false;
        return got;
      });
      let chunk;
      try {
        chunk = await reading;
      } finally {
        parked = false;
      }
      if (done) return; // cancelled meanwhile
      if (chunk === END) {
        controller.close();
        await finish();
      } else if (chunk !== null) {
        controller.enqueue(chunk); // Pipe.read's own array: no copy needed
      }
    },
    cancel: finish,
  });
}

const STOP = Symbol('stop');
const MAX_SKIP = 64;

/**
 * Catches a plugin's answer to a write on its stdin while this thread still
 * runs, instead of after the event loop's next turn. A stream's read of the
 * plugin's stdout parks in Atomics.waitAsync as soon as the stream asks for
 * more — long before the page writes the next line — and a parked read's
 * wake-up is a task: tens of microseconds in Node (the thread sleeps in its
 * event loop and is woken through the OS), and the plugin's worker, done
 * spinning meanwhile, parks too, so the next line pays a second wake-up.
 * After a write, afterWrite() looks at the stdout pipe for up to
 * waitOptions.answerSpinMicros and hands what it finds to the stream.
 *
 * A plugin that does not answer writes at once (one that reads all its input
 * first) would cost a full spin per write: after two spins in a row that
 * found nothing the next write does not spin, after three the next 2, then
 * 4 … 64; an answer found resets that. (A single miss is common with an
 * interactive plugin: its worker parked while this thread was away, and its
 * wake-up took longer than the spin.)
 */
export class AnswerSpin {
  constructor() {
    this.take = null;
    this.skip = 0; // writes that will not spin
    this.backoff = 0; // the next skip after a miss
    this.misses = 0; // spins in a row that found nothing
  }

  /** The stream's way to take a chunk now (readableFrom). */
  attach(take) {
    this.take = take;
  }

  afterWrite() {
    const micros = Math.min(100, waitOptions.answerSpinMicros);
    if (this.take === null || !(micros > 0)) return;
    if (this.skip > 0) {
      this.skip--;
      return;
    }
    const end = now() + micros / 1000;
    let got;
    do {
      got = this.take();
    } while (got === null && now() < end);
    if (got === STOP) return;
    if (got !== null) {
      this.misses = 0;
      this.backoff = 0;
    } else if (++this.misses >= 2) {
      this.backoff = Math.min(MAX_SKIP, this.backoff * 2 || 1);
      this.skip = this.backoff;
    }
  }
}

/** Writes `data` (string, bytes, Response, (async) iterable of chunks) into a pipe, awaiting room. */
export async function writeAllAsync(pipe, data) {
  if (data === undefined || data === null) return;
  if (typeof data === 'string' || ArrayBuffer.isView(data) || data instanceof ArrayBuffer) {
    await pipe.writeAsync(data);
    return;
  }
  if (typeof Blob !== 'undefined' && data instanceof Blob) data = data.stream();
  if (typeof Response !== 'undefined' && data instanceof Response) data = data.body;
  if (data && (typeof data[Symbol.asyncIterator] === 'function' || typeof data[Symbol.iterator] === 'function')) {
    for await (const chunk of data) await pipe.writeAsync(chunk);
    return;
  }
  await pipe.writeAsync(String(data));
}

export async function readAllBytes(stream) {
  const parts = [];
  let n = 0;
  for await (const chunk of stream) {
    parts.push(chunk);
    n += chunk.length;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
