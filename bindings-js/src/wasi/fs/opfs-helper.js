// bindings-js/src/wasi/fs/opfs-helper.js — the dedicated worker that does the
// asynchronous OPFS work for one OpfsFs (opfs.js), whose plugin blocks while
// it waits. The page starts it (opfs-start.js) with an 'init' message; after
// that, requests arrive one at a time in the shared buffer and are answered
// there (the protocol: opfs-protocol.js).
//
// Why it keeps a table of nodes: OPFS has no inode numbers, and a handle goes
// stale once its entry moves (another handle object to the same file then
// fails with NotFoundError), and a file has at most one sync access handle.
// So each entry gets a number (ino) for the session, keyed by (parent ino,
// name) and moved along on rename; an entry in use (looked up and not
// released, or open) has exactly one live record holding its handle, its
// access handle and its counts.

import { ERRNO } from '../abi.js';
import { WORD, REQUEST_BYTES, requestKind, views } from './opfs-protocol.js';
import { parkAsync } from '../../rings/wait.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let words; // Int32Array over the header of the shared buffer
let requestArea; // Uint8Array over its request area
let data; // Uint8Array over its data area
let readOnly = false;
let useMove = true;
let pending = null; // the rest of a JSON answer longer than the data area
// The key of a name the previous request looked up and did not find: a create
// right after (path_open with O_CREAT does exactly that) need not ask again.
// Requests are served one at a time, so nothing of ours came in between
// (deferred requests do not count: they change no names).
let absent = null;

const ROOT = 1;
let nextIno = ROOT + 1;
/** `${parentIno}/${name}` → {ino, kind}: every entry seen this session. */
const entries = new Map();
/** ino → its directory's ino, for the same entries (to tell what lies beneath a directory). */
const parentOf = new Map();
/** ino → {ino, kind, handle, parent, name, refs, opens, access}: entries in use. */
const live = new Map();

/** A refusal with a WASI errno. */
class Refusal extends Error {
  constructor(errno, message) {
    super(message);
    this.errno = errno;
  }
}
const refuse = (errno, message) => {
  throw new Refusal(errno, message);
};

/** DOMException (and TypeError) names → WASI errnos, where the request has no better idea. */
const ERRNO_OF = {
  NotFoundError: ERRNO.NOENT, TypeMismatchError: ERRNO.NOTDIR, InvalidModificationError: ERRNO.NOTEMPTY,
  NoModificationAllowedError: ERRNO.BUSY, QuotaExceededError: ERRNO.NOSPC, NotAllowedError: ERRNO.ACCES,
  SecurityError: ERRNO.ACCES, InvalidStateError: ERRNO.BADF, NotSupportedError: ERRNO.NOTSUP,
  TypeError: ERRNO.INVAL, AbortError: ERRNO.IO,
};
const errnoOf = (e) => (e instanceof Refusal ? e.errno : ERRNO_OF[e?.name] ?? ERRNO.IO);

const keyOf = (dir, name) => `${dir}/${name}`;
const kindOf = (handle) => (handle.kind === 'directory' ? 'dir' : 'file');

function node(ino, kind) {
  const n = live.get(ino);
  if (!n) refuse(ERRNO.BADF, `no node ${ino} (released?)`);
  if (kind && n.kind !== kind) refuse(kind === 'dir' ? ERRNO.NOTDIR : ERRNO.ISDIR, `node ${ino} is a ${n.kind}`);
  return n;
}

function writable() {
  if (readOnly) refuse(ERRNO.ROFS, 'read-only mount');
}

/**
 * The entry `name` in directory node `dir`: {kind, handle}, or null. Asks for
 * the kind seen before first: NotFoundError means no entry of either kind,
 * so only a TypeMismatchError costs a second request.
 */
