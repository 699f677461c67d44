// bindings-js/src/coordinator/inspect.js — a snapshot of a coordinator's state for
// diagnosing a hang: every task (its state, worker, age and the pipes it
// holds, with their fill and waiter counts), every worker (started, ready,
// stopping, its run word), the arena, and what close() still waits for.
// Plain data, safe to JSON.stringify; the shape is for people, not programs,
// and may change between versions.

import { RUN } from './protocol.js';

const RUN_NAMES = Object.fromEntries(Object.entries(RUN).map(([name, v]) => [v, name]));
const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

function pipeState(lease) {
  if (!lease) return null;
  if (lease.freed) return { offset: lease.pipe.offset, freed: true };
  const p = lease.pipe;
  return { offset: p.offset, used: p.used, closed: p.closed, waiters: p.waiters, holders: [...lease.holders].map(String) };
}

function workerState(w, sabq) {
  return {
    id: w.id,
    ephemeral: w.ephemeral,
    thread: !!w.thread,
    ready: !!w.isReady,
    dead: w.dead,
    stopping: w.stopping ?? null,
    task: w.task?.id ?? null,
    run: RUN_NAMES[Atomics.load(sabq.i32, w.run >> 2)] ?? 'corrupt',
    hostRingOps: w.ringOps?.size ?? 0,
    requests: { used: w.requests.used, waiters: w.requests.waiters },
    replies: { used: w.replies.used, waiters: w.replies.waiters },
  };
}

/** The snapshot of `c` (a Coordinator): see the file comment. */
export function inspect(c) {
  if (!c.dispatch) return { ready: false, closed: c.closed };
  const sabq = c.ctx.sabq;
  const t = now();
  const tasks = [...c.dispatch.tasks.values()].map((task) => ({
    id: task.id,
    what: task.spec.kind === 'js' ? `js ${task.spec.export}` : [task.spec.name, ...task.spec.args].join(' '),
    state: task.state,
    worker: task.worker?.id ?? null,
    ageMs: Math.round(t - task.createdAt),
    runningMs: task.startedAt === undefined ? null : Math.round(t - task.startedAt),
    pipes: task.pipes ? Object.fromEntries(Object.entries(task.pipes).map(([k, l]) => [k, pipeState(l)])) : null,
  }));
  return {
    closed: c.closed,
    tasks,
    spin: c.pool.spin,
    workers: [...c.pool.workers].map((w) => workerState(w, sabq)),
    retiring: [...c.pool.retiring].map((w) => workerState(w, sabq)),
    queue: { used: c.dispatch.queue.used, waiters: c.dispatch.queue.waiters },
    arena: { usedBytes: c.ctx.arena.used, regions: c.ctx.arena.inUse.size, memoryBytes: c.memory.buffer.byteLength },
    hostNestedRuns: c.host.nested,
    hostWorker: c.hostThread ? c.hostThread.inspect() : null,
  };
}
