// bindings-js/src/wasi/fs/resolve.js — path resolution beneath a directory,
// the WASI way: component by component from the directory an fd names, never
// above it. An absolute path, a '..' that would climb above the start, or a
// symbolic link whose target is absolute or climbs above it is NOTCAPABLE;
// so no path a plugin writes, and no link it (or anyone) creates, reaches
// outside what it was given. One implementation for every backend.

import { ERRNO } from '../abi.js';
import { fail } from './node.js';

/** Links followed in one resolution before giving up with LOOP (as Linux's 40). */
export const MAX_LINKS = 40;
const MAX_NAME = 255;

/**
 * Resolves `path` beneath `start` (a Dir the caller holds).
 *
 * Links are followed in the middle of the path always, at its end only with
 * `follow` (or when the path ends in '/').
 *
 * Returns a Resolved: {dir, name, node, mustBeDir}
 *   dir        the directory holding the last component,
 *   name       the last component, or null when the path names `dir` itself
 *              ('.', 'a/..', 'a/.'),
 *   node       what `name` is in `dir` (null when absent; `dir` when name is null),
 *   mustBeDir  the path ended in '/'.
 * Call release() on it when done: it releases what resolution acquired,
 * except what keep() took out of its hands.
 */
export function resolve(start, path, { follow = true } = {}) {
  if (typeof path !== 'string' || path.length === 0) fail(ERRNO.NOENT, 'empty path');
  if (path.includes('\0')) fail(ERRNO.INVAL, 'NUL in path');
  if (path[0] === '/') fail(ERRNO.NOTCAPABLE, `absolute path '${path}' (paths are relative to a directory)`);
  let mustBeDir = path.endsWith('/');
  let parts = components(path);
  const stack = [start]; // stack[0] belongs to the caller
  let links = 0;
  const drop = (node) => {
    if (node !== start) node.release();
  };
  try {
    while (parts.length > 0) {
      const name = parts.shift();
      const last = parts.length === 0;
      const top = stack[stack.length - 1];
      if (name === '.') continue;
      if (name === '..') {
        if (stack.length === 1) fail(ERRNO.NOTCAPABLE, `'..' climbs above the directory in '${path}'`);
        drop(stack.pop());
        continue;
      }
      if (name.length > MAX_NAME) fail(ERRNO.NAMETOOLONG);
      const node = top.lookup(name);
      if (node === null) {
        if (last) return resolved(stack, name, null, mustBeDir, drop);
        fail(ERRNO.NOENT, `no '${name}' in '${path}'`);
      }
      if (node.isSymlink && (!last || follow || mustBeDir)) {
        let target;
        try {
          if (++links > MAX_LINKS) fail(ERRNO.LOOP, `too many symbolic links in '${path}'`);
          target = node.readlink();
        } finally {
          node.release();
        }
        if (target.length === 0) fail(ERRNO.NOENT, 'empty symbolic link');
        if (target[0] === '/') fail(ERRNO.NOTCAPABLE, `symbolic link to an absolute path '${target}'`);
        if (last && target.endsWith('/')) mustBeDir = true;
        parts = [...components(target), ...parts];
        continue;
      }
      if (last) return resolved(stack, name, node, mustBeDir, drop);
      if (!node.isDir) {
        node.release();
        fail(ERRNO.NOTDIR, `'${name}' is not a directory in '${path}'`);
      }
      stack.push(node);
    }
    // Only '.' and '..' (or a link to them) were left: the path names a directory.
    return resolved(stack, null, stack[stack.length - 1], true, drop);
  } catch (e) {
    // resolved() hands the stack over; anything still here is ours to release.
    for (const node of stack) drop(node);
    stack.length = 0;
    throw e;
  }
}

function components(path) {
  return path.split('/').filter((p) => p !== '');
}

/** Hands the result over, releasing the directories above the last one. */
function resolved(stack, name, node, mustBeDir, drop) {
  const dir = stack.pop();
  for (const above of stack) drop(above);
  stack.length = 0;
  return new Resolved(dir, name, node, mustBeDir, drop);
}

class Resolved {
  constructor(dir, name, node, mustBeDir, drop) {
    this.dir = dir;
    this.name = name;
    this.node = node;
    this.mustBeDir = mustBeDir;
    this._drop = drop;
    this._keepDir = false;
    this._keepNode = false;
  }

  /** The node (what the path names) stays with the caller: release() leaves it. */
  keepNode() {
    this._keepNode = true;
    return this.node;
  }

  /** The holding directory stays with the caller. */
  keepDir() {
    this._keepDir = true;
    return this.dir;
  }

  release() {
    if (this.node && this.node !== this.dir && !this._keepNode) this._drop(this.node);
    if (!this._keepDir && !(this.node === this.dir && this._keepNode)) this._drop(this.dir);
    this.node = this.dir = null;
  }
}

/** Runs fn(resolved) and releases the resolution whatever happens. */
export function withResolved(start, path, options, fn) {
  const r = resolve(start, path, options);
  try {
    return fn(r);
  } finally {
    r.release();
  }
}
