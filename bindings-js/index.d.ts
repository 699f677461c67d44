// Type declarations of the sabq package (bindings-js/src/). Checked by
// `tsc --noEmit` on examples/js/typed.ts in `make test`.

/** sabq.wasm instantiated against one shared memory, in one thread. */
export declare class Sabq {
  /** Instantiates sabq.wasm against `memory` (must be shared). Pass `module`
   * (from compileSabq(), posted from another thread) to skip compiling. */
  static instantiate(memory: WebAssembly.Memory, options?: { module?: WebAssembly.Module }): Promise<Sabq>;
  readonly memory: WebAssembly.Memory;
  /** After growing the memory yourself: make the cached views reach `end` (rings do this for their own bytes). */
  ensure(end: number): void;
}

/** The compiled sabq.wasm; compile once and post it to workers. */
export declare function compileSabq(): Promise<WebAssembly.Module>;

/** Returned by receive/read calls once the ring is closed and drained. */
export declare const END: unique symbol;
export type End = typeof END;

/** Where a ring lives: post this (with the memory) so another thread can attach. */
export interface RegionRef {
  offset: number;
  size: number;
}

export interface AsyncOptions {
  /** Give up after this many milliseconds (resolve null / false). Default: never. */
  timeoutMs?: number;
  /** Reject with an AbortError when aborted. */
  signal?: AbortSignal;
  /** Node: keep the process alive while waiting (default true). */
  keepAlive?: boolean;
  /** Spin this long (µs, at most 100) before awaiting; default waitOptions.mainThreadSpinMicros. */
  spinMicros?: number;
}

export type Bytes = string | ArrayBufferView | ArrayBuffer | SharedArrayBuffer;

declare abstract class Region {
  readonly sabq: Sabq;
  readonly offset: number;
  readonly size: number;
  /** Data bytes (ring, pipe) or slots (queue). */
  readonly capacity: number;
  /** Largest message in bytes (0 for a pipe). */
  readonly msgMax: number;
  /** True once either side closed it. */
  readonly closed: boolean;
  /** Bytes (ring, pipe) or messages (queue) queued now. */
  readonly used: number;
  /** Threads announced as waiting now, on each side (diagnostics: a wait never withdrawn shows here). */
  readonly waiters: { readable: number; writable: number };
  /** Closes and wakes every waiter on both sides. Idempotent. */
  close(): void;
  toJSON(): RegionRef;
}

/** Single-producer single-consumer ring of variable-length messages. */
export declare class SpscRing extends Region {
  static size(sabq: Sabq, capacity: number): number;
  /** Lays out a new ring at `offset` (a positive multiple of 64). */
  static create(sabq: Sabq, offset: number, capacity: number, options?: { msgMax?: number }): SpscRing;
  /** Attaches to an existing ring; throws SabqError EPROTO if its header is invalid. */
  static attach(sabq: Sabq, offset: number, size: number): SpscRing;
  /** Producer: a writable view of `len` reserved bytes, or null when full. */
  reserve(len: number): Uint8Array | null;
  /** Producer: publishes the reservation (`len` bytes of it). */
  commit(len?: number): void;
  /** Producer: copies a message in; false when full. Never blocks (sabq_spsc_send). */
  send(data: Bytes): boolean;
  /** Producer, workers only: waits for room up to timeoutMs (sabq_spsc_send_wait); false on timeout. */
  sendWait(data: Bytes, timeoutMs?: number): boolean;
  /** Producer: awaits room without blocking the thread; false on timeout. */
  sendAsync(data: Bytes, options?: AsyncOptions): Promise<boolean>;
  /** Consumer: a view of the oldest message (valid until release()), null when empty. */
  peek(): Uint8Array | null | End;
  release(): void;
  /** Consumer: copies the oldest message out; null when empty. Never blocks (sabq_spsc_recv). */
  receive(): Uint8Array | null | End;
  /** Consumer, workers only: waits up to timeoutMs (sabq_spsc_recv_wait); null on timeout. */
  receiveWait(timeoutMs?: number): Uint8Array | null | End;
  receiveAsync(options?: AsyncOptions): Promise<Uint8Array | null | End>;
  /** Consumer: copies the oldest message into `buf`; its length, null when empty. Throws EMSGSIZE if it does not fit. Never blocks. */
  receiveInto(buf: Uint8Array): number | null | End;
  /** Consumer, workers only: receiveInto, waiting up to timeoutMs; null on timeout. */
  receiveIntoWait(buf: Uint8Array, timeoutMs?: number): number | null | End;
  receiveString(): string | null | End;
  receiveStringWait(timeoutMs?: number): string | null | End;
  receiveStringAsync(options?: AsyncOptions): Promise<string | null | End>;
  /** @deprecated since 0.2: use send() (same behaviour). */
  trySend(data: Bytes): boolean;
  /** @deprecated since 0.2: use receive(). */
  tryReceive(): Uint8Array | null | End;
  /** @deprecated since 0.2: use receiveInto(). */
  tryReceiveInto(buf: Uint8Array): number | null | End;
  /** @deprecated since 0.2: use receiveString(). */
  tryReceiveString(): string | null | End;
}

