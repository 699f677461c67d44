// tests/js/rust-host.test.mjs — the Rust host (examples/rust/, built by
// `make rust`) in a Node worker_threads worker: the example prints what the
// docs say, the scenarios shared with the browsers pass, and the JavaScript
// half of its imports keeps the contracts of the C calls it is named after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Sabq, Pipe, errno } from '../../bindings-js/src/index.js';
import { startRustHost } from '../../examples/rust/start-host.js';
import { sabqImports } from '../../examples/rust/sabq-imports.js';
import { rustHostScenarios } from './rust-host-scenarios.mjs';

test('node examples/rust/main.mjs prints the answers of the Rust host', () => {
  const r = spawnSync(process.execPath, [new URL('../../examples/rust/main.mjs', import.meta.url).pathname], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "ok\nhello from Rust\n15\n1\nerror: unknown request 'fly'\nbye 5\nserved 5 requests\n");
});

for (const s of rustHostScenarios) {
  test(`Rust host: ${s.name}`, { timeout: 60_000 }, () => s.run(startRustHost));
}

test('the sabq imports keep the C contracts: timeouts, end of stream, errors as negative errno', async () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const sabq = await Sabq.instantiate(memory);
  const pipe = Pipe.create(sabq, 64, 1024);
  const rustMemory = new WebAssembly.Memory({ initial: 1 }); // stands in for the Rust module's own
  const imports = sabqImports([pipe], () => rustMemory, errno);
  const FOREVER = -1n; // u64::MAX as the i64 a wasm import receives
  const bytes = new Uint8Array(rustMemory.buffer);

  const t0 = performance.now();
  assert.equal(imports.sabq_pipe_read_wait(0, 0, 16, 20_000_000n), -errno.ETIMEDOUT, 'empty pipe, 20 ms');
  assert.ok(performance.now() - t0 >= 15, 'it waited');
  bytes.set(new TextEncoder().encode('hello'), 100);
  assert.equal(imports.sabq_pipe_write_all(0, 100, 5, FOREVER), 5);
  assert.equal(imports.sabq_pipe_read_wait(0, 200, 16, FOREVER), 5);
  assert.equal(new TextDecoder().decode(bytes.subarray(200, 205)), 'hello');
  assert.equal(imports.sabq_pipe_read_wait(7, 0, 16, FOREVER), -errno.EINVAL, 'no such handle');
  imports.sabq_pipe_close(0);
  assert.equal(imports.sabq_pipe_read_wait(0, 0, 16, FOREVER), 0, 'end of stream');
  assert.equal(imports.sabq_pipe_write_all(0, 100, 5, FOREVER), -errno.EPIPE, 'write after close');
});
