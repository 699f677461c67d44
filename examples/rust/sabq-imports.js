// examples/rust/sabq-imports.js — the JavaScript half of the Rust host's raw
// imports (module "sabq", see examples/rust/src/sabq_pipe.rs): the C names and
// contracts of include/sabq/pipe.h, over the JS binding's Pipe. A Rust
// module's memory is its own and not shared, while the pipes live in the
// shared memory of sabq.wasm; so a pipe is named by a handle (its index in
// `pipes`) and each call copies once between the two memories. This is the
// snippet a wasm-bindgen app imports with #[wasm_bindgen(module = ...)].
// Worker only: the calls block.

const FOREVER = 0xffff_ffff_ffff_ffffn; // SABQ_FOREVER

/** Nanoseconds as the binding's milliseconds. A u64 arrives through an i64
 * import as a signed BigInt (SABQ_FOREVER as -1n): read it back unsigned. */
function toMs(timeoutNs) {
  const ns = BigInt.asUintN(64, timeoutNs);
  return ns === FOREVER ? Infinity : Number(ns) / 1e6;
}

/**
 * The `sabq` import module for a Rust instance. `pipes`: Pipe objects
 * attached on this thread, by handle. `memory()`: the Rust instance's memory,
 * looked up on each call because it may grow (and its buffer change).
 * `errno`: the binding's errno table. Every error is returned as a negative
 * errno, never thrown into the Rust code.
 */
export function sabqImports(pipes, memory, errno) {
  const pipeOf = (handle) => {
    const p = pipes[handle];
    if (!p) throw Object.assign(new Error(`no pipe ${handle}`), { errno: -errno.EINVAL });
    return p;
  };
  const bytes = (ptr, len) => new Uint8Array(memory().buffer, ptr, len);
  const asErrno = (e) => {
    if (typeof e?.errno === 'number') return e.errno;
    throw e; // not sabq's: a bug in this file, let it surface
  };
  return {
    sabq_pipe_read_wait(handle, ptr, len, timeoutNs) {
      try {
        const n = pipeOf(handle).readIntoWait(bytes(ptr, len), 0, len, toMs(timeoutNs));
        return n < 0 ? -errno.ETIMEDOUT : n;
      } catch (e) {
        return asErrno(e);
      }
    },
    sabq_pipe_write_all(handle, ptr, len, timeoutNs) {
      try {
        const n = pipeOf(handle).writeWait(bytes(ptr, len), toMs(timeoutNs));
        return n === 0 && len > 0 ? -errno.ETIMEDOUT : n;
      } catch (e) {
        return asErrno(e);
      }
    },
    sabq_pipe_close(handle) {
      pipes[handle]?.close();
    },
  };
}