/** Single-producer single-consumer byte stream with end of file. */
export declare class Pipe extends Region {
  static size(sabq: Sabq, capacity: number): number;
  static create(sabq: Sabq, offset: number, capacity: number): Pipe;
  static attach(sabq: Sabq, offset: number, size: number): Pipe;
  /** Writes what fits; returns the count (0 when full). Never blocks (sabq_pipe_write). */
  write(data: Bytes): number;
  /** Workers only: writes everything, waiting for room (sabq_pipe_write_all); returns the count (less on timeout). */
  writeWait(data: Bytes, timeoutMs?: number): number;
  writeAsync(data: Bytes, options?: AsyncOptions): Promise<number>;
  /** Copies into target; the count, 0 at end of stream, -1 when empty. Never blocks (sabq_pipe_read). */
  readInto(target: Uint8Array, at?: number, max?: number): number;
  /** Up to `max` bytes; null when empty, END at end of stream. Never blocks. */
  read(max?: number): Uint8Array | null | End;
  /** Workers only: like readInto, waiting up to timeoutMs (-1 on timeout; sabq_pipe_read_wait). */
  readIntoWait(target: Uint8Array, at?: number, max?: number, timeoutMs?: number): number;
  readWait(max?: number, timeoutMs?: number): Uint8Array | null | End;
  readAsync(max?: number, options?: AsyncOptions): Promise<Uint8Array | null | End>;
  /** @deprecated since 0.2: use write(). */
  tryWrite(data: Bytes): number;
  /** @deprecated since 0.2: use readInto(). */
  tryReadInto(target: Uint8Array, at?: number, max?: number): number;
  /** @deprecated since 0.2: use read(). */
  tryRead(max?: number): Uint8Array | null | End;
}

/** Bounded multi-producer multi-consumer queue of fixed-size slots. */
export declare class MpmcQueue extends Region {
  static size(sabq: Sabq, slots: number, msgMax: number): number;
  static create(sabq: Sabq, offset: number, slots: number, msgMax: number): MpmcQueue;
  static attach(sabq: Sabq, offset: number, size: number): MpmcQueue;
  /** Copies a message in; false when full. Never blocks (sabq_mpmc_push). Any thread. */
  push(data: Bytes): boolean;
  /** Workers only: waits for room up to timeoutMs (sabq_mpmc_push_wait); false on timeout. */
  pushWait(data: Bytes, timeoutMs?: number): boolean;
  pushAsync(data: Bytes, options?: AsyncOptions): Promise<boolean>;
  /** The oldest message; null when empty. Never blocks (sabq_mpmc_pop). */
  pop(): Uint8Array | null | End;
  /** Workers only: waits up to timeoutMs (sabq_mpmc_pop_wait); null on timeout. */
  popWait(timeoutMs?: number): Uint8Array | null | End;
  popAsync(options?: AsyncOptions): Promise<Uint8Array | null | End>;
  /** @deprecated since 0.2: use push(). */
  tryPush(data: Bytes): boolean;
  /** @deprecated since 0.2: use pop(). */
  tryPop(): Uint8Array | null | End;
}

export type SabqErrorCode = 'EAGAIN' | 'ETIMEDOUT' | 'EPIPE' | 'EMSGSIZE' | 'EINVAL' | 'EPROTO' | 'EDEADLK';

