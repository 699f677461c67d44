// bindings-js/src/coordinator/mounts.js — what a host can mount into a plugin's file
// system, and the host's side of it: turning a tree of strings, bytes, Blobs
// and URLs into the flat list a worker builds its file system from; packing
// shared images; giving a plugin's files back as a tree.
//
//   mounts: {
//     '/work':  { 'in.txt': 'hello', sub: { ... } },   // a memory directory (writable)
//     '/tmp':   memoryDir({}, { maxBytes: 64 << 20 }),  // ... with limits
//     '/share': image,                                  // a shared read-only image
//     '/lib':   image.overlay(),                        // ... with a private copy-on-write layer
//     '/data':  hostDir('./data', { readOnly: true }),  // a real directory (Node), sandboxed
//     '/docs':  opfsDir(handle),                        // an OPFS directory (browsers)
//   }

import { isNode, loadBytes, toUrl, nodeOnly } from './platform.js';
import { packImage, ImageReader } from '../wasi/fs/image.js';
import { countsTree } from '../wasi/fs/charge.js';

const encoder = new TextEncoder();

/** A symbolic link in a tree given to memoryDir() or image(). */
export class SymlinkSpec {
  constructor(target) {
    if (typeof target !== 'string' || target.length === 0) throw new TypeError('sabq: a link needs a target');
    this.target = target;
  }
}
export const symlink = (target) => new SymlinkSpec(target);

const LIMITS = ['maxBytes', 'maxFiles', 'maxFileSize', 'maxOpenFiles'];
const OPTIONS = new Set(['readOnly', ...LIMITS]);

function checkOptions(options) {
  for (const key of Object.keys(options)) {
    if (!OPTIONS.has(key)) throw new TypeError(`sabq mount: unknown option '${key}' (${[...OPTIONS].join(', ')})`);
  }
  for (const key of LIMITS) {
    const v = options[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new TypeError(`sabq mount: ${key} must be a whole number of ${key === 'maxBytes' || key === 'maxFileSize' ? 'bytes' : 'files'}`);
  }
  return { readOnly: !!options.readOnly, limits: Object.fromEntries(LIMITS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]])) };
}

/** Something mountable: build one with memoryDir(), hostDir(), opfsDir() or Image#overlay(). */
export class Mount {
  constructor(kind, source, options = {}) {
    this.kind = kind;
    this.source = source;
    this.options = checkOptions(options);
  }
}

/** A writable directory in the plugin's memory, starting as `tree` (copied in at spawn). */
export const memoryDir = (tree = {}, options = {}) => new Mount('memory', tree, options);

/** A real directory (Node only), sandboxed: nothing outside `path` can be reached. */
export function hostDir(path, options = {}) {
  if (!isNode) throw new TypeError('sabq: hostDir() needs Node (in browsers use opfsDir())');
  return new Mount('host', path, options);
}

/** An OPFS directory (browsers), synchronous from the plugin's side. */
export function opfsDir(handle, options = {}) {
  if (typeof FileSystemDirectoryHandle === 'undefined' || !(handle instanceof FileSystemDirectoryHandle)) {
    throw new TypeError('sabq: opfsDir() needs a FileSystemDirectoryHandle');
  }
  return new Mount('opfs', handle, options);
}

/** A tree packed once into shared memory; mounting it copies nothing. Made by Coordinator#image(). */
export class Image {
  constructor(buffer) {
    this.buffer = buffer;
    const r = new ImageReader(buffer);
    this.files = r.count - 1;
    this.bytes = r.fileBytes;
  }

  /** Read-only (the default when an Image is given as a mount). */
  mount(options = {}) {
    return new Mount('image', this, { ...options, readOnly: true });
  }

  /** Read-write, changes kept privately in the plugin (copy on first write). */
  overlay(options = {}) {
    return new Mount('image', this, { ...options, readOnly: false });
  }

  /** Packs `tree` (as for memoryDir) into a new image. */
  static async pack(tree, { pause } = {}) {
    const { entries } = await flattenTree(tree);
    return new Image(await packImage(entries, { pause }));
  }
}

/** A Mount for what a caller put under a mount path. */
export function asMount(value) {
  if (value instanceof Mount) return value;
  if (value instanceof Image) return value.mount();
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return memoryDir(value);
  throw new TypeError('sabq: a mount is a plain object tree, an Image, or memoryDir()/hostDir()/opfsDir()');
}

/** Checks a mount path: absolute, no '.', '..' or empty components. Returns it without a trailing '/'. */
export function mountPath(path) {
  if (typeof path !== 'string' || path[0] !== '/') throw new TypeError(`sabq: mount path '${path}' must be absolute`);
  const parts = path.split('/').filter(Boolean);
  if (parts.some((p) => p === '.' || p === '..')) throw new TypeError(`sabq: mount path '${path}' may not contain '.' or '..'`);
  return `/${parts.join('/')}`;
}

