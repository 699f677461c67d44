// tests/browser/opfs-silent-helper.js — a helper that starts and then never
// answers a request: what a plugin's call must survive (it fails with IO
// after the mount's timeout, instead of hanging the worker). Used by
// opfs-page.js and opfs-worker.js.
self.onmessage = ({ data }) => {
  if (data.op === 'init') self.postMessage({ ok: true, files: 0, bytes: 0 });
};
