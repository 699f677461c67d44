// tests/browser/opfs-stalled-helper.js — a helper that says it started and
// then never finishes its start (as if counting a tree for ever):
// startOpfsHelper() must give up after its ready deadline with IO. Used by
// opfs-page.js.
self.onmessage = () => self.postMessage({ started: true });
