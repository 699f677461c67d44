// tests/js/wait.test.mjs — waiting from JavaScript: waitAsync wake-ups,
// timeouts, close waking waiters, the polling fallback, and Node staying alive
// while a promise waits on a ring.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { SpscRing, Pipe, END, waitOptions, layout } from '../../bindings-js/src/index.js';
import { freshSabq, runWorker } from './helpers.mjs';

test('receiveAsync is woken by a worker that sends later', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  const pending = ring.receiveAsync({ timeoutMs: 10000 });
  const worker = runWorker(sabq, { kind: 'spsc', role: 'produce', offset: ring.offset, size: ring.size, count: 1 });
  const m = await pending;
  assert.ok(m instanceof Uint8Array);
  assert.equal((await worker).ok, true);
});

test('receiveAsync times out with null, no sooner than asked', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  const t0 = performance.now();
  assert.equal(await ring.receiveAsync({ timeoutMs: 30 }), null);
  const took = performance.now() - t0;
  assert.ok(took >= 29 && took < 1000, `took ${took} ms`);
  // the waiter withdrew its announcement
  assert.equal(new Int32Array(sabq.memory.buffer)[(64 + layout.READABLE_WAITERS) >> 2], 0);
});

test('blocking receive times out with null; close wakes a blocked worker with END', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  const t0 = performance.now();
  assert.equal(ring.receiveWait(20), null); // Node's main thread may block
  assert.ok(performance.now() - t0 >= 19);
  // A worker blocks in receive with a long timeout; close must wake it at once.
  const consumer = runWorker(sabq, { kind: 'spsc', role: 'consume', offset: ring.offset, size: ring.size, count: 10, timeoutMs: 60000 });
  const i32 = new Int32Array(sabq.memory.buffer);
  while (Atomics.load(i32, (64 + layout.READABLE_WAITERS) >> 2) === 0) await new Promise((r) => setTimeout(r, 1));
  const t1 = performance.now();
  ring.close();
  const c = await consumer;
  assert.equal(c.ok, true, c.error);
  assert.equal(c.received, 0);
  assert.ok(performance.now() - t1 < 5000);
});

// sendWait and receiveIntoWait make the first try themselves and hand blockOn
// the rest: the timeout must still hold (it counts from the end of the spin),
// the wait must be withdrawn, and a send that timed out must have sent nothing.
test('sendWait on a full ring and receiveIntoWait on an empty one time out, no sooner than asked', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 256);
  const i32 = new Int32Array(sabq.memory.buffer);
  const buf = new Uint8Array(64);
  let t0 = performance.now();
  assert.equal(ring.receiveIntoWait(buf, 20), null);
  let took = performance.now() - t0;
  assert.ok(took >= 19 && took < 1000, `receiveIntoWait took ${took} ms`);
  assert.equal(Atomics.load(i32, (64 + layout.READABLE_WAITERS) >> 2), 0);

  let sent = 0;
  while (ring.send(new Uint8Array([sent]))) sent++; // full
  assert.ok(sent > 1);
  t0 = performance.now();
  assert.equal(ring.sendWait(new Uint8Array([0xee]), 20), false);
  took = performance.now() - t0;
  assert.ok(took >= 19 && took < 1000, `sendWait took ${took} ms`);
  assert.equal(Atomics.load(i32, (64 + layout.WRITABLE_WAITERS) >> 2), 0);
  for (let i = 0; i < sent; i++) {
    assert.equal(ring.receiveIntoWait(buf, 1000), 1);
    assert.equal(buf[0], i);
  }
  assert.equal(ring.receive(), null); // the timed-out send left nothing behind
});

test('an AbortSignal rejects a pending receiveAsync at once', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  const ac = new AbortController();
  const pending = ring.receiveAsync({ signal: ac.signal });
  setTimeout(() => ac.abort(), 10);
  await assert.rejects(pending, (e) => e.name === 'AbortError');
});

test('without Atomics.waitAsync, the polling fallback still delivers', async () => {
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  waitOptions.forcePolling = true;
  try {
    const pending = ring.receiveAsync({ timeoutMs: 10000 });
    const worker = runWorker(sabq, { kind: 'spsc', role: 'produce', offset: ring.offset, size: ring.size, count: 1 });
    assert.ok((await pending) instanceof Uint8Array);
    await worker;
    ring.close();
    assert.equal(await ring.receiveAsync({ timeoutMs: 1000 }), END);
  } finally {
    waitOptions.forcePolling = false;
  }
});

test('Node stays alive while a promise awaits a ring, and exits after', () => {
  // A pending Atomics.waitAsync alone does not keep Node running: here the only
  // other thing scheduled is an unref'd timer, so without the binding's hold
  // Node would exit before the message is sent.
  const script = `
    import { Sabq, SpscRing } from ${JSON.stringify(new URL('../../bindings-js/src/index.js', import.meta.url).href)};
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const sabq = await Sabq.instantiate(memory);
    const ring = SpscRing.create(sabq, 64, 1024);
    setTimeout(() => ring.send('late hello'), 300).unref();
    const m = await ring.receiveStringAsync({ timeoutMs: 5000 });
    console.log('got', m);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /got late hello/);
});

test('a blocking receive or pipe read spins waitOptions.spin tries once, then parks', async () => {
  // The ring and the pipe spin in loops of their own and hand blockOn only
  // the park: a blockOn that spun again would double the time a waiter burns.
  const sabq = await freshSabq();
  const ring = SpscRing.create(sabq, 64, 4096);
  const pipe = Pipe.create(sabq, 64 + Math.ceil(ring.size / 64) * 64, 4096);
  const saved = waitOptions.spin;
  waitOptions.spin = 500;
  try {
    let looks = 0;
    const sealAppeared = ring._sealAppeared;
    ring._sealAppeared = () => {
      looks++;
      return sealAppeared();
    };
    assert.equal(ring.receiveIntoWait(new Uint8Array(8), 1), null); // empty: times out
    assert.ok(looks >= 500 && looks < 510, `receiveIntoWait looked ${looks} times`);
    looks = 0;
    assert.equal(ring.receiveWait(1), null);
    assert.ok(looks >= 500 && looks < 510, `receiveWait looked ${looks} times`);
    let tries = 0;
    const readInto = pipe.readInto.bind(pipe);
    pipe.readInto = (...args) => {
      tries++;
      return readInto(...args);
    };
    assert.equal(pipe.readIntoWait(new Uint8Array(8), 0, 8, 1), -1);
    assert.ok(tries >= 501 && tries < 510, `readIntoWait tried ${tries} times`);
  } finally {
    waitOptions.spin = saved;
  }
});
