// bindings-js/src/wasi/system.js — a plugin's whole system interface, built
// in one place from its task spec: the fd table (0 stdin, 1 stdout, 2 stderr,
// 3 /host when the task may call its host, then its mounts by path), and the
// wasi_snapshot_preview1 import object.
//
// Which calls come from where: proc_exit and start() are
// @bjorn3/browser_wasi_shim's, and so are the clocks, behind our pointer
// checks. Every other call is ours: fd_*, path_*, poll_oneoff and sock_*
// (preview1.js, poll.js): the shim's file layer reports timestamps at the
// wrong offsets, never reuses fd numbers, copies per iovec, has no symbolic
// links and a single-subscription, spinning poll_oneoff, and its sock_* calls
// throw; args_*, environ_*, random_get, sched_yield and proc_raise
// (process-calls.js): the shim sizes arguments in UTF-16 units, writes through
// pointers unchecked, returns no errno from sched_yield and throws on proc_raise. No call traps for any argument a plugin passes.

import { FdTable } from './fd-table.js';
import { PluginMemory, fdCalls } from './preview1.js';
import { pollCall } from './poll.js';
import { PipeReadFd, PipeWriteFd, NullFd } from './fds/stdio.js';
import { HostCallsFd } from './fds/host.js';
import { FileFd } from './fds/file.js';
import { openMounts, preopenFd, collectMounts, closeMounts } from './mounts.js';
import { processCalls } from './process-calls.js';

/** The calls taken from the shim's WASI object as they are. */
const FROM_SHIM = ['proc_exit'];

export class PluginSystem {
  /**
   * @param {object} o
   * @param {object} o.shim the @bjorn3/browser_wasi_shim module
   * @param {string[]} o.args argv (argv[0] first)
   * @param {string[]} o.env 'KEY=value' strings
   * @param {{stdin, stdout, stderr}} o.stdio sabq Pipes (or null: /dev/null)
   * @param {boolean} o.tty present stdio as a terminal
   * @param {object|null} o.host {client, taskId, sabq} when the plugin may open /host
   * @param {Array} o.mounts mounts from openMounts()
   * @param {(event) => void} [o.onFileClosed] a file written in a memory mount was closed
   */
  constructor({ shim, args, env, stdio, tty, host, mounts, onFileClosed }) {
    this.mounts = mounts;
    this.memory = new PluginMemory();
    this.table = new FdTable({ onClose: onFileClosed ? (fd) => this.reportClose(fd, onFileClosed) : null });
    const { stdin, stdout, stderr } = stdio;
    this.table.add(stdin ? new PipeReadFd(stdin, { tty, onClose: () => stdin.close() }) : new NullFd());
    this.table.add(stdout ? new PipeWriteFd(stdout, { tty }) : new NullFd());
    this.table.add(stderr ? new PipeWriteFd(stderr, { tty }) : new NullFd());
    if (host) this.table.add(new HostCallsFd(host.client, host.taskId, host.sabq));
    for (const m of mounts) this.table.add(preopenFd(m));
    // { debug: false } explicitly: shim 0.4.2 turns its console logging on when absent.
    this.shim = new shim.WASI(args, env, [], { debug: false });
    const preview1 = {
      ...fdCalls(this.table, this.memory),
      poll_oneoff: pollCall(this.table, this.memory),
      ...processCalls(this.shim.wasiImport, this.memory, { args, env }),
    };
    for (const name of FROM_SHIM) preview1[name] = this.shim.wasiImport[name];
    this.imports = { wasi_snapshot_preview1: preview1 };
  }

  /**
   * Opens the mounts of a task spec, then builds the system. `o.startHelper`
   * (path → Promise of a channel): how an OPFS mount gets its helper.
   */
  static async create(o, mountSpecs) {
    const mounts = await openMounts(mountSpecs, o);
    return new PluginSystem({ ...o, mounts });
  }

  /** Runs the instance's _start; returns the exit code (a trap throws). */
  start(instance) {
    this.memory.bind(instance.exports.memory);
    return this.shim.start(instance);
  }

  /** After the run, whatever its end: closes every fd once, and collects the mounts. */
  finish() {
    try {
      this.table.closeAll();
      return collectMounts(this.mounts);
    } finally {
      closeMounts(this.mounts);
    }
  }

  /** A file written in a memory mount was closed: tell the host, with a copy of its bytes. */
  reportClose(fd, onFileClosed) {
    if (!(fd instanceof FileFd) || !fd.written) return;
    const node = fd.node;
    const data = fd.mount.collect && typeof node.view === 'function' ? node.view().slice() : undefined;
    onFileClosed({ mount: fd.mount.path, path: fd.path, size: data ? data.length : Number(node.stat().size), data });
  }
}
