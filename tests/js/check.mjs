// tests/js/check.mjs — assertions for scenarios that run both in Node and in
// browsers (no node:assert there): each throws an Error saying what differed.
import { TaskError } from '../../bindings-js/src/index.js';

export function check(ok, message) {
  if (!ok) throw new Error(message);
}

/** Equal as JSON. */
export function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  check(a === e, `${what}: got ${a}, expected ${e}`);
}

/** `promise` rejects with a TaskError of `code`; returns the error. */
export async function rejectsWith(promise, code, what) {
  try {
    await promise;
  } catch (e) {
    check(e instanceof TaskError, `${what}: rejected with ${e}, not a TaskError`);
    equal(e.code, code, `${what}: error code (${e.message})`);
    return e;
  }
  throw new Error(`${what}: expected a rejection with ${code}`);
}
