// bindings-js/src/wasi/mounts.js — the worker's side of mounts: a file
// system for each mount spec of a task (memory tree, shared image, Node host
// directory, OPFS directory), its preopened directory fd, and at the end what
// the plugin left in the mounts the host cannot otherwise see.

import { DIR_RIGHTS, INHERITED_RIGHTS } from './abi.js';
import { Quota } from './fs/node.js';
import { MemoryFs } from './fs/memfs.js';
import { ImageReader } from './fs/image.js';
import { DirFd } from './fds/file.js';
import { nodeOnly } from '../coordinator/platform.js';

/**
 * Opens every mount of a task (async: some backends load their module, or
 * wait for a helper). `startHelper(path)` resolves with the channel of an
 * OPFS mount's helper, started by the coordinator (opfs-start.js).
 */
export async function openMounts(specs = [], { startHelper } = {}) {
  const mounted = [];
  try {
    for (const [i, spec] of specs.entries()) mounted.push(await openMount(spec, BigInt(i + 1), startHelper));
  } catch (e) {
    closeMounts(mounted);
    throw e;
  }
  return mounted;
}

async function openMount(spec, dev, startHelper) {
  const quota = new Quota(spec.limits);
  const options = { readOnly: spec.readOnly, quota, dev };
  let fs;
  switch (spec.kind) {
    case 'memory':
      fs = new MemoryFs({ ...options, entries: spec.entries });
      break;
    case 'image':
      fs = new MemoryFs({ ...options, image: new ImageReader(spec.image) });
      break;
    case 'host':
      fs = (await nodeOnly('../wasi/fs/hostdir.js')).HostDirFs.open(spec.root, options); // node:fs: never bundled
      break;
    case 'opfs':
      fs = (await import('./fs/opfs.js')).OpfsFs.attach(await startHelper(spec.path), options);
      break;
    default:
      throw new TypeError(`sabq: unknown mount kind '${spec.kind}'`);
  }
  // Collected at the end: the mounts whose contents live only in this worker.
  const collect = spec.kind === 'memory' || (spec.kind === 'image' && !spec.readOnly);
  return { path: spec.path, kind: spec.kind, readOnly: spec.readOnly, quota, fs, collect };
}

/** The preopened directory fd of a mount. */
export function preopenFd(mount) {
  const fd = new DirFd(mount.fs.root, mount, { rightsBase: DIR_RIGHTS, rightsInheriting: INHERITED_RIGHTS, preopen: mount.path });
  fd.path = mount.path;
  return fd;
}

/**
 * What the plugin left in each collectable mount: {files: {path: {entries,
 * changes}}, transfer} — buffers of this worker's memory file systems are
 * transferred (the run is over; nobody here needs them), shared image bytes
 * are not.
 */
export function collectMounts(mounted) {
  const files = {};
  const transfer = new Set();
  for (const m of mounted) {
    if (!m.collect) continue;
    const c = m.fs.collect();
    for (const e of c.entries) {
      if (e.data && !(e.data.buffer instanceof SharedArrayBuffer)) transfer.add(e.data.buffer);
    }
    files[m.path] = c;
  }
  return { files, transfer: [...transfer] };
}

export function closeMounts(mounted) {
  for (const m of mounted) m.fs.close?.();
}
