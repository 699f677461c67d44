// bindings-js/src/wasi/memory.js — the plugin's memory as the preview1 calls
// see it: every pointer and length a plugin passes is checked against the
// memory before it is used, so a bad one is EFAULT, never a trap (witx-docs
// lets a runtime trap there; wasmtime's wasi-common answered EFAULT, and a
// trap would cost the host the whole run: its files, its logs). A call checks
// its output pointers before it does anything, so a bad one changes nothing.

import { ERRNO } from './abi.js';
import { fail } from './fs/node.js';

const strict = new TextDecoder('utf-8', { fatal: true });

/** Views of the plugin's memory, renewed when it grows. */
export class PluginMemory {
  constructor() {
    this.memory = null;
    this.buffer = null;
  }

  bind(memory) {
    this.memory = memory;
  }

  refresh() {
    const buffer = this.memory.buffer;
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.u8 = new Uint8Array(buffer);
      this.view = new DataView(buffer);
    }
  }

  /**
   * `ptr` as the unsigned address it is (wasm passes i32 signed), after
   * checking that `len` bytes from it lie in the memory; FAULT otherwise.
   */
  check(ptr, len) {
    this.refresh();
    const at = ptr >>> 0;
    if (at + (len >>> 0) > this.u8.length) fail(ERRNO.FAULT, `${len >>> 0} bytes at ${at} are outside the plugin's memory`);
    return at;
  }

  /** Writes a u32 / u64 result at `ptr` (checked). */
  u32(ptr, value) {
    this.view.setUint32(this.check(ptr, 4), value, true);
  }

  u64(ptr, value) {
    this.view.setBigUint64(this.check(ptr, 8), BigInt(value), true);
  }

  /** The iovec array at `ptr` (n entries) as a flat [ptr, len, ...], every buffer checked. */
  iovs(ptr, n) {
    const count = n >>> 0;
    const base = this.check(ptr, count * 8);
    const out = new Array(count * 2);
    for (let i = 0; i < count; i++) {
      const at = this.view.getUint32(base + i * 8, true);
      const len = this.view.getUint32(base + i * 8 + 4, true);
      if (at + len > this.u8.length) fail(ERRNO.FAULT, 'an iovec reaches outside the plugin\'s memory');
      out[i * 2] = at;
      out[i * 2 + 1] = len;
    }
    return out;
  }

  /** The UTF-8 string at `ptr`; ILSEQ if it is not UTF-8 (as wasmtime). */
  string(ptr, len) {
    const at = this.check(ptr, len);
    try {
      return strict.decode(this.u8.slice(at, at + (len >>> 0))); // a copy: memory may be shared
    } catch {
      return fail(ERRNO.ILSEQ, 'a path that is not UTF-8');
    }
  }

  /** Copies `bytes` to `ptr` (checked). */
  set(ptr, bytes) {
    this.u8.set(bytes, this.check(ptr, bytes.length));
  }
}
