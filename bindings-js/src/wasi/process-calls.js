// bindings-js/src/wasi/process-calls.js — the preview1 calls that are not
// about fds: args_*, environ_*, clock_*, random_get, sched_yield and proc_raise, with
// every pointer checked (memory.js: a bad one is FAULT, not a trap).
// Arguments and environment are ours because their sizes must be UTF-8
// bytes (the shim counts UTF-16 units, so a non-ASCII argument would
// overrun the buffer libc sized); clocks keep the shim's answers behind the
// checks; proc_exit stays the shim's (system.js).

import { ERRNO, VALID } from './abi.js';
import { FsError, fail } from './fs/node.js';

const encoder = new TextEncoder();
const RANDOM_CHUNK = 65536; // getRandomValues fills at most this many bytes a call

/**
 * @param {object} shimImport the shim's wasi_snapshot_preview1 functions
 * @param {import('./memory.js').PluginMemory} mem
 * @param {{args: string[], env: string[]}} o
 */
export function processCalls(shimImport, mem, { args, env }) {
  const guard = (fn) => function wasiCall(...a) {
    try {
      return fn(...a) ?? ERRNO.SUCCESS;
    } catch (e) {
      if (e instanceof FsError) return e.errno;
      throw e;
    }
  };
  const argv = args.map((s) => encoder.encode(s));
  const envv = env.map((s) => encoder.encode(s));
  const bytesOf = (list) => list.reduce((n, b) => n + b.length + 1, 0);

  const sizes = (list) => guard((countPtr, sizePtr) => {
    mem.check(countPtr, 4);
    mem.check(sizePtr, 4);
    mem.u32(countPtr, list.length);
    mem.u32(sizePtr, bytesOf(list));
  });
  // The pointers at `ptrs`, each to a NUL-terminated string packed at `buf`.
  const vector = (list) => guard((ptrs, buf) => {
    const p = mem.check(ptrs, list.length * 4);
    let at = mem.check(buf, bytesOf(list));
    list.forEach((bytes, i) => {
      mem.view.setUint32(p + i * 4, at, true);
      mem.u8.set(bytes, at);
      mem.u8[at + bytes.length] = 0;
      at += bytes.length + 1;
    });
  });
  const clock = (name) => guard((id, ...rest) => {
    valid(id, VALID.CLOCKID, 'clock id');
    const at = mem.check(rest[rest.length - 1], 8); // unsigned: the shim's DataView refuses a negative one
    return shimImport[name](id, ...rest.slice(0, -1), at);
  });

  return {
    args_sizes_get: sizes(argv),
    args_get: vector(argv),
    environ_sizes_get: sizes(envv),
    environ_get: vector(envv),
    clock_res_get: clock('clock_res_get'),
    clock_time_get: clock('clock_time_get'),
    // Filled from crypto through a buffer of our own: getRandomValues refuses
    // a view of shared memory, and a plugin's memory may be shared.
    random_get: guard((buf, len) => {
      const at = mem.check(buf, len);
      const n = len >>> 0;
      const chunk = new Uint8Array(Math.min(n, RANDOM_CHUNK));
      for (let done = 0; done < n; done += chunk.length) {
        const part = chunk.subarray(0, Math.min(chunk.length, n - done));
        if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(part);
        else for (let i = 0; i < part.length; i++) part[i] = (Math.random() * 256) | 0;
        mem.u8.set(part, at + done);
      }
    }),
    // Nothing to yield to: the plugin has its worker to itself (the shim's returns no errno at all).
    sched_yield: () => ERRNO.SUCCESS,
    // Signals are not delivered: NOTSUP, as wasmtime (the shim throws, which traps).
    proc_raise: guard((sig) => {
      valid(sig, VALID.SIGNAL, 'signal');
      fail(ERRNO.NOTSUP, 'signals are not delivered');
    }),
  };
}

function valid(value, max, what) {
  if (value < 0 || value > max) fail(ERRNO.INVAL, `bad ${what}`);
}