async function find(dir, name) {
  const first = entries.get(keyOf(dir.ino, name))?.kind ?? 'file';
  for (const kind of [first, first === 'file' ? 'dir' : 'file']) {
    try {
      const handle = kind === 'file' ? await dir.handle.getFileHandle(name) : await dir.handle.getDirectoryHandle(name);
      return { kind, handle };
    } catch (e) {
      if (e.name === 'TypeMismatchError') continue;
      if (e.name === 'NotFoundError' || e.name === 'TypeError') return null; // TypeError: a name OPFS cannot hold
      throw e;
    }
  }
  return null; // changed kind twice meanwhile
}

/** EXIST unless `name` is free in `d` (known from the lookup just before, or asked). */
async function mustBeFree(d, name, wasAbsent) {
  if (wasAbsent !== keyOf(d.ino, name) && (await find(d, name))) refuse(ERRNO.EXIST, `'${name}' exists`);
}

/** The number of entry `name` in `dir`, given one if new (or if its kind changed behind our back). */
function inoOf(dir, name, kind) {
  const key = keyOf(dir, name);
  let e = entries.get(key);
  if (!e || e.kind !== kind) {
    entries.set(key, (e = { ino: nextIno++, kind }));
    parentOf.set(e.ino, dir);
  }
  return e.ino;
}

/** One more reference to the entry found as `name` in `dir`; its live record keeps the first handle. */
function adopt(dir, name, { kind, handle }) {
  const ino = inoOf(dir.ino, name, kind);
  const n = live.get(ino);
  if (n) n.refs++;
  else live.set(ino, { ino, kind, handle, parent: dir.ino, name, refs: 1, opens: 0, access: null });
  return ino;
}

function drop(n) {
  if (n.refs + n.opens === 0 && n.ino !== ROOT) live.delete(n.ino);
}

/** An entry left the tree: forget its number; a live record of it stays until released. */
function forget(dir, name) {
  const key = keyOf(dir, name);
  const e = entries.get(key);
  entries.delete(key);
  if (!e) return;
  parentOf.delete(e.ino);
  const n = live.get(e.ino);
  if (n) n.parent = 0; // no longer anywhere
}

/** Is `ino` beneath directory `dir` (as far as this session has seen)? */
function beneath(ino, dir) {
  for (let p = parentOf.get(ino); p !== undefined; p = parentOf.get(p)) if (p === dir) return true;
  return false;
}

async function sizeOf(handle, n) {
  return n?.access ? n.access.getSize() : (await handle.getFile()).size;
}

const liveOf = (dir, name) => live.get(entries.get(keyOf(dir, name))?.ino);

async function isEmpty(dirHandle) {
  const first = await dirHandle.keys().next();
  return first.done;
}

/** Counts entries and file bytes beneath a directory (for quotas, at init). */
async function count(dirHandle, into = { files: 0, bytes: 0 }) {
  for await (const handle of dirHandle.values()) {
    into.files++;
    if (handle.kind === 'directory') await count(handle, into);
    else into.bytes += (await handle.getFile()).size;
  }
  return into;
}

const engineMoves = (handle) => useMove && typeof handle.move === 'function';

/**
 * Moves a file (not open here): the engine's move() where there is one, else
 * a copy then a removal. Returns the handle of the file where it now is.
 */
async function moveFile(handle, from, name, to, toName) {
  if (engineMoves(handle)) {
    await handle.move(to.handle, toName);
    return handle;
  }
  const copy = await to.handle.getFileHandle(toName, { create: true });
  const src = await handle.createSyncAccessHandle();
  try {
    const dst = await copy.createSyncAccessHandle();
    try {
      const buf = new Uint8Array(1 << 20);
      for (let at = 0; ; at += buf.length) {
        const got = src.read(buf, { at });
        if (got === 0) break;
        dst.write(buf.subarray(0, got), { at });
      }
      dst.flush();
    } finally {
      dst.close();
    }
  } finally {
    src.close();
  }
  await from.handle.removeEntry(name);
  return copy;
}

