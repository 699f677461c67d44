// tests/js/wasip1-fuzz.test.mjs — no preview1 call traps, whatever a plugin
// passes: every function of the import object a plugin gets (PluginSystem,
// over a memory mount, a quota-limited mount and an image overlay) called
// many times with arguments drawn from bad fds, bad pointers, bad lengths,
// bad flags and out-of-range 64-bit values, in the forms wasm hands them to
// JS (i32 as signed Numbers, i64 as signed BigInts). Each call must return an
// errno; a throw would be a trap. Seeded: SABQ_FUZZ_SEED=N replays a run.
// (plugins/wasip1.c `badargs` does the same from C, through a real plugin,
// in every environment.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as shim from '@bjorn3/browser_wasi_shim';
import { PluginSystem } from '../../bindings-js/src/wasi/system.js';
import { ImageReader, packImage } from '../../bindings-js/src/wasi/fs/image.js';

const ROUNDS = Number(process.env.SABQ_FUZZ_ROUNDS ?? 30000);
const SEED = Number(process.env.SABQ_FUZZ_SEED ?? 17);
const PAGE = 65536;

// Each call's parameters, from the witx. Kinds: fd; out (where a result is
// written); path, iovs, buf (a pointer and a length: two arguments); len;
// flags (flags or an enum); u64 (an i64 argument); poll (subscriptions).
const SIGNATURES = {
  args_get: ['out', 'out'], args_sizes_get: ['out', 'out'], environ_get: ['out', 'out'], environ_sizes_get: ['out', 'out'],
  clock_res_get: ['flags', 'out'], clock_time_get: ['flags', 'u64', 'out'],
  fd_advise: ['fd', 'u64', 'u64', 'flags'], fd_allocate: ['fd', 'u64', 'u64'], fd_close: ['fd'], fd_datasync: ['fd'],
  fd_fdstat_get: ['fd', 'out'], fd_fdstat_set_flags: ['fd', 'flags'], fd_fdstat_set_rights: ['fd', 'u64', 'u64'],
  fd_filestat_get: ['fd', 'out'], fd_filestat_set_size: ['fd', 'u64'], fd_filestat_set_times: ['fd', 'u64', 'u64', 'flags'],
  fd_pread: ['fd', 'iovs', 'u64', 'out'], fd_prestat_get: ['fd', 'out'], fd_prestat_dir_name: ['fd', 'buf'],
  fd_pwrite: ['fd', 'iovs', 'u64', 'out'], fd_read: ['fd', 'iovs', 'out'], fd_readdir: ['fd', 'buf', 'u64', 'out'],
  fd_renumber: ['fd', 'fd'], fd_seek: ['fd', 'u64', 'flags', 'out'], fd_sync: ['fd'], fd_tell: ['fd', 'out'],
  fd_write: ['fd', 'iovs', 'out'],
  path_create_directory: ['fd', 'path'], path_filestat_get: ['fd', 'flags', 'path', 'out'],
  path_filestat_set_times: ['fd', 'flags', 'path', 'u64', 'u64', 'flags'],
  path_link: ['fd', 'flags', 'path', 'fd', 'path'],
  path_open: ['fd', 'flags', 'path', 'flags', 'u64', 'u64', 'flags', 'out'],
  path_readlink: ['fd', 'path', 'buf', 'out'], path_remove_directory: ['fd', 'path'],
  path_rename: ['fd', 'path', 'fd', 'path'], path_symlink: ['path', 'fd', 'path'],
  path_unlink_file: ['fd', 'path'], poll_oneoff: ['poll', 'out', 'len', 'out'],
  proc_raise: ['flags'], sched_yield: [], random_get: ['buf'],
  sock_accept: ['fd', 'flags', 'out'], sock_recv: ['fd', 'iovs', 'flags', 'out', 'out'],
  sock_send: ['fd', 'iovs', 'flags', 'out'], sock_shutdown: ['fd', 'flags'],
};
// proc_exit ends the program by design (it throws the shim's exit, which start() catches).
const NOT_FUZZED = ['proc_exit'];

// Names the fuzzer writes into memory, so some paths resolve: [offset, text].
const NAMES = [[64, 'a.txt'], [80, 'd'], [88, '.'], [96, 'd/b.txt'], [112, 'ln'], [120, '..'], [128, 'new'], [136, '\u00e9\u00e8'], [144, 'd/new2']];
const IOVS_AT = 2048; // two iovecs, over buffers at 2560 and 2816
const OUT_AT = 3072; // results land from here
const POLL_AT = 4096; // subscriptions that never wait long: clocks of 0 ns, fd_read of /dev/null

