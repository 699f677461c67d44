// tests/js/payload.mjs — test messages whose every byte derives from
// (producer, sequence), so loss, duplication, reordering and tearing all show.
// No Node imports: the browser tests use it too.

/** The payload of message `seq` from producer `id`: 8..40 bytes, all derived from (id, seq). */
export function payload(id, seq) {
  const len = 8 + (seq % 33);
  const bytes = new Uint8Array(len);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, id, true);
  dv.setUint32(4, seq, true);
  for (let i = 8; i < len; i++) bytes[i] = (id * 31 + seq * 7 + i) & 0xff;
  return bytes;
}

/** Checks a payload and returns [id, seq]; throws on any wrong byte. */
export function checkPayload(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const id = dv.getUint32(0, true);
  const seq = dv.getUint32(4, true);
  if (bytes.length !== 8 + (seq % 33)) throw new Error(`bad length ${bytes.length} for seq ${seq}`);
  for (let i = 8; i < bytes.length; i++) {
    if (bytes[i] !== ((id * 31 + seq * 7 + i) & 0xff)) throw new Error(`bad byte ${i} in (${id}, ${seq})`);
  }
  return [id, seq];
}
