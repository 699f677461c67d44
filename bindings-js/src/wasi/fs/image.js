// bindings-js/src/wasi/fs/image.js — a read-only tree packed once into a
// SharedArrayBuffer, so that every plugin can mount it without copying a byte:
// the buffer is shared with each worker by postMessage, and the worker reads
// names and contents in place (a directory's entries are sorted, so a lookup
// is a binary search). Packing runs where coordinator.image() is called;
// reading in the compute workers (memfs.js mounts it).
//
// Layout (little-endian; offsets from the start of the buffer):
//   0   'SQIMAGE1'                       magic
//   8   u32 version (1)      12  u32 node count
//   16  u32 entry table at   20  u32 names at     24  u32 data at
//   28  u32 total bytes      32  f64 total file bytes (for quotas)
//   40  node table, 24 bytes a node (node 0 is the root directory):
//       +0 u8 filetype  +4 u32 size (file bytes | entry count | link length)
//       +8 u32 offset (file: into data | directory: first entry | link: into names)
//       +16 f64 mtime in ms since the epoch
//   entry table, 12 bytes an entry: u32 name offset (into names), u32 name
//       length, u32 node; each directory's entries contiguous, sorted by the
//       bytes of their names
//   names (UTF-8), then data (each file 8-aligned).

import { ERRNO, FILETYPE } from '../abi.js';
import { fail } from './node.js';

const MAGIC = 'SQIMAGE1';
const VERSION = 1;
const HEADER = 40;
const NODE = 24;
const ENTRY = 12;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Packs a flat tree (entries from tree.js: {path, type, data?, target?,
 * mtime?}, parents before children) into a new SharedArrayBuffer.
 * `yieldEvery` bytes of copying, awaits `pause()` so a page stays responsive.
 */
export async function packImage(entries, { pause = null, yieldEvery = 4 << 20 } = {}) {
  // Build the directory structure: index 0 is the root.
  const nodes = [{ type: FILETYPE.DIRECTORY, children: [], mtime: Date.now() }];
  const byPath = new Map([['', 0]]);
  for (const e of entries) {
    const slash = e.path.lastIndexOf('/');
    const parent = byPath.get(slash < 0 ? '' : e.path.slice(0, slash));
    if (parent === undefined || nodes[parent].type !== FILETYPE.DIRECTORY) {
      throw new TypeError(`sabq image: '${e.path}' has no parent directory in the tree`);
    }
    const name = encoder.encode(slash < 0 ? e.path : e.path.slice(slash + 1));
    const type = e.type === 'dir' ? FILETYPE.DIRECTORY : e.type === 'symlink' ? FILETYPE.SYMBOLIC_LINK : FILETYPE.REGULAR_FILE;
    const node = { type, mtime: e.mtime ?? Date.now() };
    if (type === FILETYPE.DIRECTORY) node.children = [];
    if (type === FILETYPE.REGULAR_FILE) node.data = e.data;
    if (type === FILETYPE.SYMBOLIC_LINK) node.target = encoder.encode(e.target);
    const index = nodes.push(node) - 1;
    byPath.set(e.path, index);
    nodes[parent].children.push({ name, node: index });
  }
  // Sizes and offsets.
  let entryCount = 0;
  let namesBytes = 0;
  let dataBytes = 0;
  let fileBytes = 0;
  for (const n of nodes) {
    if (n.children) {
      n.children.sort((a, b) => compareBytes(a.name, b.name));
      n.first = entryCount;
      entryCount += n.children.length;
      for (const c of n.children) namesBytes += c.name.length;
    } else if (n.target) {
      namesBytes += n.target.length;
    } else {
      dataBytes = align8(dataBytes) + n.data.length;
      fileBytes += n.data.length;
    }
  }
  const entriesAt = HEADER + nodes.length * NODE;
  const namesAt = entriesAt + entryCount * ENTRY;
  const dataAt = align8(namesAt + namesBytes);
  const total = dataAt + dataBytes;
  if (total > 0xffffffff) throw new RangeError('sabq image: larger than 4 GiB');
  const buffer = new SharedArrayBuffer(total);
  const view = new DataView(buffer);
  const u8 = new Uint8Array(buffer);
  u8.set(encoder.encode(MAGIC), 0);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, nodes.length, true);
  view.setUint32(16, entriesAt, true);
  view.setUint32(20, namesAt, true);
  view.setUint32(24, dataAt, true);
  view.setUint32(28, total, true);
  view.setFloat64(32, fileBytes, true);
  let names = 0;
  let data = 0;
  let sincePause = 0;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    const at = HEADER + i * NODE;
    view.setUint8(at, n.type);
    view.setFloat64(at + 16, n.mtime, true);
    if (n.children) {
      view.setUint32(at + 4, n.children.length, true);
      view.setUint32(at + 8, n.first, true);
      n.children.forEach((c, k) => {
        const e = entriesAt + (n.first + k) * ENTRY;
        u8.set(c.name, namesAt + names);
        view.setUint32(e, names, true);
        view.setUint32(e + 4, c.name.length, true);
        view.setUint32(e + 8, c.node, true);
        names += c.name.length;
      });
    } else if (n.target) {
      view.setUint32(at + 4, n.target.length, true);
      view.setUint32(at + 8, names, true);
      u8.set(n.target, namesAt + names);
      names += n.target.length;
    } else {
      data = align8(data);
      view.setUint32(at + 4, n.data.length, true);
      view.setUint32(at + 8, data, true);
      u8.set(n.data, dataAt + data);
      data += n.data.length;
      sincePause += n.data.length;
      if (pause && sincePause >= yieldEvery) {
        sincePause = 0;
        await pause();
      }
    }
  }
  return buffer;
}

