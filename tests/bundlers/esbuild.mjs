// tests/bundlers/esbuild.mjs — the app built by esbuild, which bundles no
// workers and leaves `new URL('./x', import.meta.url)` as written: those paths
// stay relative to the output file, as they were to sabq's files. So the
// app (docs/plugins.md, Bundlers):
// - builds sabq's three workers as entry points of their own, beside its bundle;
// - keeps import.meta.url: format 'esm' (the 'iife' default empties it);
// - copies sabq.wasm into the folder above the bundle (package: a layer's
//   folder and sabq.wasm beside it, in src/; here: js/ and sabq.wasm beside it).
//   node tests/bundlers/esbuild.mjs    builds into build/bundlers/esbuild/js/
import * as esbuild from 'esbuild';
import { copyFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
export const outDir = here('../../build/bundlers/esbuild');

/** The options of the build; docs/plugins.md shows the same for sabq's part. */
export const options = {
  absWorkingDir: here('.'), // where 'sabq/...' resolves from, as for the app
  entryPoints: ['app/js/main.js', 'sabq/compute-worker.js', 'sabq/compile-worker.js', 'sabq/opfs-helper.js'],
  entryNames: '[name]',
  outdir: `${outDir}/js`,
  bundle: true,
  format: 'esm',
  minify: true,
  logLevel: 'warning',
};

export async function build() {
  await rm(outDir, { recursive: true, force: true });
  const result = await esbuild.build(options);
  await copyFile(fileURLToPath(import.meta.resolve('sabq/sabq.wasm')), `${outDir}/sabq.wasm`);
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build();
