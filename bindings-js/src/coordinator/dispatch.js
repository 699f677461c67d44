// bindings-js/src/coordinator/dispatch.js — tasks on their way through the pool: ids go
// into the shared MPMC queue that idle workers pull from; a worker claims an
// id and gets the task by postMessage (it may be large, or hold
// transferables); the worker's report ends it. Cancelling, timing out and a
// crashing worker end a task here too, each exactly once (Task.settle).

import { MpmcQueue } from '../rings/mpmc.js';
import { SabqError, TaskError } from '../rings/errors.js';
import { Task } from './task.js';
import { make } from './protocol.js';

/** A task id as the 4 bytes a queue slot carries. */
const idBytes = (task) => new Uint8Array(new Uint32Array([task.id]).buffer);

export class Dispatcher {
  /**
   * @param {object} o
   * @param {import('../rings/module.js').Sabq} o.sabq
   * @param {import('./arena.js').Arena} o.arena
   * @param {number} o.queueSlots
   * @param {() => import('./pool.js').WorkerPool} o.pool
   * @param {(task: Task) => void} [o.onStopped] a running task was stopped (timeout, cancel) or its worker died
   */
  constructor({ sabq, arena, queueSlots, pool, onStopped }) {
    this.queue = MpmcQueue.create(sabq, arena.alloc(MpmcQueue.size(sabq, queueSlots, 8)), queueSlots, 8);
    this.pool = pool;
    this.onStopped = onStopped;
    this.tasks = new Map();
    this.nextId = 1;
    this.closed = false;
  }

  get(id) {
    return this.tasks.get(id);
  }

  /**
   * A new task for `spec`, queued for the pool — or, `ephemeral`, for a
   * worker of its own (nested runs must never wait for a pool their callers
   * occupy). `prepare` (async, optional) runs first; the task starts after it.
   */
  submit(spec, { timeoutMs, signal, grants, depth, ephemeral = false, prepare = null } = {}) {
    if (this.closed) throw new TaskError('ECLOSED', 'Coordinator is closed');
    const task = new Task(this.nextId++, spec, { timeoutMs, grants, depth });
    this.tasks.set(task.id, task);
    task.promise.catch(() => {}).finally(() => this.tasks.delete(task.id));
    if (signal) {
      const onAbort = () => this.abort(task, new TaskError('ECANCELED', `task ${task.id} was cancelled`, signal.reason));
      if (signal.aborted) queueMicrotask(onAbort);
      else signal.addEventListener('abort', onAbort, { once: true });
      task.promise.catch(() => {}).finally(() => signal.removeEventListener('abort', onAbort));
    }
    this.pool().keepAlive(true);
    task.promise.catch(() => {}).finally(() => this.pool().keepAlive(this.tasks.size > 0));
    // The common case at once: no prepare step, a started pool, room in the
    // queue. No promise or microtask per task, which a page submitting a
    // thousand in a loop would pay for in one long task.
    if (!prepare && !ephemeral && this.queue.push(idBytes(task))) return task;
    (async () => {
      if (prepare) await prepare(task);
      if (task.done) return;
      if (ephemeral) {
        const w = this.pool().start(true);
        task.own(() => this.pool().retire(w));
        await w.ready;
        w.queue.push(idBytes(task));
      } else {
        await this._enqueue(task);
      }
    })().catch((e) => this._failEnqueue(task, e));
    return task;
  }

  /** Puts a queued task's id into the pool's queue, waiting for room without blocking. */
  async _enqueue(task) {
    const id = idBytes(task);
    if (!this.queue.push(id) && !(await this.queue.pushAsync(id))) throw new Error('queue push failed');
  }

  _failEnqueue(task, e) {
    task.settle(null, e instanceof SabqError && e.code === 'EPIPE' ? new TaskError('ECLOSED', 'Coordinator is closed') : e);
  }

  /** A worker popped `taskId`: hand it the task, or tell it to skip. */
  claim(w, taskId) {
    const task = this.tasks.get(taskId);
    if (w.dead) {
      // Popped by a worker stopped before its claim arrived (a crash, or
      // one that was being retired): the task goes back in the queue for
      // another. (An ephemeral worker's task ends with its worker.)
      if (task?.state === 'queued' && !w.ephemeral) this._enqueue(task).catch((e) => this._failEnqueue(task, e));
      return;
    }
    if (!task || task.state !== 'queued') {
      w.post(make('toWorker', 'skip', { taskId }));
      return;
    }
    w.task = task;
    w.markBusy();
    task.started(w, (error) => this.abort(task, error));
    w.post(make('toWorker', 'task', { taskId, spec: task.spec }), task.transfer);
  }

  /** The worker reported the end of `taskId`. */
  finished(w, taskId, value, error, files) {
    const task = this.tasks.get(taskId);
    if (w.task?.id === taskId) w.task = null;
    if (!task) return;
    task.files = files ?? null;
    task.settle(value, error);
  }

  /**
   * Cancel or time out: a queued task is dropped when claimed; a running one
   * takes its worker with it (a blocked or busy worker cannot be interrupted
   * any other way), and a fresh worker replaces it.
   */
  abort(task, error) {
    if (task.done) return;
    const w = task.state === 'running' && task.worker?.task === task ? task.worker : null;
    if (w) w.task = null;
    // Only a worker still busy with this task is stopped. One that has
    // finished it (its report not read yet) touches none of the task's
    // memory any more, and may already have taken its next task from the
    // queue: stopping it would lose that one.
    const gone = w && w.stopRunning() ? this.pool().replace(w, !this.closed) : undefined;
    task.settle(null, error, gone);
    if (w) this.onStopped?.(task);
  }

  /** A worker died: its task fails with ECRASHED; the pool replaces it. */
  crashed(w, error) {
    if (w.dead) return;
    const task = w.task;
    w.task = null;
    const gone = this.pool().replace(w, !this.closed);
    task?.settle(null, new TaskError('ECRASHED', `worker died running task ${task.id}: ${error?.message ?? error}`, error), gone);
    if (task) this.onStopped?.(task);
  }

  /** Ends every task with ECLOSED once `gone` (every worker stopped). */
  close(gone) {
    this.closed = true;
    this.queue.close();
    for (const task of [...this.tasks.values()]) task.settle(null, new TaskError('ECLOSED', 'Coordinator closed'), gone);
  }
}
