// bindings-js/src/host-wire.js — the compact form of the two messages on a
// host worker's rings: a plugin's 'call' (request channel) and its 'answer'
// (reply channel), as protocol.js shapes them. JSON costs more than the whole
// round trip between two workers (stringify and parse of a five-field message
// take about a microsecond in Node), so on the host worker's rings, whose
// round trip is the one to make short, they travel as little-endian frames
// (docs/protocol.md, "The host worker's rings"). A decoded message is the same
// object JSON would give, checked the same way (accept); a frame that is short,
// of an unknown kind or whose lengths do not add up is a ProtocolError.
// Each side encodes into and decodes from a private buffer of its own.

import { accept, ProtocolError } from './protocol.js';

const CALL = 1;
const ANSWER = 2;
/** An answer carries exactly one of these (form byte). */
const INLINE = 0;
const ERRNO = 1;
const RELAYED = 2;
/** Bytes before a call's name and an answer's text. */
const CALL_HEADER = 16;
const ANSWER_HEADER = 8;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A private buffer for frames of up to `bytes` (a ring's msgMax). */
export function frameBuffer(bytes) {
  const u8 = new Uint8Array(bytes);
  return { u8, view: new DataView(u8.buffer) };
}

/** UTF-8 of `text` into u8 at `at`; the end, or -1 when it does not fit. */
function put(u8, at, text) {
  if (text.length === 0) return at;
  const { read, written } = encoder.encodeInto(text, u8.subarray(at));
  return read < text.length ? -1 : at + written;
}

const text = (u8, from, to) => (from === to ? '' : decoder.decode(u8.subarray(from, to)));

/**
 * Frames a 'call' request ({taskId, reqId, name, request}) into `buf`.
 * Returns its length, or -1 when it is longer than the buffer.
 * Layout: u8 1, 3 zero bytes, u32 taskId, u32 reqId, u32 name bytes, name, request.
 */
export function encodeCall(buf, { taskId, reqId, name, request }) {
  const { u8, view } = buf;
  const nameEnd = put(u8, CALL_HEADER, name);
  if (nameEnd < 0) return -1;
  const end = put(u8, nameEnd, request);
  if (end < 0) return -1;
  view.setUint32(0, CALL, true);
  view.setUint32(4, taskId, true);
  view.setUint32(8, reqId, true);
  view.setUint32(12, nameEnd - CALL_HEADER, true);
  return end;
}

/** The 'call' request in the first `n` bytes of `buf`. */
export function decodeCall(buf, n) {
  const { u8, view } = buf;
  if (n < CALL_HEADER || view.getUint32(0, true) !== CALL) throw new ProtocolError('request frame: not a call');
  const nameBytes = view.getUint32(12, true);
  if (nameBytes > n - CALL_HEADER) throw new ProtocolError('request frame: name longer than the frame');
  const nameEnd = CALL_HEADER + nameBytes;
  return accept('request', {
    type: 'call',
    taskId: view.getUint32(4, true),
    reqId: view.getUint32(8, true),
    name: text(u8, CALL_HEADER, nameEnd),
    request: text(u8, nameEnd, n),
  });
}

/**
 * Frames an 'answer' ({reqId} and one of inline, errno, relayed) into `buf`.
 * Returns its length, or -1 when it is longer than the buffer.
 * Layout: u8 2, u8 form (0 inline, 1 errno, 2 relayed), 2 zero bytes, u32 reqId, then the text or errno name.
 */
export function encodeAnswer(buf, { reqId, inline, errno, relayed }) {
  const { u8, view } = buf;
  let form;
  let end;
  if (inline !== undefined) {
    form = INLINE;
    end = put(u8, ANSWER_HEADER, inline);
  } else if (errno !== undefined) {
    form = ERRNO;
    end = put(u8, ANSWER_HEADER, errno);
  } else if (relayed) {
    form = RELAYED;
    end = ANSWER_HEADER;
  } else {
    throw new TypeError('sabq: an answer needs inline, errno or relayed');
  }
  if (end < 0) return -1;
  view.setUint32(0, ANSWER | (form << 8), true);
  view.setUint32(4, reqId, true);
  return end;
}

/** The 'answer' in the first `n` bytes of `buf`. */
export function decodeAnswer(buf, n) {
  const { u8, view } = buf;
  const head = n >= ANSWER_HEADER ? view.getUint32(0, true) : 0;
  if ((head & 0xff) !== ANSWER || head >>> 16 !== 0) throw new ProtocolError('reply frame: not an answer');
  const msg = { type: 'answer', reqId: view.getUint32(4, true) };
  const form = (head >>> 8) & 0xff;
  if (form === INLINE) msg.inline = text(u8, ANSWER_HEADER, n);
  else if (form === ERRNO) msg.errno = text(u8, ANSWER_HEADER, n);
  else if (form === RELAYED && n === ANSWER_HEADER) msg.relayed = true;
  else throw new ProtocolError(`reply frame: unknown form ${form} or trailing bytes`);
  return accept('reply', msg);
}
