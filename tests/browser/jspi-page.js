// tests/browser/jspi-page.js — why a plugin host blocks in a worker instead of
// suspending with JSPI (docs/embedding.md): a WebAssembly.Suspending import
// suspends a stack of wasm frames, but not one with a JavaScript frame in it,
// which is where a plugin's call into its host passes when the host
// instantiated the plugin through the WebAssembly API. Results: window.__result.

/** A module importing env.<imp> () -> i32 and exporting <exp>, which calls it. */
function caller(imp, exp) {
  const name = (s) => [s.length, ...new TextEncoder().encode(s)];
  const section = (id, bytes) => [id, bytes.length, ...bytes];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
    ...section(1, [1, 0x60, 0, 1, 0x7f]), // one type: () -> i32
    ...section(2, [1, ...name('env'), ...name(imp), 0x00, 0]), // import func env.imp, type 0
    ...section(3, [1, 0]), // one function, type 0
    ...section(7, [1, ...name(exp), 0x00, 1]), // export it (func 1: after the import)
    ...section(10, [1, 4, 0, 0x10, 0, 0x0b]), // body: call 0, end
  ]);
}

try {
  const later = new WebAssembly.Suspending(() => new Promise((resolve) => setTimeout(() => resolve(42), 10)));
  const inner = (await WebAssembly.instantiate(caller('wait', 'inner'), { env: { wait: later } })).instance;
  const direct = await WebAssembly.promising(inner.exports.inner)();
  // outer (wasm) -> a JavaScript function -> inner (wasm) -> the suspending import
  const outer = (await WebAssembly.instantiate(caller('host', 'outer'), { env: { host: () => inner.exports.inner() } })).instance;
  let throughJs;
  try {
    throughJs = { value: await WebAssembly.promising(outer.exports.outer)() };
  } catch (e) {
    throughJs = { error: e.constructor.name, message: e.message };
  }
  window.__result = { direct, throughJs };
} catch (e) {
  window.__error = String(e?.stack ?? e);
}
