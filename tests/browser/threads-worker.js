// tests/browser/threads-worker.js — a stand-in for a coordinator thread
// (tests/browser/threads-page.js): it hears the page through parentChannel()
// like the real ones, marks word 2 when it gets its memory, says so, then
// blocks on word 1 and, once woken, counts in word 0 for as long as it runs.
import { parentChannel } from '/bindings-js/src/coordinator/platform.js';

parentChannel().then((channel) => {
  channel.onMessage(({ sab }) => {
    const i32 = new Int32Array(sab);
    Atomics.store(i32, 2, 1);
    channel.post('ready');
    Atomics.wait(i32, 1, 0);
    for (;;) Atomics.add(i32, 0, 1);
  });
});
