// tests/browser/opfs-mute-helper.js — a helper that loads and never answers,
// not even the start: startOpfsHelper() must replace it, then fail with IO,
// instead of leaving a spawn waiting. Used by opfs-page.js.
self.onmessage = () => {};
