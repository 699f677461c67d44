// bindings-js/src/wasi/fs/charge.js — how the backends whose tree lives
// elsewhere (hostdir.js: the host's disk; opfs.js: the browser's storage)
// charge a mount's Quota (node.js). They only keep counters when a limit is
// set: counting a host tree costs a walk of it.

/** Does this quota limit anything that a backend must count? */
export const charging = (quota) => [quota.maxBytes, quota.maxFiles, quota.maxFileSize].some(Number.isFinite);

/** Must the existing tree be counted at mount (a limit on bytes or entries)? */
export const countsTree = (quota) => Number.isFinite(quota.maxBytes) || Number.isFinite(quota.maxFiles);

/**
 * Charges `delta` entries (NOSPC past maxFiles, before anything changes),
 * runs `change`, and gives them back if it fails. Returns what `change` does.
 */
export function withEntries(quota, delta, change) {
  quota.entries(delta);
  try {
    return change();
  } catch (e) {
    quota.entries(-delta);
    throw e;
  }
}