/**
 * Refuses, before anything changes, a directory move this engine cannot do:
 * with no move() (Chromium today) only an empty directory moves (it is made
 * again under the new name), else XDEV; and since handles beneath a moved
 * directory go stale (Firefox), nothing beneath it may be in use.
 */
async function checkDirMove(handle, ino, name) {
  if (!engineMoves(handle)) {
    if (!(await isEmpty(handle))) refuse(ERRNO.XDEV, 'this browser cannot move a directory with entries in OPFS (copy it, then remove it)');
    return;
  }
  for (const n of live.values()) {
    if (beneath(n.ino, ino)) refuse(ERRNO.BUSY, `'${name}' has '${n.name}' in use beneath it: OPFS cannot move it now`);
  }
}

/** Moves a directory checkDirMove() allowed; returns its handle where it now is. */
async function moveDir(handle, from, name, to, toName) {
  if (engineMoves(handle)) {
    await handle.move(to.handle, toName);
    return handle;
  }
  const made = await to.handle.getDirectoryHandle(toName, { create: true });
  await from.handle.removeEntry(name);
  return made;
}

const HANDLERS = {
  async lookup({ dir, name }) {
    const d = node(dir, 'dir');
    const found = await find(d, name);
    if (!found) return { absent: keyOf(d.ino, name) };
    return { ino: adopt(d, name, found), kind: found.kind };
  },

  async list({ dir }) {
    const d = node(dir, 'dir');
    const out = [];
    for await (const [name, handle] of d.handle.entries()) {
      const kind = kindOf(handle);
      out.push([name, kind, inoOf(d.ino, name, kind)]);
    }
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  },

  async mkdir({ dir, name }, wasAbsent) {
    writable();
    const d = node(dir, 'dir');
    await mustBeFree(d, name, wasAbsent);
    await d.handle.getDirectoryHandle(name, { create: true });
    forget(d.ino, name);
    inoOf(d.ino, name, 'dir');
    return {};
  },

  async create({ dir, name }, wasAbsent) {
    writable();
    const d = node(dir, 'dir');
    await mustBeFree(d, name, wasAbsent);
    const handle = await d.handle.getFileHandle(name, { create: true });
    forget(d.ino, name);
    return { ino: adopt(d, name, { kind: 'file', handle }) };
  },

  async unlink({ dir, name }) {
    writable();
    const d = node(dir, 'dir');
    const found = await find(d, name);
    if (!found) refuse(ERRNO.NOENT, `no '${name}'`);
    if (found.kind === 'dir') refuse(ERRNO.ISDIR, `'${name}' is a directory`);
    const n = liveOf(d.ino, name);
    if (n?.access) refuse(ERRNO.BUSY, `'${name}' is open: OPFS cannot remove an open file`);
    const size = await sizeOf(found.handle, n);
    await d.handle.removeEntry(name);
    forget(d.ino, name);
    return { size };
  },

  async rmdir({ dir, name }) {
    writable();
    const d = node(dir, 'dir');
    const found = await find(d, name);
    if (!found) refuse(ERRNO.NOENT, `no '${name}'`);
    if (found.kind !== 'dir') refuse(ERRNO.NOTDIR, `'${name}' is not a directory`);
    await d.handle.removeEntry(name); // InvalidModificationError (NOTEMPTY) if it has entries
    forget(d.ino, name);
    return {};
  },

  async rename({ dir, name, toDir, toName }) {
    writable();
    const from = node(dir, 'dir');
    const to = node(toDir, 'dir');
    const src = await find(from, name);
    if (!src) refuse(ERRNO.NOENT, `no '${name}'`);
    if (from === to && name === toName) return { replaced: null };
    const dst = await find(to, toName);
    if (src.kind === 'dir') {
      // resolve() is non-null when `to` is the directory itself or beneath it.
      if ((await src.handle.resolve(to.handle)) !== null) refuse(ERRNO.INVAL, 'a directory cannot move beneath itself');
      if (dst?.kind === 'file') refuse(ERRNO.NOTDIR, `'${toName}' is not a directory`);
      if (dst && !(await isEmpty(dst.handle))) refuse(ERRNO.NOTEMPTY, `'${toName}' is not empty`);
    } else if (dst?.kind === 'dir') {
      refuse(ERRNO.ISDIR, `'${toName}' is a directory`);
    }
    const n = liveOf(from.ino, name);
    const there = dst && liveOf(to.ino, toName);
    if (there?.access) refuse(ERRNO.BUSY, `'${toName}' is open: OPFS cannot replace an open file`);
    const replaced = dst ? { kind: dst.kind, size: dst.kind === 'file' ? await sizeOf(dst.handle, null) : 0 } : null;
    const handle = n?.handle ?? src.handle;
    const e = entries.get(keyOf(from.ino, name)) ?? { ino: nextIno++, kind: src.kind };
    let moved = null;
    if (src.kind === 'file') {
      const wasOpen = Boolean(n?.access);
      if (wasOpen) {
        // A file cannot move while an access handle holds it: let go, move, take it again.
        n.access.close();
        n.access = null;
      }
      try {
        if (dst) await to.handle.removeEntry(toName);
        moved = await moveFile(handle, from, name, to, toName);
      } finally {
        if (wasOpen) n.access = await (moved ?? handle).createSyncAccessHandle();
      }
    } else {
      await checkDirMove(handle, e.ino, name);
      if (dst) await to.handle.removeEntry(toName);
      moved = await moveDir(handle, from, name, to, toName);
    }
    forget(from.ino, name);
    forget(to.ino, toName);
    entries.set(keyOf(to.ino, toName), e);
    parentOf.set(e.ino, to.ino);
    if (n) Object.assign(n, { handle: moved, parent: to.ino, name: toName });
    return { replaced };
  },

  async stat({ ino }) {
    const n = node(ino);
    if (n.kind === 'dir') return { kind: 'dir', size: 0, mtimeMs: null };
    const file = await n.handle.getFile();
    return { kind: 'file', size: n.access ? n.access.getSize() : file.size, mtimeMs: file.lastModified };
  },

  async open({ ino }) {
    const n = node(ino, 'file');
    if (!n.access) n.access = await n.handle.createSyncAccessHandle(); // one per file, shared by its opens
    n.opens++;
    return { size: n.access.getSize() };
  },

  read({ ino, pos, length }) {
    const n = node(ino, 'file');
    return { value: n.access.read(data.subarray(0, Math.min(length, data.length)), { at: pos }) };
  },

  write({ ino, pos, length }) {
    writable();
    const n = node(ino, 'file');
    return { value: n.access.write(data.subarray(0, Math.min(length, data.length)), { at: pos }) };
  },

  truncate({ ino, size }) {
    writable();
    node(ino, 'file').access.truncate(size);
    return {};
  },

  flush({ ino }) {
    node(ino, 'file').access.flush();
    return {};
  },

  close({ ino }) {
    const n = live.get(ino);
    if (!n || n.opens === 0) return {};
    if (--n.opens === 0) {
      n.access.close();
      n.access = null;
    }
    drop(n);
    return {};
  },

  release({ ino }) {
    const n = live.get(ino);
    if (!n || n.refs === 0) return;
    n.refs--;
    drop(n);
  },

  sync() {
    return {}; // its deferred requests, served before it, were the point
  },

  more() {
    if (!pending) refuse(ERRNO.INVAL, 'no answer is pending');
    return { json: pending };
  },

  shutdown() {
    for (const n of live.values()) {
      n.access?.close();
      n.access = null;
    }
    return {};
  },
};

