// bindings-js/src/wasi/fs/opfs-protocol.js — what a plugin's worker (opfs.js)
// and its OPFS helper worker (opfs-helper.js) say to each other. Both import
// this module; the helper rejects any request kind not listed here.
//
// The page starts the helper (opfs-start.js), not the plugin's worker: in
// Firefox (ESR 153), `new Worker()` called inside a worker now and then never
// returns while a worker-debugger listener is present (WebDriver BiDi, which
// puppeteer and Playwright drive Firefox with; devtools register one too):
// about one spawn in twenty hung so, and no timer of that worker could fire.
// A worker started from the page's main thread does not go that way. And once
// the plugin runs, its worker cannot receive a message.
// So, after the start, requests and answers both go through a
// SharedArrayBuffer made by the page: nothing depends on the event loop of
// the plugin's worker, whose only part is to store a request and wait.
//
//   bytes 0..31   Int32 words (WORD below):
//     REQUEST  the seq of the latest request, written by the plugin's side;
//              stored last (Atomics.store, then Atomics.notify): the helper
//              waits on this word
//     REQUEST_LENGTH  bytes of that request's JSON in the request area
//     DONE     the seq of the last request answered, written by the helper;
//              stored last (Atomics.store, then Atomics.notify): the plugin
//              waits on this word
//     ERRNO    0, or the WASI errno of a refusal (the data area then holds
//              JSON {message})
//     LENGTH   bytes of the answer in the data area
//     VALUE    a count (bytes read or written)
//     MORE     bytes of a JSON answer still to fetch with {op: 'more'}
//   bytes 32..32+REQUEST_BYTES  the request area: the request as JSON
//                 {op, ...args, before?}, written by the plugin's side
//   then          the data area (chunk bytes): file data both ways (the
//                 plugin puts what `write` writes there before it posts), or
//                 the JSON answer.
//
// One request at a time per file system: the plugin waits for each answer
// before it stores the next, and only the side whose turn it is touches the
// request and data areas. 'release' is deferred: it changes nothing anyone
// can see (the helper forgets a handle), so it waits on the plugin's side and
// rides in the `before` list of the next request, which the helper serves
// first, in order.
//
// The start, by postMessage between the page and the helper:
//   init     {root, buffer, readOnly, count, useMove}   → postMessage {started: true} at once,
//            then {ok, files, bytes} (what it counted, when `count`) | {errno, message}
//
// Requests (ino: the helper's number for a node, 1 the root; dir: a
// directory's ino) and their answers:
//   lookup   {dir, name}              → {ino, kind} | null        kind: 'file' | 'dir'
//   list     {dir}                    → [[name, kind, ino], ...]
//   mkdir    {dir, name}              → {}
//   create   {dir, name}              → {ino}
//   unlink   {dir, name}              → {size}
//   rmdir    {dir, name}              → {}
//   rename   {dir, name, toDir, toName} → {replaced: null | {kind, size}}
//   stat     {ino}                    → {kind, size, mtimeMs}
//   open     {ino}                    → {size}
//   read     {ino, pos, length}       → VALUE bytes in the data area
//   write    {ino, pos, length}       → VALUE bytes written from the data area
//   truncate {ino, size}              → {}
//   flush    {ino}                    → {}
//   close    {ino}                    → {} (the file's lock is let go when its last open closes)
//   more     {}                       → the next part of a long JSON answer
//   sync     {}                       → {} (carries deferred requests and nothing else)
//   shutdown {}                       → {} (every access handle closed)
//   release  {ino}                    deferred (in `before`)

export const WORD = Object.freeze({ DONE: 0, ERRNO: 1, LENGTH: 2, VALUE: 3, MORE: 4, REQUEST: 5, REQUEST_LENGTH: 6 });
export const HEADER_BYTES = 32;
/** Room for a request: two names of a rename, and the deferred requests (at most MAX_DEFERRED). */
export const REQUEST_BYTES = 16 << 10;
export const MAX_DEFERRED = 128;
export const DEFAULT_CHUNK = 1 << 20;

export const REQUESTS = Object.freeze({
  lookup: 'answer', list: 'answer', mkdir: 'answer', create: 'answer', unlink: 'answer',
  rmdir: 'answer', rename: 'answer', stat: 'answer', open: 'answer', read: 'answer',
  write: 'answer', truncate: 'answer', flush: 'answer', close: 'answer', more: 'answer',
  sync: 'answer', shutdown: 'answer',
  release: 'deferred',
});

/** 'answer', 'deferred', or undefined for anything not a request (an inherited name included). */
export const requestKind = (op) => (typeof op === 'string' && Object.hasOwn(REQUESTS, op) ? REQUESTS[op] : undefined);

/** Bytes of the shared buffer for a data area of `chunk` bytes. */
export const bufferBytes = (chunk) => HEADER_BYTES + REQUEST_BYTES + chunk;

/** Views of the three parts of a shared buffer. */
export function views(buffer) {
  return {
    words: new Int32Array(buffer, 0, HEADER_BYTES / 4),
    request: new Uint8Array(buffer, HEADER_BYTES, REQUEST_BYTES),
    data: new Uint8Array(buffer, HEADER_BYTES + REQUEST_BYTES),
  };
}
