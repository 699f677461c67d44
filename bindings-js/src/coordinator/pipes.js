// bindings-js/src/coordinator/pipes.js — pipes the coordinator hands out from its arena,
// and their host ends. A pipe may be used by several parties at once (two
// pipeline stages, a plugin and the page reading its stdout); each holds it
// under a token of its own and drops that token exactly once. The last drop
// returns the memory to the arena: the one place a pipe's lifetime is counted.

import { Pipe } from '../rings/pipe.js';
import { END } from '../rings/region.js';

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
 */
export function readableFrom(lease, holder) {
  let done = false;
  let reading = Promise.resolve();
  const finish = async () => {
    if (done) return;
    done = true;
    lease.pipe.close(); // wakes a read in flight, which then sees the end
    await reading.catch(() => {});
    lease.drop(holder);
  };
  return new ReadableStream({
    async pull(controller) {
      if (done) return;
      reading = lease.pipe.readAsync(CHUNK);
      const chunk = await reading;
      if (done) return; // cancelled meanwhile
      if (chunk === END) {
        controller.close();
        await finish();
      } else if (chunk !== null) {
        controller.enqueue(chunk.slice());
      }
    },
    cancel: finish,
  });
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