export declare class SabqError extends Error {
  readonly code: SabqErrorCode;
  /** The negative errno value. */
  readonly errno: number;
}

/**
 * Spins before parking in workers; microseconds of spinning on the main thread
 * before an async wait parks; microseconds a process handle's write() looks for
 * the plugin's answer on its stdout (default 100, at most 100, 0: never).
 */
export declare const waitOptions: { spin: number; mainThreadSpinMicros: number; answerSpinMicros: number; forcePolling?: boolean };

/** False on a browser main thread, where blocking calls throw EDEADLK. */
export declare function canBlock(): boolean;

export declare const layout: Readonly<Record<string, number>>;
export declare const errno: Readonly<Record<SabqErrorCode, number>>;

// ---- compute workers and the coordinator -------------------------------------

export type TaskErrorCode = 'ETIMEDOUT' | 'ECANCELED' | 'ECRASHED' | 'ECLOSED' | 'ETRAP' | 'ETHROWN';

/** Why a task or plugin did not complete. */
export declare class TaskError extends Error {
  readonly code: TaskErrorCode;
  /** For ETHROWN: the name and stack of the error thrown in the worker. */
  remoteName?: string;
  remoteStack?: string;
  /** For a pipeline's exit under pipefail: the index of the stage that failed (`cause` is its own error). */
  stage?: number;
}

/** What a plugin may reach through /host: handler and plugin names, or '*' for all. */
export interface Allow {
  /** Host handlers it may call at /host/call/NAME. Default: none. */
  hostCalls?: string[] | '*';
  /** Loaded plugins it may run at /host/run/NAME. Default: none. */
  plugins?: string[] | '*';
}

export interface CoordinatorOptions {
  /** Pool size; default hardware concurrency − 1 (at least 1). */
  workers?: number;
  /** Tasks that may wait in the dispatch queue (power of two; default 1024). */
  queueSlots?: number;
  /** Default limit on a task's running time, from when a worker takes it. */
  taskTimeoutMs?: number;
  /**
   * How long a starting worker (the first ones, or one replacing a worker that
   * crashed or was stopped) may take to become ready; past it, it counts as
   * crashed and a fresh one replaces it. Default 30000.
   */
  workerStartTimeoutMs?: number;
  /**
   * Tries a worker's blocking pipe or ring call spins before it parks.
   * Default: 4000 when every worker and the page have a core of their own,
   * else 0 (park at once: a spinning worker would keep the one it waits for
   * off its core). An integer >= 0; RangeError otherwise.
   */
  spin?: number;
  /** What plugins reach by opening /host/call/NAME/REQUEST (see include/sabq/host.h), when allowed. */
  hostHandlers?: Record<string, (request: string) => unknown | Promise<unknown>>;
  /**
   * Host handlers run in a worker of their own instead of on this thread: a
   * module (URL or path; `{url, export}` to name the export, default
   * `'default'`) whose export is an object of handlers, as `hostHandlers`.
   * A plugin's call is answered worker to worker, without this thread's event
   * loop; a handler may block (Atomics.wait, synchronous wasm, sync I/O). A
   * handler that throws or rejects: the plugin's fopen fails with EIO. A task
   * stopped (timeout, cancel, crash) while its handler runs, or a host worker
   * that dies: the host worker is replaced, calls waiting on it fail with EIO,
   * later calls are answered by the new one. After `close()` calls fail with
   * EIO. `create()` rejects if the module does not load, has no handlers, or
   * names a handler that `hostHandlers` also has. Both options may be given.
   */
  hostWorker?: string | URL | { url: string | URL; export?: string };
  /** What a plugin may reach through /host unless its spawn says otherwise. Default: nothing. */
  allow?: Allow;
  /** Nested /host/run calls: how deep (default 8; deeper is ELOOP) and how many alive at once (default 64; more is EAGAIN). */
  limits?: { maxDepth?: number; maxNested?: number };
  /** Initial shared memory for rings, in MiB (default 16; grows). */
  memoryMiB?: number;
  /**
   * Where workers import @bjorn3/browser_wasi_shim from. Needed only by a page
   * served without a bundler and without an import map for the shim; by
   * default a bundled app's workers import it by name (docs/plugins.md, Bundlers).
   */
  wasiShimUrl?: string | URL;
}