function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** Argument values: `good` ones let a call get past its checks, `bad` ones must be refused. */
function values(memBytes) {
  const i32 = (v) => v | 0;
  const badPtr = [memBytes - 1, memBytes - 8, memBytes, i32(memBytes + 8), -1, -16, 0x7fffffff, i32(0x80000000)];
  const badLen = [0x7fffffff, -1, -8, memBytes];
  const enc = new TextEncoder();
  return {
    good: {
      fd: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      out: [OUT_AT, OUT_AT + 128, OUT_AT + 256],
      path: NAMES.map(([at, text]) => [at, enc.encode(text).length]),
      iovs: [[IOVS_AT, 1], [IOVS_AT, 2], [IOVS_AT, 0]],
      buf: [[2560, 256], [2560, 3], [2560, 0]],
      len: [1, 2, 3],
      flags: [0, 0, 1, 2, 3, 4, 8],
      u64: [0n, 0n, 1n, 5n, 100n, 0x3ffbfn /* rights: most but FD_WRITE */],
      poll: [POLL_AT, POLL_AT + 48],
    },
    bad: {
      fd: [-1, 900, 0x7fffffff, i32(0xffffffff)],
      out: badPtr,
      path: [...badPtr.map((p) => [p, 4]), [64, 0x7fffffff], [64, -1], [0, 0]],
      iovs: [...badPtr.map((p) => [p, 1]), [IOVS_AT + 16, 1], [IOVS_AT, 0x7fffffff], [IOVS_AT, -1]],
      buf: [...badPtr.map((p) => [p, 16]), [2560, 0x7fffffff], [2560, -1]],
      len: [0, 0x7fffffff, -1, ...badLen],
      flags: [0x10, 0x1f, 0xff, 0xffff, -1, 0x7fffffff],
      u64: [-1n, -2n, 1n << 40n, (1n << 63n) - 1n, -(1n << 63n), 1n << 53n, (1n << 64n) - 1n],
      poll: [memBytes - 8, -1, 0],
    },
  };
}

async function system() {
  const image = new ImageReader(await packImage([
    { path: 'a.txt', type: 'file', data: new TextEncoder().encode('image file') },
    { path: 'd', type: 'dir' },
    { path: 'd/b.txt', type: 'file', data: new Uint8Array(100) },
  ]));
  const s = await PluginSystem.create({
    shim, args: ['fuzz', 'ärg'], env: ['K=v'], stdio: { stdin: null, stdout: null, stderr: null }, tty: false, host: null,
  }, [
    { kind: 'memory', path: '/m', entries: [
      { path: 'a.txt', type: 'file', data: new TextEncoder().encode('memory file') },
      { path: 'd', type: 'dir' },
      { path: 'ln', type: 'symlink', target: 'a.txt' },
    ] },
    { kind: 'memory', path: '/q', entries: [], limits: { maxBytes: 1 << 20, maxFiles: 50, maxFileSize: 1 << 16, maxOpenFiles: 8 } },
    { kind: 'image', path: '/i', image: image.buffer, readOnly: false },
  ]);
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 4 });
  s.memory.bind(memory);
  s.shim.inst = { exports: { memory } }; // what start() would set: the shim's clocks read it
  return { s, memory };
}

/** Writes the names, iovecs and harmless poll subscriptions the fuzzer's pointers land on. */
function seedMemory(memory) {
  const u8 = new Uint8Array(memory.buffer);
  const view = new DataView(memory.buffer);
  const enc = new TextEncoder();
  for (const [at, text] of NAMES) u8.set(enc.encode(text), at);
  view.setUint32(IOVS_AT, 2560, true);
  view.setUint32(IOVS_AT + 4, 200, true);
  view.setUint32(IOVS_AT + 8, 2816, true);
  view.setUint32(IOVS_AT + 12, 100, true);
  view.setUint32(IOVS_AT + 16, memory.buffer.byteLength - 4, true); // a third, bad one: past the end
  view.setUint32(IOVS_AT + 20, 100, true);
  for (let i = 0; i < 4; i++) {
    const at = POLL_AT + i * 48;
    u8.fill(0, at, at + 48);
    view.setUint8(at + 8, i === 1 ? 1 : 0); // a clock (0 ns), or fd_read of fd 0 (/dev/null: ready)
    view.setUint32(at + 16, i === 1 ? 0 : 1, true); // clock id: monotonic
  }
}

