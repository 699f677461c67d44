// bindings-js/src/rings/errors.js — sabq's negative errno results as JavaScript errors.
import { errno, strerror } from './layout.js';

// Both tables are generated from the C (sabq.wasm's numbers, sabq_strerror's words).
const names = Object.fromEntries(Object.entries(errno).map(([name, n]) => [n, name]));

/** An error from sabq: `code` is the errno name ('EPIPE'), `errno` the negative number. */
export class SabqError extends Error {
  constructor(rc, context) {
    const code = names[-rc] ?? `E${-rc}`;
    super(`${context}: ${strerror[code] ?? 'error'} (${code})`);
    this.name = 'SabqError';
    this.code = code;
    this.errno = rc;
  }
}

/** Throws a SabqError for a negative result; returns the result otherwise. */
export function check(rc, context) {
  if (rc < 0) throw new SabqError(rc, context);
  return rc;
}

/** Thrown (rejected) for tasks that did not complete. `code`: 'ETIMEDOUT',
 * 'ECANCELED', 'ECRASHED', 'ECLOSED', 'ETRAP' or 'ETHROWN'. */
export class TaskError extends Error {
  constructor(code, message, cause) {
    super(message, cause ? { cause } : undefined);
    this.name = code === 'ECANCELED' ? 'AbortError' : 'TaskError';
    this.code = code;
  }
}
