// tests/js/wasip1-scenarios.mjs — the corners of WASI preview1 (rights,
// directory descriptors, hard links, sockets' errors, bad arguments), from a C
// plugin (plugins/wasip1.c, wasi-libc) and a Rust one (plugins/rust/stdfs.rs,
// Rust's std), on every kind of mount the environment has. Written once, run
// in Node (wasip1.test.mjs, which adds host directories) and in browsers
// (tests/browser/wasip1-page.js, which adds OPFS). No Node imports.
import { check } from './check.mjs';

export const WASIP1_PLUGINS = ['wasip1', 'stdfs'];

/**
 * Mount kinds every environment has. A kind: {kind, mount(c) → a fresh mount
 * spec, links: flags for `wasip1 links` (what the kind cannot do)}.
 */
export const COMMON_KINDS = [
  { kind: 'memory', mount: async () => ({}), links: [] },
  { kind: 'image overlay', mount: async (c) => (await c.image({ 'seed.txt': 'from the image\n', lib: { 'a.txt': 'a' } })).overlay(), links: [] },
];

/** Reads a ReadableStream of bytes to the end, as text. */
async function readText(stream) {
  if (!stream) return '';
  const reader = stream.getReader();
  const d = new TextDecoder();
  let out = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out + d.decode();
    out += d.decode(value, { stream: true });
  }
}

/**
 * Runs plugin `name` with `args`; every output line must be "ok ..." (at
 * least `least`), the exit 0 and no trap. On a trap, the last "ok" line says
 * which check was running.
 */
export async function runChecks(c, name, args, mounts, least) {
  const p = c.spawn(name, { args, mounts, stdin: null, env: { WASIP1: 'environment for args/environ checks' } });
  const [stdout, stderr] = await Promise.all([readText(p.stdout), readText(p.stderr)]);
  let exitCode;
  let error = null;
  try {
    exitCode = await p.exit;
  } catch (e) {
    error = e;
  }
  const lines = stdout.split('\n').filter(Boolean);
  const failed = lines.filter((l) => !l.startsWith('ok '));
  const what = `${name} ${args.join(' ')}`;
  check(error === null, `${what}: ${error}\nlast lines:\n${lines.slice(-3).join('\n')}\n${stderr}`);
  check(failed.length === 0 && exitCode === 0, `${what}: exit ${exitCode}\n${failed.join('\n')}\n${stderr}`);
  check(lines.length >= least, `${what}: only ${lines.length} checks ran`);
  return lines.length;
}

/** The scenarios over `kinds` (COMMON_KINDS plus the environment's own). */
export function wasip1Scenarios(kinds) {
  const scenarios = [];
  for (const k of kinds) {
    const on = async (c, name, mode, least, flags = []) => {
      const mount = await k.mount(c);
      return runChecks(c, name, [mode, '/m', ...flags], { '/m': mount }, least);
    };
    scenarios.push(
      {
        name: `${k.kind}: rights are reported, enforced, inherited and moved by fd_renumber (C)`,
        run: async (c, log) => log(`${k.kind} rights: ${await on(c, 'wasip1', 'rights', 38)} checks`),
      },
      {
        name: `${k.kind}: a directory fd is not read, written or sought; fd_prestat_dir_name; path_open of "." (C)`,
        run: async (c, log) => log(`${k.kind} dirfd: ${await on(c, 'wasip1', 'dirfd', 50)} checks`),
      },
      {
        name: k.links.includes('no-hard-links')
          ? `${k.kind}: hard links are ENOTSUP and make nothing (C)`
          : `${k.kind}: hard links share one inode, nlink and times; unlinking one keeps the other (C)`,
        run: async (c, log) => log(`${k.kind} links: ${await on(c, 'wasip1', 'links', k.links.includes('no-hard-links') ? 2 : 20, k.links)} checks`),
      },
      {
        name: `${k.kind}: sock_* and shutdown()/send()/recv()/accept() are EBADF or ENOTSOCK, never a trap (C)`,
        run: async (c) => on(c, 'wasip1', 'sockets', 20),
      },
      {
        name: `${k.kind}: every preview1 call with bad fds, bad pointers and bad flags returns an errno (C)`,
        run: async (c, log) => log(`${k.kind} badargs: ${await on(c, 'wasip1', 'badargs', 150)} checks`),
      },
      {
        name: `${k.kind}: Rust's std: OpenOptions' rights, hard_link, metadata().nlink() (Rust)`,
        run: async (c, log) => log(`${k.kind} stdfs: ${await on(c, 'stdfs', 'all', 15, k.links)} checks`),
      },
    );
  }
  scenarios.push(
    {
      name: 'a read-only image refuses a hard link with EROFS (C and Rust)',
      async run(c) {
        const image = await c.image({ 'readme.txt': 'read me\n' });
        await runChecks(c, 'wasip1', ['links', '/m', 'read-only'], { '/m': image }, 2);
        await runChecks(c, 'stdfs', ['all', '/m', 'read-only'], { '/m': image }, 2);
      },
    },
    {
      name: 'a read-only image: a directory fd is not read, written or sought; "." opens; sockets are EBADF or ENOTSOCK (C)',
      async run(c, log) {
        const image = await c.image({ dsub: { file: 'data' }, 'sock.txt': 'not a socket\n' });
        log(`image dirfd: ${await runChecks(c, 'wasip1', ['dirfd', '/m'], { '/m': image }, 50)} checks`);
        await runChecks(c, 'wasip1', ['sockets', '/m', 'read-only'], { '/m': image }, 20);
      },
    },
    {
      name: 'a hard link or a rename across mounts is EXDEV (memory, image overlay)',
      async run(c) {
        const overlay = (await c.image({ 'seed.txt': 'x' })).overlay();
        await runChecks(c, 'wasip1', ['xdev', '/a', '/b'], { '/a': {}, '/b': overlay }, 3);
        await runChecks(c, 'wasip1', ['xdev', '/b', '/a'], { '/a': {}, '/b': (await c.image({ 'seed.txt': 'x' })).overlay() }, 3);
      },
    },
  );
  return scenarios;
}
