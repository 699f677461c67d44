// Types of 'sabq/wasi': sabq stdio for a WASI program run by another runtime.
import type { Pipe } from './index.js';

export interface StdioPipes {
  /** The program's stdin: it blocks in fd_read until this pipe has data or is closed. */
  stdin?: Pipe | null;
  stdout?: Pipe | null;
  stderr?: Pipe | null;
  /** Present the pipes as a terminal (libc line-buffers stdout). */
  tty?: boolean;
}

/** fd 0, 1, 2 (and poll_oneoff on them) served by sabq pipes; everything else the runtime's. */
export declare class SabqStdio {
  constructor(pipes?: StdioPipes);
  /** A copy of a runtime's import object with the stdio calls overlaid. */
  wrap<T extends Record<string, Record<string, unknown>>>(importObject: T): T;
  /** The instance (or its memory) the program runs in; call before starting it. */
  bind(instanceOrMemory: WebAssembly.Instance | WebAssembly.Memory): this;
}

export declare function sabqStdio(pipes?: StdioPipes): SabqStdio;
