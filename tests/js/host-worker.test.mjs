// tests/js/host-worker.test.mjs — host handlers in a worker of their own, in
// Node: the shared scenarios (host-worker-scenarios.mjs, also run in Chromium
// and Firefox) with the page's thread held for half a second.
import { test, before, after } from 'node:test';
import { Coordinator } from 'sabq';
import { plugin } from './plugins.mjs';
import { scenarios, options, PLUGINS } from './host-worker-scenarios.mjs';

let env;
before(async () => {
  const c = await Coordinator.create(options);
  for (const name of PLUGINS) await c.load(name, plugin(name));
  env = { c, create: (o) => Coordinator.create(o), blockMs: 500 };
});
after(() => env.c.close());

for (const s of scenarios) {
  test(s.name, { timeout: 120_000 }, () => s.run(env));
}