/**
 * The flat list a worker builds a tree from: [{path, type, data?, target?,
 * mtime?}], parents before children, and the buffers that are ours to
 * transfer (made here, so nobody else holds them).
 */
export async function flattenTree(tree) {
  const entries = [];
  const transfer = [];
  const walk = async (node, prefix) => {
    for (const [name, value] of Object.entries(node)) {
      if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
        throw new TypeError(`sabq: bad file name '${name}' in a tree`);
      }
      const path = prefix + name;
      if (value instanceof SymlinkSpec) {
        entries.push({ path, type: 'symlink', target: value.target });
      } else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
        entries.push({ path, type: 'dir' });
        await walk(value, `${path}/`);
      } else {
        const { data, owned, mtime } = await bytesOf(value, path);
        entries.push({ path, type: 'file', data, mtime });
        if (owned) transfer.push(data.buffer);
      }
    }
  };
  await walk(tree, '');
  return { entries, transfer };
}

async function bytesOf(value, path) {
  if (typeof value === 'string') return { data: encoder.encode(value), owned: true };
  if (value instanceof Uint8Array) return { data: value, owned: false };
  if (ArrayBuffer.isView(value)) return { data: new Uint8Array(value.buffer, value.byteOffset, value.byteLength), owned: false };
  if (value instanceof ArrayBuffer) return { data: new Uint8Array(value), owned: false };
  if (typeof Blob !== 'undefined' && value instanceof Blob) {
    return { data: new Uint8Array(await value.arrayBuffer()), owned: true, mtime: value.lastModified };
  }
  if (typeof Response !== 'undefined' && value instanceof Response) return { data: new Uint8Array(await value.arrayBuffer()), owned: true };
  if (value instanceof URL) return { data: await loadBytes(toUrl(value)), owned: true };
  throw new TypeError(`sabq: '${path}': a file is a string, bytes, a Blob, a Response or a URL`);
}

/**
 * What the worker needs for each mount (the 'task' spec's `mounts`), and the
 * buffers to transfer with it. Sorted by path, so preopens are numbered the
 * same way every time.
 */
export async function prepareMounts(mounts = {}) {
  const specs = [];
  const transfer = [];
  const seen = new Set();
  for (const [rawPath, value] of Object.entries(mounts)) {
    const path = mountPath(rawPath);
    if (path === '/host') throw new TypeError("sabq: '/host' is where plugins call the host; mount elsewhere");
    if (seen.has(path)) throw new TypeError(`sabq: '${path}' is mounted twice`);
    seen.add(path);
    const m = asMount(value);
    const spec = { path, kind: m.kind, readOnly: m.options.readOnly, limits: m.options.limits };
    if (m.kind === 'memory') {
      const flat = await flattenTree(m.source);
      spec.entries = flat.entries;
      transfer.push(...flat.transfer);
    } else if (m.kind === 'image') {
      spec.image = m.source.buffer; // shared, not copied
    } else if (m.kind === 'host') {
      const { resolve } = await nodeOnly('node:path');
      spec.root = resolve(String(m.source instanceof URL ? new URL(m.source).pathname : m.source));
    } else {
      spec.handle = m.source;
    }
    specs.push(spec);
  }
  specs.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { specs, transfer };
}

/**
 * Starts, on this thread, the helper worker of an OPFS mount spec (from
 * prepareMounts) for the worker about to run the task: {channel, stop}
 * (wasi/fs/opfs-start.js). Rejects with an FsError that names the mount.
 */
export async function startMountHelper(spec) {
  const { startOpfsHelper } = await import('../wasi/fs/opfs-start.js');
  try {
    return await startOpfsHelper(spec.handle, { readOnly: spec.readOnly, count: countsTree(spec.limits) });
  } catch (e) {
    e.message = `sabq: OPFS mount '${spec.path}': ${e.message}`;
    throw e;
  }
}

/**
 * A tree of what a plugin left in a mount, from the worker's flat list:
 * {name: Uint8Array | SymlinkSpec | {...}}. Bytes are private copies (views of
 * shared memory cannot be decoded by a TextDecoder).
 */
export function unflatten(entries) {
  const root = {};
  const dirs = new Map([['', root]]);
  for (const e of entries) {
    const slash = e.path.lastIndexOf('/');
    const parent = dirs.get(slash < 0 ? '' : e.path.slice(0, slash));
    const name = slash < 0 ? e.path : e.path.slice(slash + 1);
    if (e.type === 'dir') dirs.set(e.path, (parent[name] = {}));
    else if (e.type === 'symlink') parent[name] = new SymlinkSpec(e.target);
    else parent[name] = e.data.buffer instanceof SharedArrayBuffer ? e.data.slice() : e.data;
  }
  return root;
}
