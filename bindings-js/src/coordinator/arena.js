// bindings-js/src/coordinator/arena.js — hands out 64-byte-aligned regions of one shared
// memory for rings, and takes them back. First fit over a sorted free list,
// merging neighbours on free; grows the memory when nothing fits. Used by the
// one thread that owns the layout (the coordinator); other threads only attach.

import { layout } from '../rings/layout.js';

const PAGE = 65536;
const align = (n) => Math.ceil(n / layout.ALIGN) * layout.ALIGN;

export class Arena {
  /**
   * @param {WebAssembly.Memory} memory
   * @param {number} start first usable byte (> 0: offset 0 is C's null pointer)
   */
  constructor(memory, start = layout.ALIGN) {
    this.memory = memory;
    this.free = [{ at: align(start), size: memory.buffer.byteLength - align(start) }];
    this.inUse = new Map(); // offset -> size
  }

  /** A region of at least `size` bytes; its offset. Grows the memory if needed. */
  alloc(size) {
    size = align(size);
    for (;;) {
      const i = this.free.findIndex((b) => b.size >= size);
      if (i >= 0) {
        const block = this.free[i];
        const at = block.at;
        if (block.size === size) this.free.splice(i, 1);
        else Object.assign(block, { at: block.at + size, size: block.size - size });
        this.inUse.set(at, size);
        return at;
      }
      this._grow(size);
    }
  }

  /** Returns a region from alloc(). */
  release(at) {
    const size = this.inUse.get(at);
    if (size === undefined) throw new Error(`Arena.release: ${at} is not allocated`);
    this.inUse.delete(at);
    let i = this.free.findIndex((b) => b.at > at);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { at, size });
    // merge with the next, then the previous neighbour
    const next = this.free[i + 1];
    if (next && at + size === next.at) {
      this.free[i].size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.at + prev.size === at) {
      prev.size += this.free[i].size;
      this.free.splice(i, 1);
    }
  }

  /** Bytes handed out now. */
  get used() {
    let n = 0;
    for (const size of this.inUse.values()) n += size;
    return n;
  }

  _grow(size) {
    const oldEnd = this.memory.buffer.byteLength;
    const pages = Math.ceil(size / PAGE) + Math.ceil(oldEnd / PAGE / 2); // grow by at least half
    try {
      this.memory.grow(pages);
    } catch {
      try {
        this.memory.grow(Math.ceil(size / PAGE));
      } catch (e) {
        throw new RangeError(`sabq: shared memory exhausted (${oldEnd} bytes, need ${size} more): ${e.message}`);
      }
    }
    const added = this.memory.buffer.byteLength - oldEnd;
    const last = this.free[this.free.length - 1];
    if (last && last.at + last.size === oldEnd) last.size += added;
    else this.free.push({ at: oldEnd, size: added });
  }
}