/** Reads a packed image in place. Validates the header and every offset it uses. */
export class ImageReader {
  constructor(buffer) {
    if (!(buffer instanceof SharedArrayBuffer) && !(buffer instanceof ArrayBuffer)) {
      throw new TypeError('sabq image: expected a SharedArrayBuffer');
    }
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    const bad = (why) => {
      throw new TypeError(`sabq image: corrupt (${why})`);
    };
    if (buffer.byteLength < HEADER || decoder.decode(this.u8.slice(0, 8)) !== MAGIC) bad('magic');
    if (this.view.getUint32(8, true) !== VERSION) bad('version');
    this.count = this.view.getUint32(12, true);
    this.entriesAt = this.view.getUint32(16, true);
    this.namesAt = this.view.getUint32(20, true);
    this.dataAt = this.view.getUint32(24, true);
    this.fileBytes = this.view.getFloat64(32, true);
    const total = this.view.getUint32(28, true);
    if (total !== buffer.byteLength || this.count < 1 || HEADER + this.count * NODE !== this.entriesAt ||
        this.entriesAt > this.namesAt || this.namesAt > this.dataAt || this.dataAt > total) bad('geometry');
    if (this.type(0) !== FILETYPE.DIRECTORY) bad('root is not a directory');
  }

  type(i) {
    return this.view.getUint8(HEADER + i * NODE);
  }

  size(i) {
    return this.view.getUint32(HEADER + i * NODE + 4, true);
  }

  mtimeMs(i) {
    return this.view.getFloat64(HEADER + i * NODE + 16, true);
  }

  /** A view of file `i`'s bytes, in the shared buffer (never write to it). */
  bytes(i) {
    const at = this.dataAt + this.view.getUint32(HEADER + i * NODE + 8, true);
    const len = this.size(i);
    if (at + len > this.buffer.byteLength) fail(ERRNO.IO, 'image: file outside the image');
    return this.u8.subarray(at, at + len);
  }

  target(i) {
    const at = this.namesAt + this.view.getUint32(HEADER + i * NODE + 8, true);
    const len = this.size(i);
    if (at + len > this.dataAt) fail(ERRNO.IO, 'image: link outside the names');
    return decoder.decode(this.u8.slice(at, at + len));
  }

  /** Entry `k` of directory `i`: [nameBytes (a view), node]. */
  entry(i, k) {
    const e = this.entriesAt + (this.view.getUint32(HEADER + i * NODE + 8, true) + k) * ENTRY;
    if (e + ENTRY > this.namesAt) fail(ERRNO.IO, 'image: entry outside the table');
    const at = this.namesAt + this.view.getUint32(e, true);
    const len = this.view.getUint32(e + 4, true);
    const node = this.view.getUint32(e + 8, true);
    if (at + len > this.dataAt || node >= this.count) fail(ERRNO.IO, 'image: bad entry');
    return [this.u8.subarray(at, at + len), node];
  }

  /** The node called `name` in directory `i`, or -1: a binary search. */
  find(i, name) {
    const key = encoder.encode(name);
    let lo = 0;
    let hi = this.size(i) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const [bytes, node] = this.entry(i, mid);
      const c = compareBytes(bytes, key);
      if (c === 0) return node;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** [[name, node], ...] of directory `i`, in order. */
  list(i) {
    const out = [];
    for (let k = 0, n = this.size(i); k < n; k++) {
      const [bytes, node] = this.entry(i, k);
      out.push([decoder.decode(bytes.slice()), node]); // decoders refuse shared views
    }
    return out;
  }
}

function compareBytes(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

const align8 = (n) => (n + 7) & ~7;
