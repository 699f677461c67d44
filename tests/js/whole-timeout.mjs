// tests/js/whole-timeout.mjs — what STRESS_WAIT does in the C stress tests,
// for the JS ones: a wait that returns only once its whole timeout has passed
// was never woken. Its last try after the deadline may still succeed, which
// would hide a lost wake-up as a mere delay; these wrappers make it a failure.
// No Node imports: the browser ring test uses them too.

const now = () => performance.now();

function late(what, timeoutMs, took, result) {
  return new Error(`${what} returned ${String(result)} only after its whole timeout ` +
    `(${took.toFixed(0)} of ${timeoutMs} ms): a lost wake-up`);
}

/** Calls wait() (a blocking call given timeoutMs); throws if it returned only after that timeout. */
export function woken(what, timeoutMs, wait) {
  const t0 = now();
  const result = wait();
  const took = now() - t0;
  if (took >= timeoutMs) throw late(what, timeoutMs, took, result);
  return result;
}

/** woken() for a promise-returning wait. */
export async function wokenAsync(what, timeoutMs, wait) {
  const t0 = now();
  const result = await wait();
  const took = now() - t0;
  if (took >= timeoutMs) throw late(what, timeoutMs, took, result);
  return result;
}
