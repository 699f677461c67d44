// bindings-js/src/coordinator/plugins.js — the plugins a coordinator can run: each
// compiled once, from a path, URL, bytes, Response or module, and the module
// shared with every worker (a WebAssembly.Module posts without copying code).

import { loadWasmSource } from './platform.js';

export class PluginRegistry {
  /** @param {(msg) => void} broadcast posts a protocol message to every worker */
  constructor(broadcast) {
    this.broadcast = broadcast;
    this.byName = new Map(); // name -> {id, module}
  }

  has(name) {
    return this.byName.has(name);
  }

  get(name) {
    const p = this.byName.get(name);
    if (!p) throw new TypeError(`sabq: no plugin named '${name}' (load() it first)`);
    return p;
  }

  /** Every plugin, for a worker that starts after they were loaded. */
  all() {
    return [...this.byName.values()];
  }

  async load(name, source) {
    const module = await compile(source);
    const id = this.byName.get(name)?.id ?? this.byName.size + 1;
    this.byName.set(name, { id, module });
    this.broadcast({ type: 'module', id, module });
    return name;
  }
}

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  let bytes = source;
  if (typeof source === 'string' || source instanceof URL) bytes = await loadWasmSource(source);
  if (bytes instanceof WebAssembly.Module) return bytes;
  if (typeof Response !== 'undefined' && bytes instanceof Response) {
    if (!bytes.ok) throw new Error(`load: ${bytes.url} answered ${bytes.status}`);
    return WebAssembly.compileStreaming(bytes.clone()).catch(async () => WebAssembly.compile(await bytes.arrayBuffer()));
  }
  return WebAssembly.compile(bytes);
}