/** Writes an answer and wakes the plugin: everything else before DONE. */
function answer(seq, errno, json, value = 0) {
  let length = 0;
  if (json !== undefined) {
    const bytes = json instanceof Uint8Array ? json : encoder.encode(JSON.stringify(json));
    length = Math.min(bytes.length, data.length);
    data.set(bytes.subarray(0, length));
    pending = bytes.length > length ? bytes.subarray(length) : null;
  }
  words[WORD.ERRNO] = errno;
  words[WORD.LENGTH] = length;
  words[WORD.VALUE] = value;
  words[WORD.MORE] = pending ? pending.length : 0;
  Atomics.store(words, WORD.DONE, seq); // the plugin reads the words above after it sees this
  Atomics.notify(words, WORD.DONE);
}

async function serve(msg, seq) {
  const kind = requestKind(msg?.op);
  const wasAbsent = absent;
  if (kind !== 'deferred') absent = null; // a release changes no names
  try {
    if (!kind) refuse(ERRNO.INVAL, `unknown request '${msg?.op}'`);
    const result = await HANDLERS[msg.op](msg, wasAbsent);
    if (kind === 'deferred') return;
    if (result?.absent) {
      absent = result.absent;
      answer(seq, 0, null);
    } else if (result && 'value' in result) {
      answer(seq, 0, undefined, result.value);
    } else {
      answer(seq, 0, result?.json ?? result);
    }
  } catch (e) {
    if (kind !== 'deferred' && seq) answer(seq, errnoOf(e), { message: `${e.name}: ${e.message}` });
  }
}

