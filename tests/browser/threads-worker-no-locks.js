// tests/browser/threads-worker-no-locks.js — threads-worker.js in a browser
// without Web Locks: navigator.locks is hidden before platform.js is loaded,
// so parentChannel() tells the page a null life lock (the page then waits
// threads.js's grace period after terminate()).
Object.defineProperty(navigator, 'locks', { value: undefined });
await import('/tests/browser/threads-worker.js');
