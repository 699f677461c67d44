// bindings-js/src/index.js — the sabq package: lock-free rings in a shared
// WebAssembly.Memory, usable from the main thread (non-blocking and async
// calls) and from workers (blocking calls too).
export { Sabq, compileSabq } from './module.js';
export { SpscRing } from './spsc.js';
export { Pipe } from './pipe.js';
export { MpmcQueue } from './mpmc.js';
export { END } from './region.js';
export { SabqError } from './errors.js';
export { waitOptions, canBlock } from './wait.js';
export { layout, errno } from './layout.js';
export { Coordinator, TaskError } from './coordinator.js';
export { ProcessHandle } from './process.js';
export { memoryDir, hostDir, opfsDir, symlink, SymlinkSpec, Image, Mount } from './mounts.js';