export interface TaskOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export type StdinSource = 'pipe' | null | Bytes | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string> | ProcessHandle;

// ---- files ------------------------------------------------------------------

/** A symbolic link in a tree (relative targets only). */
export declare class SymlinkSpec {
  readonly target: string;
}
export declare function symlink(target: string): SymlinkSpec;

/** A directory tree: names to file contents (string, bytes, Blob, Response, URL), links, or subtrees. */
export interface Tree {
  [name: string]: string | ArrayBufferView | ArrayBuffer | Blob | Response | URL | SymlinkSpec | Tree;
}

/** What a plugin got back from a mount: bytes, links and subtrees. */
export interface FileTree {
  [name: string]: Uint8Array | SymlinkSpec | FileTree;
}

export interface MountOptions {
  /** Every change is EROFS in the plugin. */
  readOnly?: boolean;
  /** Total bytes of regular files in the mount (ENOSPC beyond). */
  maxBytes?: number;
  /** Entries (files, directories, links) in the mount (ENOSPC beyond). */
  maxFiles?: number;
  /** Bytes in one file (EFBIG beyond). */
  maxFileSize?: number;
  /** Files and directories of the mount open at once (EMFILE beyond). */
  maxOpenFiles?: number;
}

/** Something to mount: made by memoryDir(), hostDir(), opfsDir(), Image#mount() or Image#overlay(). */
export declare class Mount {
  readonly kind: 'memory' | 'image' | 'host' | 'opfs';
}

/** A writable directory in the plugin's memory, starting as `tree` (copied in). */
export declare function memoryDir(tree?: Tree, options?: MountOptions): Mount;
/** A real directory (Node only), sandboxed beneath `path`. */
export declare function hostDir(path: string | URL, options?: MountOptions): Mount;
/** An OPFS directory (browsers), synchronous from the plugin's side. */
export declare function opfsDir(handle: FileSystemDirectoryHandle, options?: MountOptions): Mount;

/** A tree packed once into shared memory (Coordinator#image): mounting it copies nothing. */
export declare class Image {
  /** Entries in the image (files, directories, links). */
  readonly files: number;
  /** Bytes of file contents. */
  readonly bytes: number;
  /** Read-only (what an Image given as a mount means). */
  mount(options?: Omit<MountOptions, 'readOnly'>): Mount;
  /** Writable, privately: the plugin's changes are copied on write and kept in its worker. */
  overlay(options?: Omit<MountOptions, 'readOnly'>): Mount;
}

/** A mount path (absolute) to a tree, an Image, or a Mount. */
export type Mounts = Record<string, Tree | Image | Mount>;

/** A file a plugin closed after writing (spawn option onFileClosed). */
export interface ClosedFile {
  /** The mount path, e.g. '/work'. */
  mount: string;
  /** The file's path as the plugin opened it, e.g. '/work/out/part-1.txt'. */
  path: string;
  size: number;
  /** Its bytes, for memory and overlay mounts (a copy). */
  data?: Uint8Array;
}

/** One entry of ProcessHandle#changes(). */
export interface FileChange {
  /** Relative to the mount. */
  path: string;
  change: 'added' | 'modified' | 'deleted';
  type: 'file' | 'dir' | 'symlink';
}

export interface SpawnOptions extends TaskOptions {
  args?: Array<string | number>;
  env?: Record<string, string>;
  /** 'pipe' (default): write through the handle; data or a stream: fed, then closed; a handle: its stdout. */
  stdin?: StdinSource;
  stdout?: 'pipe' | null;
  stderr?: 'pipe' | null;
  /** Present stdio as a terminal (libc line-buffers stdout). */
  tty?: boolean;
  /** Directories the plugin sees, by absolute path. */
  mounts?: Mounts;
  /** Called when the plugin closes a file it wrote, while it still runs. */
  onFileClosed?: (file: ClosedFile) => void;
  /** What this plugin may reach through /host (default: the coordinator's `allow`). */
  allow?: Allow;
  /** Bytes of each stdio pipe (a power of two; default 64 KiB; stdin fed from data gets at least 1 MiB). */
  pipeBytes?: number;
}

