// tests/js/ring-api.test.mjs — the parts of the ring-level JS API that no
// other test reached: Sabq.ensure after the memory grows, canBlock in the main
// thread and in a worker, the keepAlive and spinMicros options of the async
// calls, and bindings-js/index.d.ts against what the ring classes really have.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { Sabq, SpscRing, Pipe, MpmcQueue, canBlock, layout } from '../../bindings-js/src/index.js';
import { Region } from '../../bindings-js/src/rings/region.js';

const indexUrl = new URL('../../bindings-js/src/index.js', import.meta.url).href;

test('Sabq.ensure replaces the cached views only when the memory grew past them', async () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
  const sabq = await Sabq.instantiate(memory);
  const u8 = sabq.u8;
  assert.equal(u8.length, 65536);
  sabq.ensure(1000);
  assert.equal(sabq.u8, u8, 'bytes already covered: the same views');
  memory.grow(2);
  assert.equal(sabq.u8.length, 65536, 'views are kept until asked for more');
  sabq.ensure(65536 + 100);
  assert.equal(sabq.u8.length, 3 * 65536);
  assert.equal(sabq.u32.length, 3 * 65536 / 4);
  assert.equal(sabq.i32.length, 3 * 65536 / 4);
  // A ring in the grown part: its constructor ensures its own bytes.
  const fresh = await Sabq.instantiate(memory); // views of the first page only until asked
  const ring = SpscRing.create(fresh, 2 * 65536, 4096);
  assert.ok(fresh.u8.length >= 2 * 65536 + ring.size);
  assert.equal(ring.send('beyond the first page'), true);
  assert.equal(new TextDecoder().decode(ring.receive()), 'beyond the first page');
});

test('canBlock: true in Node\'s main thread and in a worker', async () => {
  assert.equal(canBlock(), true);
  const worker = new Worker(
    `import { canBlock } from ${JSON.stringify(indexUrl)};
     import { parentPort } from 'node:worker_threads';
     parentPort.postMessage(canBlock());`,
    { eval: true, type: 'module' },
  );
  const answer = await new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  assert.equal(answer, true);
  // (false on a browser main thread: tests/browser/rings.test.mjs)
});

/** Runs a module script in a fresh Node and returns how long it took and its output. */
function runScript(body) {
  const script = `
    import { Sabq, SpscRing } from ${JSON.stringify(indexUrl)};
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const sabq = await Sabq.instantiate(memory);
    const ring = SpscRing.create(sabq, 64, 1024);
    ${body}`;
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30000 });
  return { ...r, ms: performance.now() - t0 };
}

test('keepAlive: false lets Node exit while a wait is pending; the default keeps it for the wait', () => {
  // Nothing else is scheduled: with keepAlive false the pending waitAsync
  // must not hold the process for its 20 s timeout.
  const free = runScript(`
    ring.receiveAsync({ timeoutMs: 20000, keepAlive: false }).then((m) => console.log('resolved', m));
    console.log('waiting');`);
  assert.equal(free.status, 0, free.stderr);
  assert.equal(free.stdout.trim(), 'waiting', 'exited without the wait resolving');
  assert.ok(free.ms < 15000, `took ${free.ms} ms`);
  // The default holds the process until the wait ends (here: its timeout).
  const held = runScript(`
    const t0 = performance.now();
    const m = await ring.receiveAsync({ timeoutMs: 400 });
    console.log('resolved', m, performance.now() - t0 >= 399);`);
  assert.equal(held.status, 0, held.stderr);
  assert.equal(held.stdout.trim(), 'resolved null true');
});

test('spinMicros: how long the async call spins before it parks, at most 100 us', async () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const sabq = await Sabq.instantiate(memory);
  const ring = SpscRing.create(sabq, 64, 1024);
  const waiters = () => Atomics.load(sabq.i32, (64 + layout.READABLE_WAITERS) >> 2);
  // The synchronous part of the call spins, then announces itself and parks.
  const timeSync = (options) => {
    const t0 = performance.now();
    const p = ring.receiveAsync({ timeoutMs: 5000, ...options });
    return [performance.now() - t0, p];
  };
  const [spun, p1] = timeSync({ spinMicros: 100 });
  assert.ok(spun >= 0.1, `spun ${spun} ms, asked for 0.1`);
  assert.equal(waiters(), 1, 'parked after the spin');
  ring.send('one');
  assert.equal(new TextDecoder().decode(await p1), 'one');
  assert.equal(waiters(), 0);
  const [capped, p2] = timeSync({ spinMicros: 10_000_000 }); // 10 s asked, 100 us given
  assert.ok(capped < 1000, `spun ${capped} ms: the cap of 100 us did not hold`);
  assert.equal(waiters(), 1);
  ring.send('two');
  assert.equal(new TextDecoder().decode(await p2), 'two');
  const [none, p3] = timeSync({ spinMicros: 0 });
  assert.equal(waiters(), 1, 'spinMicros 0 parks at once');
  ring.close();
  await p3;
  assert.ok(none < spun + 50);
});

