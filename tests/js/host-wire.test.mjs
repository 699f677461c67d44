// tests/js/host-wire.test.mjs — the frames of the host worker's rings
// (bindings-js/src/coordinator/host-wire.js): what is encoded decodes to the message JSON
// would give, a frame that does not fit says so, and a frame a peer
// scribbled on is refused (ProtocolError), never guessed at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameBuffer, encodeCall, decodeCall, encodeAnswer, decodeAnswer } from '../../bindings-js/src/coordinator/host-wire.js';
import { ProtocolError } from '../../bindings-js/src/coordinator/protocol.js';

const call = { type: 'call', taskId: 7, reqId: 0xfffffffe, name: 'wéather', request: 'Paris/Île-de-France 🌧' };

test('a call decodes as it was encoded, whatever its text', () => {
  const buf = frameBuffer(2040);
  for (const msg of [call, { ...call, name: 'n', request: '' }, { ...call, request: 'x'.repeat(2000) }]) {
    const n = encodeCall(buf, msg);
    assert.ok(n > 0);
    assert.deepEqual(decodeCall(buf, n), msg);
  }
});

test('an answer decodes as it was encoded, in each of its forms', () => {
  const buf = frameBuffer(2040);
  for (const msg of [
    { type: 'answer', reqId: 1, inline: 'héllo\u0001\n' },
    { type: 'answer', reqId: 2, inline: '' },
    { type: 'answer', reqId: 3, errno: 'NOENT' },
    { type: 'answer', reqId: 4, relayed: true },
  ]) {
    const n = encodeAnswer(buf, msg);
    assert.ok(n > 0);
    assert.deepEqual(decodeAnswer(buf, n), msg);
  }
});

test('a message longer than the buffer is not framed (-1), and the buffer says nothing false', () => {
  const buf = frameBuffer(64);
  assert.equal(encodeCall(buf, { ...call, request: 'x'.repeat(49) }), -1);
  assert.equal(encodeCall(buf, { ...call, name: 'n'.repeat(49) }), -1);
  assert.equal(encodeAnswer(buf, { reqId: 1, inline: 'é'.repeat(29) }), -1); // 58 bytes + 8
  assert.equal(encodeAnswer(buf, { reqId: 1, inline: 'é'.repeat(28) }), 64);
  assert.throws(() => encodeAnswer(buf, { reqId: 1 }), TypeError);
});

test('frames a peer scribbled on are refused', () => {
  const buf = frameBuffer(256);
  const n = encodeCall(buf, call);
  const bad = (mutate, decode, length) => {
    const copy = frameBuffer(256);
    copy.u8.set(buf.u8);
    mutate(copy);
    assert.throws(() => decode(copy, length), ProtocolError);
  };
  bad(() => {}, decodeCall, 15); // shorter than a header
  bad((b) => b.u8[0] = 2, decodeCall, n); // an answer where a call belongs
  bad((b) => b.u8[1] = 1, decodeCall, n); // header padding not zero
  bad((b) => b.view.setUint32(12, n, true), decodeCall, n); // a name longer than the frame
  bad((b) => b.view.setUint32(12, 0xffffffff, true), decodeCall, n);
  const a = encodeAnswer(buf, { reqId: 9, inline: 'x' });
  bad(() => {}, decodeAnswer, 7);
  bad((b) => b.u8[0] = 1, decodeAnswer, a);
  bad((b) => b.u8[1] = 3, decodeAnswer, a); // unknown form
  bad((b) => b.u8[2] = 1, decodeAnswer, a);
  const r = encodeAnswer(buf, { reqId: 9, relayed: true });
  bad(() => {}, decodeAnswer, r + 1); // relayed with trailing bytes
});
