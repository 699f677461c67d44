// bindings-js/src/wasi/fs/opfs-protocol.js — what a plugin's worker (opfs.js)
// and its OPFS helper worker (opfs-helper.js) say to each other. Both import
// this module; the helper rejects any request kind not listed here.
//
// The plugin's worker cannot receive a message while its wasm call blocks, but
// it can send one. So a request goes by postMessage ({op, seq, ...args}), and
// the answer comes back in a SharedArrayBuffer made at open():
//
//   bytes 0..31   Int32 words (WORD below), written by the helper:
//     DONE    the seq of the last request answered; stored last (Atomics.store,
//             then Atomics.notify): the plugin waits on this word
//     ERRNO   0, or the WASI errno of a refusal (the data area then holds
//             JSON {message})
//     LENGTH  bytes of the answer in the data area
//     VALUE   a count (bytes read or written)
//     MORE    bytes of a JSON answer still to fetch with {op: 'more'}
//   bytes 32..    the data area (chunk bytes): file data both ways (the
//                 plugin puts what `write` writes there before it posts), or
//                 the JSON answer.
//
// One request at a time per file system: the plugin waits for each answer
// before it sends the next, and only the side whose turn it is touches the
// data area. 'close' and 'release' are one-way (no answer, nothing written
// to the buffer): messages on one port arrive in order, so they still happen
// before any later request.
//
// Requests (ino: the helper's number for a node, 1 the root; dir: a
// directory's ino) and their answers:
//   init     {root, buffer, readOnly, count, useMove}   → postMessage {ok, files, bytes} | {errno, message}
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
//   close    {ino}                    one-way
//   release  {ino}                    one-way
//   more     {}                       → the next part of a long JSON answer
//   shutdown {}                       → {} (every access handle closed)

export const WORD = Object.freeze({ DONE: 0, ERRNO: 1, LENGTH: 2, VALUE: 3, MORE: 4 });
export const HEADER_BYTES = 32;
export const DEFAULT_CHUNK = 1 << 20;

export const REQUESTS = Object.freeze({
  lookup: 'answer', list: 'answer', mkdir: 'answer', create: 'answer', unlink: 'answer',
  rmdir: 'answer', rename: 'answer', stat: 'answer', open: 'answer', read: 'answer',
  write: 'answer', truncate: 'answer', flush: 'answer', more: 'answer', shutdown: 'answer',
  close: 'one-way', release: 'one-way',
});
