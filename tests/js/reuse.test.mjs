// tests/js/reuse.test.mjs — memory goes back to the arena only after every
// wait this thread announced on it has been withdrawn. A wait withdrawn late
// takes its count from the memory's next owner (a pipe or ring allocated at
// the same offset), whose reader may then sleep through its data: the hang
// the lifecycle test once hit in round 1, after round 0's worker was killed.
//
// Each test watches the arena: when a region it cares about is released, it
// reads the waiter counts of that region's two events. Nothing else can be
// waiting on them at that point (the worker's thread is gone), so both must
// be 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Coordinator, layout } from 'sabq';
import { plugin } from './plugins.mjs';
import { PipeLease, readableFrom } from '../../bindings-js/src/coordinator/pipes.js';

/** Records the waiter counts of each watched region as the arena gets it back. */
function watchReleases(c) {
  const watched = new Set();
  const seen = new Map();
  const arena = c.ctx.arena;
  const release = arena.release.bind(arena);
  const u32 = () => new Uint32Array(c.memory.buffer);
  arena.release = (offset) => {
    if (watched.has(offset)) {
      seen.set(offset, {
        readable: u32()[(offset + layout.READABLE_WAITERS) >> 2],
        writable: u32()[(offset + layout.WRITABLE_WAITERS) >> 2],
      });
    }
    return release(offset);
  };
  return {
    watch: (offset) => watched.add(offset),
    /** Resolves with the counts once `offset` is back in the arena. */
    async at(offset, ms = 10_000) {
      const end = Date.now() + ms;
      while (!seen.has(offset)) {
        if (Date.now() > end) throw new Error(`region ${offset} never went back to the arena`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return seen.get(offset);
    },
  };
}

test('a worker killed under its host server: its request ring goes back with no wait announced on it', async () => {
  const c = await Coordinator.create({ workers: 1 });
  try {
    const releases = watchReleases(c);
    for (let round = 0; round < 20; round++) {
      const [w] = c.pool.workers;
      await w.ready;
      // Idle: the host server is parked on the worker's request ring.
      await new Promise((resolve) => setTimeout(resolve, 5));
      releases.watch(w.requests.offset);
      // Killed from outside (as a crash): by the time the pool hears of it the
      // thread is gone, and only this thread's own wait can be left.
      await w.thread.terminate();
      const counts = await releases.at(w.requests.offset);
      assert.deepEqual(counts, { readable: 0, writable: 0 }, `round ${round}`);
      while (c.pool.size < 1 || ![...c.pool.workers][0].isReady) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    await c.close();
  }
});

test('stdin written while the program exits without reading it: EPIPE, and the pipe goes back with no wait on it', async () => {
  const c = await Coordinator.create({ workers: 1 });
  try {
    await c.load('gen', plugin('gen'));
    const releases = watchReleases(c);
    const p = c.spawn('gen', { args: ['3'] }); // never reads stdin
    releases.watch(p._stdin.pipe.offset);
    const written = p.write(new Uint8Array(4 << 20)); // far more than the pipe holds: waits for room
    assert.equal((await p.text()).stdout, '1\n2\n3\n');
    await assert.rejects(written, { code: 'EPIPE' });
    assert.deepEqual(await releases.at(p._stdin.pipe.offset), { readable: 0, writable: 0 });
    await assert.rejects(p.write('late'), { code: 'EPIPE' }, 'a write after the end is refused, not written into freed memory');
    p.closeStdin(); // harmless after the end
  } finally {
    await c.close();
  }
});

test('a pipe stream cancelled while a read waits: the pipe goes back only after the read has withdrawn', async () => {
  const c = await Coordinator.create({ workers: 1 });
  try {
    const releases = watchReleases(c);
    // The stream is the pipe's only holder here, so its cancel returns the
    // memory (inside a process, the task would still hold it until quiet).
    const lease = PipeLease.create(c.ctx.sabq, c.ctx.arena, 'reader');
    releases.watch(lease.pipe.offset);
    const reader = readableFrom(lease, 'reader').getReader();
    const pending = reader.read(); // parks on the empty pipe
    await new Promise((resolve) => setTimeout(resolve, 20));
    await reader.cancel();
    assert.equal((await pending).done, true);
    assert.deepEqual(await releases.at(lease.pipe.offset), { readable: 0, writable: 0 });
  } finally {
    await c.close();
  }
});
