// bench/browser/sync-message-worker.js — sync-message's side of the
// host-answer row (host-page.js): a classic worker (the library is a UMD
// bundle) that asks the page `n` times and blocks for each answer, as
// bench/js/node-bench.mjs does in Node. Timed in blocks of 20, like hostping.
importScripts('/node_modules/sync-message/dist/index.js');
self.onmessage = ({ data: { channel, warmup, blocks } }) => {
  const { readMessage } = self.syncMessage;
  let id = 0;
  const ask = () => {
    for (;;) {
      const key = String(id++);
      self.postMessage({ id: key });
      try {
        if (readMessage(channel, key) !== 'x') throw new Error('sync-message: wrong answer');
        return;
      } catch (e) {
        if (e.message.startsWith('sync-message')) throw e;
        // sync-message 0.0.12 now and then reads an empty message (JSON.parse of ''): ask again
      }
    }
  };
  for (let i = 0; i < warmup; i++) ask();
  const ns = [];
  for (let b = 0; b < blocks; b++) {
    const t0 = performance.now();
    for (let i = 0; i < 20; i++) ask();
    ns.push(((performance.now() - t0) * 1e6) / 20);
  }
  self.postMessage({ ns });
};
