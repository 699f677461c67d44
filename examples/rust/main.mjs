// examples/rust/main.mjs — `node examples/rust/main.mjs` (after `make rust`):
// the Rust host in a worker answers requests that this thread writes into a
// sabq pipe, without ever blocking this thread.
import { END } from '../../bindings-js/src/index.js'; // in an app: from 'sabq'
import { startRustHost } from './start-host.js';

const host = await startRustHost();
await host.requests.writeAsync('set greeting hello from Rust\nget greeting\nlen greeting\ncount\nfly\n');
host.requests.close(); // end of input: the host answers `bye N` and returns
const decoder = new TextDecoder();
for (let chunk; (chunk = await host.answers.readAsync()) !== END;) {
  process.stdout.write(decoder.decode(chunk, { stream: true }));
}
console.log(`served ${await host.done} requests`);
