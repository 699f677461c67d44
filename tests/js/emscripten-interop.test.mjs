// tests/js/emscripten-interop.test.mjs — same bytes everywhere: a C program
// built with emscripten (tests/emscripten/interop.c) writes rings in its own
// heap, and the JS binding — sabq.wasm instantiated against that program's
// memory, writing no byte it was not asked to — reads them; then JS writes and
// the C side reads. Needs `make test-emscripten`'s build/em/interop.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, existsSync } from 'node:fs';
import { Sabq, SpscRing, MpmcQueue, END } from '../../bindings-js/src/index.js';

const js = new URL('../../build/em/interop.js', import.meta.url);
const skip = existsSync(js) ? false : 'build/em/interop.js is not built (make test-emscripten)';

async function load() {
  const createInterop = createRequire(import.meta.url)(js.pathname);
  // Hand the module its bytes: emscripten 3.1.6 would try fetch() under Node 20.
  const mod = await createInterop({ wasmBinary: readFileSync(new URL('interop.wasm', js)) });
  const sabq = await Sabq.instantiate(mod.wasmMemory);
  return { mod, sabq };
}

test('C (emscripten) writes an SPSC ring, JS reads it; JS writes one, C reads it', { skip }, async () => {
  const { mod, sabq } = await load();
  const cap = 1 << 16;
  const size = SpscRing.size(sabq, cap);
  const fromC = mod._interop_alloc(size);
  assert.equal(mod._interop_spsc_write(fromC, cap, 1000), 0);
  const ring = SpscRing.attach(sabq, fromC, size);
  for (let i = 0; i < 1000; i++) assert.equal(ring.receiveString(), `message ${i}`);
  assert.equal(ring.receiveString(), END, 'C closed it');

  const toC = mod._interop_alloc(size);
  const out = SpscRing.create(sabq, toC, cap);
  for (let i = 0; i < 1000; i++) assert.equal(out.send(`from js ${i}`), true);
  out.close();
  assert.equal(mod._interop_spsc_read(toC, size), 1000);
});

test('C (emscripten) fills an MPMC queue, JS pops it', { skip }, async () => {
  const { mod, sabq } = await load();
  const size = MpmcQueue.size(sabq, 64, 8);
  const at = mod._interop_alloc(size);
  assert.equal(mod._interop_mpmc_write(at, 64, 50), 0);
  const q = MpmcQueue.attach(sabq, at, size);
  for (let i = 0; i < 50; i++) {
    const m = q.pop();
    assert.equal(new DataView(m.buffer, m.byteOffset, 4).getUint32(0, true), i);
  }
  assert.equal(q.pop(), null, 'empty, still open');
});
