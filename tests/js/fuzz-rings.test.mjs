// tests/js/fuzz-rings.test.mjs — the JS ring classes against garbage: random
// region bytes attached, and live rings whose words a "peer" keeps
// scribbling on, then every public method in random order with valid
// arguments. Each call may return or throw a SabqError, nothing else, and
// none may run past CALL_DEADLINE_MS (waits use timeouts of 0-2 ms).
// Values handed back must make sense: lengths within msgMax or the pipe,
// views inside the memory. SABQ_JS_FUZZ_SEED replays a run; SABQ_JS_FUZZ_MS
// runs longer (default 6 s).
import test from 'node:test';
import assert from 'node:assert/strict';
import { Sabq, SpscRing, Pipe, MpmcQueue, SabqError, END } from '../../bindings-js/src/index.js';

const RUN_MS = Number(process.env.SABQ_JS_FUZZ_MS ?? 6000);
const CALL_DEADLINE_MS = 1000;
const seed0 = Number(process.env.SABQ_JS_FUZZ_SEED ?? (Date.now() % 0xffffffff)) >>> 0 || 1;

let state = seed0;
function rand(n) { // xorshift32: the same seed, the same run
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return n === undefined ? state : state % n;
}
const pick = (a) => a[rand(a.length)];
const bytes = (n) => Uint8Array.from({ length: n }, () => rand(256));
/** Values that find edges more often than uniform noise. */
const nasty = () => pick([0, 0xffffffff, 0x80000000 + rand(65536), rand(4096), rand(), 8, 64, 256]);
const timeout = () => pick([0, 1, 2]);

// Every public method of each class, with valid arguments. The test fails if
// a class gains a method this table does not call (see the last test).
const producer = {
  SpscRing: {
    send: (r) => r.send(bytes(rand(r.msgMax + 9))),
    sendWait: (r) => r.sendWait(bytes(rand(r.msgMax + 1)), timeout()),
    sendAsync: (r) => r.sendAsync(bytes(rand(r.msgMax + 1)), { timeoutMs: timeout(), spinMicros: rand(3) }),
    reserve: (r) => {
      const view = r.reserve(rand(r.msgMax + 9));
      if (view) {
        view.fill(7);
        r.commit(rand(view.length + 1));
      }
      return view;
    },
    commit: () => undefined, // only after a reserve (above): alone it is a usage error
    trySend: (r) => r.trySend(bytes(rand(r.msgMax + 1))),
  },
  Pipe: {
    write: (p) => p.write(bytes(rand(2 * p.capacity))),
    writeWait: (p) => p.writeWait(bytes(rand(2 * p.capacity)), timeout()),
    writeAsync: (p) => p.writeAsync(bytes(rand(2 * p.capacity)), { timeoutMs: timeout() }),
    tryWrite: (p) => p.tryWrite(bytes(rand(64))),
  },
  MpmcQueue: {
    push: (q) => q.push(bytes(rand(q.msgMax + 9))),
    pushWait: (q) => q.pushWait(bytes(rand(q.msgMax + 1)), timeout()),
    pushAsync: (q) => q.pushAsync(bytes(rand(q.msgMax + 1)), { timeoutMs: timeout() }),
    tryPush: (q) => q.tryPush(bytes(rand(q.msgMax + 1))),
  },
};
const consumer = {
  SpscRing: {
    receive: (r) => r.receive(),
    receiveWait: (r) => r.receiveWait(timeout()),
    receiveAsync: (r) => r.receiveAsync({ timeoutMs: timeout() }),
    receiveInto: (r) => r.receiveInto(new Uint8Array(rand(r.msgMax + 9))),
    receiveIntoWait: (r) => r.receiveIntoWait(new Uint8Array(rand(r.msgMax + 9)), timeout()),
    receiveString: (r) => r.receiveString(),
    receiveStringWait: (r) => r.receiveStringWait(timeout()),
    receiveStringAsync: (r) => r.receiveStringAsync({ timeoutMs: timeout() }),
    peek: (r) => {
      const view = r.peek();
      if (view instanceof Uint8Array && rand(2)) r.release();
      return view;
    },
    release: () => undefined, // only after a peek (above)
    tryReceive: (r) => r.tryReceive(),
    tryReceiveInto: (r) => r.tryReceiveInto(new Uint8Array(r.msgMax + 1)),
    tryReceiveString: (r) => r.tryReceiveString(),
  },
  Pipe: {
    read: (p) => p.read(1 + rand(2 * p.capacity)),
    readWait: (p) => p.readWait(1 + rand(2 * p.capacity), timeout()),
    readAsync: (p) => p.readAsync(1 + rand(2 * p.capacity), { timeoutMs: timeout() }),
    readInto: (p) => { const b = new Uint8Array(1 + rand(p.capacity)); return p.readInto(b, rand(b.length)); },
    readIntoWait: (p) => p.readIntoWait(new Uint8Array(64), 0, 64, timeout()),
    tryRead: (p) => p.tryRead(),
    tryReadInto: (p) => p.tryReadInto(new Uint8Array(32)),
  },
  MpmcQueue: {
    pop: (q) => q.pop(),
    popWait: (q) => q.popWait(timeout()),
    popAsync: (q) => q.popAsync({ timeoutMs: timeout() }),
    tryPop: (q) => q.tryPop(),
  },
};
const either = {
  close: (x) => x.close(),
  closed: (x) => x.closed,
  used: (x) => x.used,
  waiters: (x) => x.waiters,
  toJSON: (x) => x.toJSON(),
};
const classes = { SpscRing, Pipe, MpmcQueue };