export interface PipelineStage {
  plugin: string;
  args?: Array<string | number>;
  env?: Record<string, string>;
  mounts?: Mounts;
  allow?: Allow;
  onFileClosed?: (file: ClosedFile) => void;
}

/** A running WASI plugin. */
export declare class ProcessHandle {
  /** The exit code; rejects with a TaskError on a trap, crash, timeout or cancel. */
  readonly exit: Promise<number>;
  readonly stdin: WritableStream<Bytes>;
  readonly stdout: ReadableStream<Uint8Array> | null;
  readonly stderr: ReadableStream<Uint8Array> | null;
  /** Writes to stdin, awaiting room; while stdout is being read, first looks for the answer (waitOptions.answerSpinMicros). */
  write(data: Bytes): Promise<number>;
  closeStdin(): void;
  /** After every stage has ended (for a pipeline): the exit code and all output. */
  output(): Promise<{ exitCode: number; stdout: Uint8Array; stderr: Uint8Array }>;
  text(): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  kill(reason?: string): void;
  /** After the exit (also a non-zero one, or a trap): what the plugin left in a memory or overlay mount. */
  files(mountPath: string): Promise<FileTree>;
  /** After the exit: what changed in that mount since it was made. */
  changes(mountPath: string): Promise<FileChange[]>;
  /** Set on the handle pipeline() returns. */
  stages?: ProcessHandle[];
  first?: ProcessHandle;
  /** Every stage's exit code; rejects with the first stage error. */
  exitCodes?: Promise<number[]>;
  /** Every stage's outcome, once all have ended: an exit code or the error that ended it. */
  outcomes?: Promise<StageOutcome[]>;
}

/** How one stage of a pipeline ended. */
export interface StageOutcome {
  stage: number;
  plugin: string;
  exitCode?: number;
  error?: TaskError;
}

export interface PipelineOptions extends Omit<SpawnOptions, 'args' | 'env' | 'mounts' | 'allow' | 'onFileClosed'> {
  /**
   * Default true: the pipeline's `exit` (and output()/text()) rejects with the
   * error of the first stage that trapped, crashed, timed out or was cancelled
   * (a `TaskError` whose `stage` is that stage's index), and otherwise
   * resolves with the last non-zero exit code of any stage (as `set -o
   * pipefail`), else 0. false: the last stage's exit alone, as a shell's default.
   */
  pipefail?: boolean;
}

/** A pool of compute workers: JS tasks and WASI plugins, dispatched through an MPMC queue. */
export declare class Coordinator {
  static create(options?: CoordinatorOptions): Promise<Coordinator>;
  constructor(options?: CoordinatorOptions);
  readonly ready: Promise<void>;
  /** The shared memory every ring and pipe lives in. */
  readonly memory: WebAssembly.Memory;
  /** Compiles a plugin once and shares the module with every worker. A URL is
   * read from disk in Node, and fetched and compiled in a short-lived worker in
   * browsers (the page never stalls). Rejects if it cannot be read or compiled. */
  load(name: string, source: string | URL | BufferSource | Response | WebAssembly.Module): Promise<string>;
  /** Packs a tree once into shared memory; every spawn can mount it without a copy. */
  image(tree: Tree): Promise<Image>;
  /** Runs `export` of module `url` in a worker with `input`; resolves with its (cloned) result. */
  run<T = unknown>(task: { url: string | URL; export?: string }, input?: unknown, options?: TaskOptions): Promise<T>;
  spawn(plugin: string, options?: SpawnOptions): ProcessHandle;
  /** Pipes between stages are 1 MiB unless `pipeBytes` says otherwise. */
  pipeline(stages: PipelineStage[], options?: PipelineOptions): ProcessHandle & { stages: ProcessHandle[]; first: ProcessHandle; exitCodes: Promise<number[]>; outcomes: Promise<StageOutcome[]> };
  close(): Promise<void>;
  /**
   * A snapshot for diagnosing a hang: tasks (state, worker, age, pipes with
   * their fill and waiter counts), workers, workers still stopping (what
   * close() waits for), the queue and the arena. Plain data; the shape is for
   * people and may change between versions.
   */
  inspect(): Record<string, unknown>;
}
