// tests/browser/opfs-page.js — the page of the OPFS test: makes a fresh
// directory in the origin private file system with the subdirectories the
// worker mounts (some with files already in them), starts their helpers as a
// coordinator does (and some that fail to start), runs tests/browser/
// opfs-worker.js, then reads back through the async OPFS API what the
// worker's synchronous calls left there, and removes the directory. Results go
// to window.__result for tests/browser/opfs.test.mjs.
const enc = new TextEncoder();
const dec = new TextDecoder();

function pattern(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + 3) % 251;
  return b;
}

async function put(dir, path, content) {
  const parts = path.split('/');
  for (const p of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(p, { create: true });
  const last = parts[parts.length - 1];
  if (content === null) return dir.getDirectoryHandle(last, { create: true });
  const w = await (await dir.getFileHandle(last, { create: true })).createWritable();
  await w.write(typeof content === 'string' ? enc.encode(content) : content);
  await w.close();
}

/** The tree under `dir`: {name: text | {..subtree}}; large files as "<N bytes, pattern>" or "<N bytes, other>". */
async function tree(dir) {
  const out = {};
  const names = [];
  for await (const name of dir.keys()) names.push(name);
  for (const name of names.sort()) {
    const h = await (dir.getFileHandle(name).catch(() => dir.getDirectoryHandle(name)));
    if (h.kind === 'directory') {
      out[name] = await tree(h);
    } else {
      const bytes = new Uint8Array(await (await h.getFile()).arrayBuffer());
      if (bytes.length <= 100) out[name] = dec.decode(bytes);
      else out[name] = `<${bytes.length} bytes, ${bytes.every((x, i) => x === (i * 7 + 3) % 251) ? 'pattern' : 'other'}>`;
    }
  }
  return out;
}

try {
  const opfs = await navigator.storage.getDirectory();
  const name = `sabq-opfs-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const dir = await opfs.getDirectoryHandle(name, { create: true });
  await put(dir, 'rw/pre/existing.txt', 'hello from the page');
  await put(dir, 'rw/pre/sub', null);
  await put(dir, 'ro/file.txt', 'read me');
  await put(dir, 'ro/d', null);
  await put(dir, 'q/old.bin', new Uint8Array(600));
  await put(dir, 'q/d', null);
  await put(dir, 'nomove/src.txt', 'copy me');
  await put(dir, 'nomove/full/inner.txt', 'inside');
  await put(dir, 'small', null);

  const { startOpfsHelper } = await import('/bindings-js/src/wasi/fs/opfs-start.js');
  const { OpfsFs } = await import('/bindings-js/src/wasi/fs/opfs.js');
  const sub = (n) => dir.getDirectoryHandle(n);
  const helpers = {
    rw: await startOpfsHelper(await sub('rw')),
    ro: await startOpfsHelper(await sub('ro'), { readOnly: true }),
    q: await startOpfsHelper(await sub('q'), { count: true }),
    nm: await startOpfsHelper(await sub('nomove'), { useMove: false }),
    small: await startOpfsHelper(await sub('small'), { chunk: 64 }),
    silent: await startOpfsHelper(await sub('rw'), { helperUrl: '/tests/browser/opfs-silent-helper.js' }),
  };
  const why = (e) => `${e.name} ${e.errno}: ${e.message}`;
  // The page's main thread cannot block: a mount here is refused.
  let onPage = 'attached';
  try {
    OpfsFs.attach(helpers.rw.channel);
  } catch (e) {
    onPage = why(e);
  }
  // A helper that never answers is replaced, three times, then the start fails (IO).
  let t = performance.now();
  const mute = await startOpfsHelper(await sub('rw'), { helperUrl: '/tests/browser/opfs-mute-helper.js', startTimeoutMs: 200 })
    .then(() => 'started', why);
  const muteMs = performance.now() - t;
  // One that starts and never gets ready: IO after its ready deadline, no retry.
  t = performance.now();
  const stalled = await startOpfsHelper(await sub('rw'), { helperUrl: '/tests/browser/opfs-stalled-helper.js', readyTimeoutMs: 300 })
    .then(() => 'started', why);
  const stalledMs = performance.now() - t;

  const worker = new Worker(new URL('./opfs-worker.js', import.meta.url), { type: 'module' });
  const report = await new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => resolve(data);
    worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
    worker.postMessage({ dir, channels: Object.fromEntries(Object.entries(helpers).map(([k, h]) => [k, h.channel])) });
  });
  worker.terminate();
  for (const h of Object.values(helpers)) h.stop();
  if (!report.ok) throw new Error(report.error);

  const found = await tree(dir);
  const smallDirs = Object.fromEntries([...Array(40).keys()].map((i) => [`a-rather-long-name-${String(i).padStart(3, '0')}`, {}]));
  const expected = {
    nomove: { e2: {}, full: { 'inner.txt': 'inside' }, 'open.txt': 'copy me!' },
    q: { d: {} },
    ro: { d: {}, 'file.txt': 'read me' },
    rw: {
      a2: { z: 'in a2' },
      b: { 'k.txt': 'Xell\0\0!' },
      'big.bin': `<${report.rw.bigLength} bytes, pattern>`,
      [report.rw.cName]: { x: 'x' },
      pre: { 'existing.txt': 'hello from the page' },
      sub2: {},
    },
    small: { ...smallDirs, 'data.bin': '<1000 bytes, pattern>' },
  };
  const sortKeys = (o) => (typeof o === 'object' ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortKeys(o[k])])) : o);
  await opfs.removeEntry(name, { recursive: true });
  let leftOver = false;
  for await (const n of opfs.keys()) if (n === name) leftOver = true;
  window.__result = {
    crossOriginIsolated,
    userAgent: navigator.userAgent,
    failures: report.failures,
    figures: report.figures,
    direct: report.direct,
    engineMovesDirs: report.rw.engineMovesDirs,
    eventLoopTurns: report.eventLoopTurns,
    found: JSON.stringify(sortKeys(found)),
    expected: JSON.stringify(sortKeys(expected)),
    leftOver,
    onPage,
    mute,
    muteMs,
    stalled,
    stalledMs,
  };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
document.getElementById('status').textContent = 'done';