// ---- index.d.ts against the classes ---------------------------------------------

/** Members declared in one `class NAME ... { ... }` block of index.d.ts. */
function declared(dts, name) {
  const start = dts.search(new RegExp(`class ${name}\\b[^{]*\\{`));
  assert.ok(start >= 0, `index.d.ts declares no class ${name}`);
  let depth = 0;
  let i = dts.indexOf('{', start);
  const from = i;
  for (; i < dts.length; i++) {
    if (dts[i] === '{') depth++;
    if (dts[i] === '}' && --depth === 0) break;
  }
  const body = dts.slice(from + 1, i).replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const members = { instance: new Set(), static: new Set() };
  for (const line of body.split('\n')) {
    const m = line.match(/^\s{2}(static\s+)?(?:readonly\s+)?(?:get\s+)?([A-Za-z_$][\w$]*)\s*[(:?<]/);
    if (m) members[m[1] ? 'static' : 'instance'].add(m[2]);
  }
  return members;
}

/** Public members a class really has: its prototype chain up to Region, and
 * the fields its constructor sets. Leading underscore means internal. */
function actual(cls, instance) {
  const names = new Set();
  for (let p = cls.prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) if (n !== 'constructor' && !n.startsWith('_')) names.add(n);
  }
  for (const n of Object.keys(instance)) if (!n.startsWith('_')) names.add(n);
  const statics = new Set();
  for (let c = cls; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    for (const n of Object.getOwnPropertyNames(c)) if (!['length', 'name', 'prototype'].includes(n)) statics.add(n);
  }
  return { names, statics };
}

// Public in JS for the binding's own files, not part of the API.
const INTERNAL = new Set(['inData', 'kind', 'dataStart', 'readable', 'writable', 'sizeFor', 'layOut', 'validate']);

test('index.d.ts declares what the ring classes have, and nothing they lack', async () => {
  const dts = readFileSync(new URL('../../bindings-js/index.d.ts', import.meta.url), 'utf8');
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const sabq = await Sabq.instantiate(memory);
  const base = declared(dts, 'Region');
  const rings = {
    SpscRing: [SpscRing, SpscRing.create(sabq, 64, 1024)],
    Pipe: [Pipe, Pipe.create(sabq, 64 * 30, 1024)],
    MpmcQueue: [MpmcQueue, MpmcQueue.create(sabq, 64 * 60, 4, 16)],
  };
  for (const [name, [cls, instance]] of Object.entries(rings)) {
    const d = declared(dts, name);
    const decl = new Set([...base.instance, ...d.instance]);
    const { names, statics } = actual(cls, instance);
    for (const n of decl) assert.ok(names.has(n), `index.d.ts declares ${name}.${n}, which does not exist`);
    for (const n of names) {
      if (!INTERNAL.has(n)) assert.ok(decl.has(n), `${name}.${n} exists but index.d.ts does not declare it`);
    }
    for (const n of d.static) assert.ok(statics.has(n), `index.d.ts declares static ${name}.${n}, which does not exist`);
    for (const n of statics) {
      if (!INTERNAL.has(n)) assert.ok(d.static.has(n), `static ${name}.${n} exists but index.d.ts does not declare it`);
    }
  }
  // Region's own declaration, and Sabq's.
  const region = actual(Region, rings.SpscRing[1]);
  for (const n of base.instance) assert.ok(region.names.has(n), `index.d.ts declares Region.${n}, which does not exist`);
  const s = declared(dts, 'Sabq');
  const real = actual(Sabq, sabq);
  for (const n of s.instance) assert.ok(real.names.has(n), `index.d.ts declares Sabq.${n}, which does not exist`);
  for (const n of s.static) assert.ok(real.statics.has(n), `index.d.ts declares static Sabq.${n}, which does not exist`);
  for (const n of ['ensure', 'memory']) assert.ok(s.instance.has(n), `Sabq.${n} undeclared`);
});