/** The request in the request area ({op, ...args, before?}), or {bad: why not}. */
function readRequest() {
  const length = words[WORD.REQUEST_LENGTH]; // read once: the other side's word
  if (!(length > 0 && length <= REQUEST_BYTES)) return { bad: `request length ${length} outside 1..${REQUEST_BYTES}` };
  let msg;
  try {
    msg = JSON.parse(decoder.decode(requestArea.slice(0, length))); // a copy: TextDecoder refuses shared memory
  } catch (e) {
    return { bad: `unreadable request: ${e.message}` };
  }
  return msg !== null && typeof msg === 'object' && !Array.isArray(msg) ? msg : { bad: 'a request is a JSON object' };
}

/**
 * Serves requests as the plugin's side stores them, for as long as this
 * worker lives (the page ends it with the mount). Waits with waitAsync, so
 * this worker's event loop runs the OPFS calls meanwhile.
 */
async function serveRequests() {
  let last = 0;
  for (;;) {
    const seq = Atomics.load(words, WORD.REQUEST); // pairs with the plugin's store after the request
    if (seq === last) {
      await parkAsync(words, WORD.REQUEST, last, Infinity);
      continue;
    }
    last = seq;
    const msg = readRequest();
    if (msg.bad) {
      answer(seq, ERRNO.INVAL, { message: msg.bad });
      continue;
    }
    for (const early of Array.isArray(msg.before) ? msg.before : []) {
      if (requestKind(early?.op) === 'deferred') await serve(early, 0);
    }
    await serve(msg, seq);
  }
}

async function init({ root, buffer, readOnly: ro, count: wantCount, useMove: move }) {
  ({ words, request: requestArea, data } = views(buffer));
  readOnly = ro;
  useMove = move;
  live.set(ROOT, { ino: ROOT, kind: 'dir', handle: root, parent: 0, name: '', refs: 1, opens: 0, access: null });
  const counted = wantCount ? await count(root) : { files: 0, bytes: 0 };
  return { ok: true, ...counted };
}

self.onmessage = ({ data: msg }) => {
  if (msg?.op !== 'init' || words) return; // one start; everything after it comes through the buffer
  self.postMessage({ started: true }); // at once: the page's start deadline is for this, not for counting
  init(msg).then(
    (r) => {
      self.postMessage(r);
      serveRequests();
    },
    (e) => self.postMessage({ errno: errnoOf(e), message: `${e.name}: ${e.message}` }),
  );
};
