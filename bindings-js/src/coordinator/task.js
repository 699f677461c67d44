// bindings-js/src/coordinator/task.js — one unit of work from submission to its end:
// queued, running in a worker, done. A task owns what its run holds (stdio
// pipes, host-call answer pipes, an ephemeral worker) and releases each once,
// in one place, after it has ended and no worker can touch its memory any
// more — however it ended (result, error, cancel, timeout, crash, close).

import { TaskError } from '../rings/errors.js';

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export class Task {
  /**
   * @param {number} id
   * @param {object} spec what the worker runs (protocol 'task' message's spec)
   * @param {object} [o]
   * @param {number} [o.timeoutMs] limit on running time (its clock starts at claim)
   * @param {object} [o.grants] what the task may reach through /host (host-rpc.js)
   * @param {number} [o.depth] how many /host/run calls deep it was started
   */
  constructor(id, spec, { timeoutMs, grants, depth = 0 } = {}) {
    this.id = id;
    this.spec = spec;
    this.timeoutMs = timeoutMs;
    this.grants = grants;
    this.depth = depth;
    this.state = 'queued';
    this.worker = null;
    this.timer = null;
    this.files = null; // mounts collected at the end ({mount: {entries, changes}})
    this.onFileClosed = null;
    this.owned = [];
    this.createdAt = now();
    this.startedAt = undefined;
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Nobody may be listening (a pipeline stage's handle, a task cut short by
    // close()): a rejection must not become an unhandled one. Callers who
    // await the promise still see it.
    this.promise.catch(() => {});
    /** Resolves once no worker can touch the task's memory any more. */
    this.quiet = new Promise((resolve) => {
      this.setQuiet = resolve;
    });
  }

  get done() {
    return this.state === 'done';
  }

  /** `release()` runs once, after the task has ended and is quiet. */
  own(release) {
    if (this.done && this.released) release();
    else this.owned.push(release);
  }

  /**
   * Ends the task once: with `error` (a TaskError or what the task threw) or
   * `value`. `gone` resolves when its worker can no longer touch its memory
   * (at once when the worker reported the end itself). Returns false if it
   * had already ended.
   */
  settle(value, error = null, gone = Promise.resolve()) {
    if (this.done) return false;
    this.state = 'done';
    clearTimeout(this.timer);
    if (error) this.reject(error);
    else this.resolve(value);
    Promise.resolve(gone).catch(() => {}).then(() => {
      this.released = true;
      const owned = this.owned;
      this.owned = [];
      for (const release of owned) release();
      this.setQuiet();
    });
    return true;
  }

  /** Starts the running-time clock; `onTimeout` ends the task. */
  started(worker, onTimeout) {
    this.state = 'running';
    this.worker = worker;
    this.startedAt = now();
    if (this.timeoutMs !== undefined) {
      this.timer = setTimeout(() => onTimeout(new TaskError('ETIMEDOUT', `task ${this.id} timed out after running ${this.timeoutMs} ms`)), this.timeoutMs);
    }
  }
}
