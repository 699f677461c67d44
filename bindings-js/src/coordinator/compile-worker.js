// bindings-js/src/coordinator/compile-worker.js — fetches and compiles one WebAssembly
// module off the page's thread, then posts the compiled module back (a
// WebAssembly.Module is shared, not copied, within the page's agent cluster).
// Why: in Chromium, loading a 32 MiB plugin on the page made main-thread tasks
// of 55-70 ms (reading the response and handing it to the compiler), enough to
// drop frames. Coordinator.load() uses it for URLs in browsers.
self.onmessage = async (event) => {
  const { url } = event.data;
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`fetch ${url}: HTTP ${response.status}`);
    let module;
    try {
      // Streaming needs Content-Type: application/wasm; otherwise compile the bytes.
      module = await WebAssembly.compileStreaming(response.clone());
    } catch {
      module = await WebAssembly.compile(await response.arrayBuffer());
    }
    self.postMessage({ module });
  } catch (error) {
    self.postMessage({ error: String(error?.message ?? error) });
  }
};
