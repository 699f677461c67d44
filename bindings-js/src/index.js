// bindings-js/src/index.js — the sabq package: lock-free rings in a shared
// WebAssembly.Memory, usable from the main thread (non-blocking and async
// calls) and from workers (blocking calls too).
export { Sabq, compileSabq } from './rings/module.js';
export { SpscRing } from './rings/spsc.js';
export { Pipe } from './rings/pipe.js';
export { MpmcQueue } from './rings/mpmc.js';
export { END } from './rings/region.js';
export { SabqError } from './rings/errors.js';
export { waitOptions, canBlock } from './rings/wait.js';
export { layout, errno } from './rings/layout.js';
export { Coordinator, TaskError } from './coordinator/coordinator.js';
export { ProcessHandle } from './coordinator/process.js';
export { memoryDir, hostDir, opfsDir, symlink, SymlinkSpec, Image, Mount } from './coordinator/mounts.js';