/** Results a method may hand back, checked against the ring's own geometry. */
function checkResult(name, ring, value) {
  const limit = ring instanceof Pipe ? ring.capacity : ring.msgMax;
  if (value instanceof Uint8Array) {
    assert.ok(value.length <= Math.max(limit, 1) || name === 'reserve', `${name}: ${value.length} bytes > ${limit}`);
  } else if (typeof value === 'number') {
    assert.ok(Number.isFinite(value), `${name}: ${value}`);
    if (name === 'used') assert.ok(value >= 0 && value <= ring.capacity, `used ${value} of ${ring.capacity}`);
    else if (!['toJSON'].includes(name)) assert.ok(value >= -1 && value <= Math.max(limit, 2 * ring.capacity), `${name}: ${value}`);
  } else if (typeof value === 'string') {
    assert.ok(new TextEncoder().encode(value).length <= 3 * limit + 3, `${name}: a string too long`);
  } else {
    assert.ok([null, END, true, false, undefined].includes(value) || typeof value === 'object', `${name}: ${String(value)}`);
  }
}

/** Calls one method; only a SabqError may come out, and not late. */
async function call(name, fn, ring, where) {
  const t0 = performance.now();
  let value;
  try {
    value = fn(ring);
    if (value instanceof Promise) {
      let timer;
      const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${where}: ${name} still pending after ${CALL_DEADLINE_MS} ms`)), CALL_DEADLINE_MS);
      });
      try {
        value = await Promise.race([value, late]);
      } finally {
        clearTimeout(timer);
      }
    }
  } catch (e) {
    if (!(e instanceof SabqError)) throw new Error(`${where}: ${name} threw ${e?.name}: ${e?.message}`, { cause: e });
    return;
  }
  const took = performance.now() - t0;
  assert.ok(took < CALL_DEADLINE_MS, `${where}: ${name} took ${took} ms`);
  checkResult(name, ring, value);
}

function create(sabq, kind, offset, capacity, msgMax) {
  return kind === 'SpscRing' ? SpscRing.create(sabq, offset, capacity) :
    kind === 'Pipe' ? Pipe.create(sabq, offset, capacity) : MpmcQueue.create(sabq, offset, capacity, msgMax);
}

/** The peer: a 32-bit store (or a byte) anywhere in the region. */
function scribble(sabq, ring) {
  const words = ring.size >> 2;
  if (rand(4) === 0) sabq.u8[ring.offset + rand(ring.size)] = rand(256);
  else sabq.u32[(ring.offset >> 2) + (rand(8) === 0 ? rand(words) : rand(Math.min(words, 64)))] = nasty();
}

test(`JS ring methods on garbage and scribbled rings: only SabqError, never late (seed ${seed0})`, async () => {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
  const sabq = await Sabq.instantiate(memory);
  const counts = { rings: 0, attached: 0, refused: 0, calls: 0 };
  const warn = console.warn; // the deprecated aliases warn once each: not news here
  console.warn = () => {};
  try {
    await fuzz(sabq, memory, counts);
  } finally {
    console.warn = warn;
  }
  console.log(`# js fuzz: ${counts.rings} rings (${counts.attached} attached from random bytes, ` +
    `${counts.refused} refused), ${counts.calls} calls, seed ${seed0}`);
  assert.ok(counts.calls > 1000, 'too few calls to mean anything');
});

async function fuzz(sabq, memory, counts) {
  const end = Date.now() + RUN_MS;
  while (Date.now() < end) {
    const iteration = counts.rings++;
    const where = `seed ${seed0}, ring ${iteration}`;
    const kind = pick(Object.keys(classes));
    const cls = classes[kind];
    const offset = 64 * (1 + rand(16));
    const capacity = kind === 'MpmcQueue' ? 2 << rand(6) : 16 << rand(8);
    const msgMax = kind === 'MpmcQueue' ? 1 + rand(256) : undefined;
    sabq.u8.fill(0);
    let ring;
    if (rand(2) === 0) { // random bytes, attached
      let size = 64 * rand(80);
      if (rand(3)) {
        // A real header over random bytes (indices, caches, events, data),
        // now and then with one header word scribbled too.
        const made = create(sabq, kind, offset, capacity, msgMax);
        size = made.size;
        sabq.u8.set(bytes(size - 32), offset + 32);
        if (rand(3) === 0) sabq.u32[(offset >> 2) + 1 + rand(7)] = nasty();
      } else {
        sabq.u8.set(bytes(size), offset);
      }
      try {
        ring = cls.attach(sabq, offset, rand(8) ? size : rand(size + 1));
        counts.attached++;
      } catch (e) {
        if (!(e instanceof SabqError)) throw new Error(`${where}: attach threw ${e?.name}: ${e?.message}`);
        counts.refused++;
        continue;
      }
    } else {
      ring = create(sabq, kind, offset, capacity, msgMax);
    }
    assert.ok(ring.offset + ring.size <= memory.buffer.byteLength, `${where}: a ring beyond the memory`);
    const methods = { ...producer[kind], ...consumer[kind], ...either };
    const names = Object.keys(methods);
    for (let step = 0; step < 40; step++) {
      if (rand(3) === 0) scribble(sabq, ring);
      const name = pick(names);
      await call(name, methods[name], ring, `${where}, step ${step}`);
      counts.calls++;
    }
  }
}

test('the fuzz table calls every public method of each ring class', () => {
  for (const [kind, cls] of Object.entries(classes)) {
    const covered = new Set([...Object.keys(producer[kind]), ...Object.keys(consumer[kind]), ...Object.keys(either)]);
    for (let p = cls.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const n of Object.getOwnPropertyNames(p)) {
        if (n === 'constructor' || n.startsWith('_') || n === 'inData') continue;
        assert.ok(covered.has(n), `${kind}.${n} is never called by the fuzz`);
      }
    }
  }
});
