// bench/js/run-wasi.mjs — the peer of the pipeline benchmarks: one WASI
// program run by node:wasi with the process's own stdin and stdout (OS
// pipes), as a shell pipeline of such processes would run it.
//   node bench/js/run-wasi.mjs PROGRAM.wasm ARGS...
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env: {}, returnOnExit: true });
const instance = await WebAssembly.instantiate(await WebAssembly.compile(await readFile(file)), wasi.getImportObject());
process.exitCode = wasi.start(instance);
