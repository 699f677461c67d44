// bindings-js/src/rings/module.js — loading sabq.wasm and instantiating it against a
// shared WebAssembly.Memory. sabq.wasm has no data segment and no globals, so
// it can run in the memory of any app (or an emscripten module) without
// writing a byte it was not asked to.

import { nodeOnly } from '../coordinator/platform.js';

let compiled; // Promise<WebAssembly.Module>, shared by every instance in this thread

async function wasmBytes() {
  // The form Vite and webpack turn into the URL of sabq.wasm copied into the app.
  // sabq.wasm sits in src/, one folder above each layer's files, so the path
  // is also right from the folder of an esbuild bundle (docs/plugins.md, Bundlers).
  const url = new URL('../sabq.wasm', import.meta.url);
  if (url.protocol === 'file:') {
    const { readFile } = await nodeOnly('node:fs/promises');
    return readFile(url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`sabq: cannot load ${url}: HTTP ${res.status}`);
  return res.arrayBuffer();
}

/**
 * The compiled sabq.wasm module. Compile once, then pass it to workers
 * (WebAssembly.Module is structured-cloneable) so they skip compilation.
 */
export function compileSabq() {
  compiled ??= wasmBytes().then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}

const now = typeof performance !== 'undefined' ? () => performance.now() : () => Date.now();

/** sabq.wasm instantiated against one shared memory, in one thread. */
export class Sabq {
  /**
   * @param {WebAssembly.Memory} memory a shared memory ({shared: true})
   * @param {{module?: WebAssembly.Module}} [options] a module compiled elsewhere
   */
  static async instantiate(memory, options = {}) {
    if (!(memory instanceof WebAssembly.Memory) || !(memory.buffer instanceof SharedArrayBuffer)) {
      throw new TypeError('sabq: memory must be a shared WebAssembly.Memory ({shared: true})');
    }
    const module = options.module ?? (await compileSabq());
    const instance = await WebAssembly.instantiate(module, {
      env: { memory, sabq_now_ns: () => BigInt(Math.round(now() * 1e6)) },
    });
    return new Sabq(memory, instance.exports);
  }

  constructor(memory, exports) {
    this.memory = memory;
    this.exports = exports;
  }

  // Views over the memory. Reading memory.buffer costs tens of nanoseconds
  // (V8 makes a new SharedArrayBuffer object each time), so the views are
  // cached. A shared memory never shrinks and its old buffers stay valid, so
  // a view only needs replacing when something beyond its end is used: every
  // ring calls ensure() for its own bytes when it is created or attached.

  /** Makes the cached views cover bytes up to `end` (after the memory grew). */
  ensure(end) {
    if (this._u8 === undefined || end > this._u8.length) {
      const buffer = this.memory.buffer;
      this._u8 = new Uint8Array(buffer);
      this._u32 = new Uint32Array(buffer);
      this._i32 = new Int32Array(buffer);
    }
  }

  /** An Int32Array over the memory (for Atomics.wait/notify). */
  get i32() {
    if (this._i32 === undefined) this.ensure(0);
    return this._i32;
  }

  get u8() {
    if (this._u8 === undefined) this.ensure(0);
    return this._u8;
  }

  get u32() {
    if (this._u32 === undefined) this.ensure(0);
    return this._u32;
  }
}
