// tests/js/worker-spin.test.mjs — how long a compute worker spins before it
// parks (Coordinator option `spin`). By default it spins only when every
// worker and the page have a core of their own; with more threads than cores
// a spinning worker keeps the thread it waits for off its core (a pipeline of
// three plugins on 2 vCPUs ran faster parking at once), so it parks at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { Coordinator, workerSpin } from '../../bindings-js/src/coordinator/coordinator.js';
import { layout } from '../../bindings-js/src/rings/layout.js';

const task = { url: new URL('./fixtures/spin.mjs', import.meta.url), export: 'spin' };
const cores = os.availableParallelism?.() ?? os.cpus().length;

/** What every worker of `c` spins: run the task on each (one at a time is enough
 * when there is one worker; with several, run as many tasks as workers). */
async function spinsOf(options) {
  const c = await Coordinator.create(options);
  try {
    const n = options.workers;
    const seen = await Promise.all(Array.from({ length: n }, () => c.run(task)));
    return { seen: [...new Set(seen)], inspected: c.inspect().spin };
  } finally {
    await c.close();
  }
}

test('the default spins when the workers and the page have a core each, else parks at once', () => {
  assert.equal(workerSpin(1, 2), layout.SPIN_DEFAULT);
  assert.equal(workerSpin(3, 4), layout.SPIN_DEFAULT);
  assert.equal(workerSpin(2, 2), 0);
  assert.equal(workerSpin(3, 2), 0);
});

test('more workers than cores: the workers park at once', async () => {
  const { seen, inspected } = await spinsOf({ workers: cores + 1 });
  assert.deepEqual(seen, [0]);
  assert.equal(inspected, 0);
});

test('a core for every worker and the page: the workers spin the default', { skip: cores < 2 && 'one core' }, async () => {
  const { seen, inspected } = await spinsOf({ workers: 1 });
  assert.deepEqual(seen, [layout.SPIN_DEFAULT]);
  assert.equal(inspected, layout.SPIN_DEFAULT);
});

test('the spin option is what the workers use, whatever the cores', async () => {
  assert.deepEqual((await spinsOf({ workers: 2, spin: 123 })).seen, [123]);
  assert.deepEqual((await spinsOf({ workers: cores + 1, spin: 500 })).seen, [500]);
});

test('a spin that is not an integer >= 0 is refused', () => {
  for (const spin of [-1, 1.5, '10', NaN, Infinity]) {
    assert.throws(() => new Coordinator({ spin }), RangeError, String(spin));
  }
});
