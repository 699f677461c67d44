// tests/js/foreign-scenarios.mjs — sabq stdio under other WASI runtimes
// (sabq/wasi): the program runs in a worker started by `startWorker(job)`,
// with the runtime's own import object, and blocks in fd_read on a pipe this
// thread fills. Shared by Node (foreign-runtimes.test.mjs) and browsers.
import { Sabq, Pipe, compileSabq, END } from '../../bindings-js/src/index.js';
import { check } from './check.mjs';


async function readAll(pipe) {
  let text = '';
  const decoder = new TextDecoder();
  for (;;) {
    const chunk = await pipe.readAsync(65536, { timeoutMs: 20_000 });
    check(chunk !== null, 'stdout timed out');
    if (chunk === END) return text;
    text += decoder.decode(chunk.slice(), { stream: true });
  }
}

/**
 * Runs `upper` under `runtime`: lines written one by one, each answer read
 * before the next is written (so the program really waits in fd_read), and
 * `fsops poll` (poll_oneoff on stdin: a timeout, then data).
 */
export async function foreignRuntimeScenario(runtime, { startWorker, plugins, urls }) {
  const memory = new WebAssembly.Memory({ initial: 8, maximum: 8, shared: true });
  const sabq = await Sabq.instantiate(memory);
  const sabqModule = await compileSabq();
  const pipes = [Pipe.create(sabq, 64, 4096), Pipe.create(sabq, 64 + Pipe.size(sabq, 4096), 4096)];
  const [stdin, stdout] = pipes;
  const done = startWorker({ memory, sabqModule, runtime, plugin: plugins.upper, args: [], stdin: stdin.toJSON(), stdout: stdout.toJSON(), urls });
  let got = '';
  const decoder = new TextDecoder();
  for (let i = 0; i < 20; i++) {
    await stdin.writeAsync(`line ${i}\n`);
    while (!got.endsWith(`LINE ${i}\n`)) {
      const chunk = await stdout.readAsync(4096, { timeoutMs: 20_000 });
      check(chunk !== null && chunk !== END, `${runtime}: no answer to line ${i} (got '${got}')`);
      got += decoder.decode(chunk.slice());
    }
  }
  stdin.close();
  const r = await done;
  check(!r.error && r.exitCode === 0, `${runtime}: ${r.error ?? `exit ${r.exitCode}`}`);
  check(got === Array.from({ length: 20 }, (_, i) => `LINE ${i}\n`).join(''), `${runtime}: answers ${got}`);

  // poll() on stdin, served by sabq under the other runtime.
  const [pin, pout] = [Pipe.create(sabq, 64 + 2 * Pipe.size(sabq, 4096), 4096), Pipe.create(sabq, 64 + 3 * Pipe.size(sabq, 4096), 4096)];
  const polled = startWorker({ memory, sabqModule, runtime, plugin: plugins.fsops, args: ['poll'], stdin: pin.toJSON(), stdout: pout.toJSON(), urls });
  let text = '';
  while (!text.includes('waiting\n')) {
    const chunk = await pout.readAsync(4096, { timeoutMs: 20_000 });
    check(chunk !== null && chunk !== END, `${runtime} poll: no 'waiting' (got '${text}')`);
    text += decoder.decode(chunk.slice());
  }
  await pin.writeAsync('ping\n');
  text += await readAll(pout);
  const p = await polled;
  check(!p.error, `${runtime} poll: ${p.error}`);
  check(text.includes('ok poll_sees_data') && !text.includes('FAIL'), `${runtime} poll: ${text}`);
}
