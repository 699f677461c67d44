// bench/js/host-handlers.mjs — the host worker's handlers for the host-answer
// rows (host-core.mjs): the same answer as the page's handler gives.
export default {
  same: (request) => request,
};