test(`every preview1 call, ${ROUNDS} times with bad fds, pointers, lengths and flags: an errno each, never a throw (seed ${SEED})`, { timeout: 240_000 }, async () => {
  const random = rng(SEED);
  const names = Object.keys(SIGNATURES);
  const seen = new Map();
  let sys = null;
  for (let round = 0; round < ROUNDS; round++) {
    // A fresh system now and then: the fuzzer closes and renumbers what it is given.
    if (round % 400 === 0) {
      sys?.s.finish(); // closes whatever is left open, each once
      sys = await system();
      const imports = sys.s.imports.wasi_snapshot_preview1;
      for (const name of Object.keys(imports)) {
        assert.ok(name in SIGNATURES || NOT_FUZZED.includes(name), `${name} has no signature here: add it`);
      }
      sys.imports = imports;
      sys.v = values(sys.memory.buffer.byteLength);
      seedMemory(sys.memory);
      // Open files and directories beyond the preopens, for the calls that take them.
      for (const [dir, path, oflags, rights] of [[3, 'a.txt', 0, (1n << 29n) - 1n], [3, 'd', 2, 1n << 13n], [5, 'a.txt', 0, 1n << 1n]]) {
        const at = NAMES.find(([, t]) => t === path)[0];
        assert.equal(imports.path_open(dir, 0, at, path.length, oflags, rights & ~(oflags ? 1n << 6n : 0n), rights, 0, OUT_AT), 0);
      }
    }
    if (round % 50 === 0) seedMemory(sys.memory);
    const name = names[round % names.length];
    const bad = random() < 0.5; // then each argument is bad with some chance; else all are good
    const args = SIGNATURES[name].flatMap((kind) => {
      const from = bad && random() < 0.4 ? sys.v.bad : sys.v.good;
      const list = from[kind];
      return list[Math.floor(random() * list.length)];
    });
    let r;
    try {
      r = sys.imports[name](...args);
    } catch (e) {
      assert.fail(`${name}(${args.join(', ')}) threw (a trap in a plugin): ${e?.stack ?? e}`);
    }
    assert.ok(Number.isInteger(r) && r >= 0 && r <= 76, `${name}(${args.join(', ')}) returned ${r}, not an errno`);
    const errnos = seen.get(name) ?? new Set();
    errnos.add(r);
    seen.set(name, errnos);
  }
  sys.s.finish();
  // Each call was reached; most both succeeded for some arguments and refused others.
  const summary = [...seen].map(([name, e]) => `${name}:${[...e].sort((a, b) => a - b).join('/')}`);
  console.log(`# errnos per call: ${summary.join(' ')}`);
  assert.equal(seen.size, names.length);
  const succeeded = [...seen].filter(([, e]) => e.has(0)).map(([n]) => n);
  const never = names.filter((n) => !succeeded.includes(n));
  assert.ok(never.length <= 6, `calls that never got past their checks: ${never.join(' ')}`);
  for (const n of ['fd_read', 'fd_write', 'path_open', 'fd_readdir', 'fd_renumber', 'poll_oneoff']) {
    assert.ok(succeeded.includes(n), `${n} never succeeded: the fuzzer does not reach its work`);
  }
  const faulted = [...seen].filter(([, e]) => e.has(21)).length; // 28 calls take a pointer
  assert.ok(faulted >= 25, `only ${faulted} calls ever saw a bad pointer`);
});

test('a file larger than the worker can hold is ENOSPC, and the file and the quota are as before', async () => {
  const { s, memory } = await system();
  const p1 = s.imports.wasi_snapshot_preview1;
  seedMemory(memory);
  const view = new DataView(memory.buffer);
  assert.equal(p1.path_open(3, 0, 64, 5, 0, (1n << 6n) | (1n << 8n) | (1n << 21n), 0n, 0, 512), 0);
  const fd = view.getUint32(512, true);
  const quota = s.mounts[0].quota.bytes;
  assert.equal(p1.fd_allocate(fd, 0n, 1n << 40n), 51, 'ENOSPC');
  assert.equal(p1.fd_filestat_set_size(fd, 1n << 40n), 76 /* no FD_FILESTAT_SET_SIZE right: NOTCAPABLE */);
  assert.equal(p1.fd_filestat_get(fd, 1024), 0);
  assert.equal(view.getBigUint64(1024 + 32, true), 11n, 'size unchanged');
  assert.equal(s.mounts[0].quota.bytes, quota, 'the quota charge was given back');
  s.finish();
});

test('args and environment are sized and written in UTF-8 bytes', async () => {
  const { s, memory } = await system();
  const p1 = s.imports.wasi_snapshot_preview1;
  const view = new DataView(memory.buffer);
  const u8 = new Uint8Array(memory.buffer);
  const read = (sizes, get) => {
    assert.equal(sizes(0, 4), 0);
    const [count, bytes] = [view.getUint32(0, true), view.getUint32(4, true)];
    assert.equal(get(64, 1024), 0);
    const out = [];
    for (let i = 0; i < count; i++) {
      const at = view.getUint32(64 + i * 4, true);
      out.push(new TextDecoder().decode(u8.subarray(at, u8.indexOf(0, at))));
    }
    return { bytes, out };
  };
  const args = read(p1.args_sizes_get, p1.args_get);
  assert.deepEqual(args.out, ['fuzz', 'ärg']);
  assert.equal(args.bytes, 5 + 5, "'ärg' is 4 bytes, and each has its NUL");
  assert.equal(u8[1024 + 9], 0, 'the last NUL is inside the size given');
  assert.deepEqual(read(p1.environ_sizes_get, p1.environ_get).out, ['K=v']);
  assert.equal(p1.args_get(64, memory.buffer.byteLength - 4), 21, 'a buffer too close to the end: EFAULT');
  s.finish();
});
