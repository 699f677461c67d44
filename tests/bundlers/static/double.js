// tests/bundlers/static/double.js — a JS task for the bundled app: served as
// a file of its own, beside the page, for coordinator.run() imports it by URL
// in a worker at run time, past any bundler.
export default function double(n) {
  return n * 2;
}
