import { Coordinator } from 'sabq';

const c = await Coordinator.create({ workers: 1 });
await c.load('sortlines', new URL('../../build/plugins/sortlines.wasm', import.meta.url));
const p = c.spawn('sortlines', {
  args: ['/work/fruit.txt', '/work/sorted.txt'],   // plain fopen() paths in the plugin
  mounts: { '/work': { 'fruit.txt': 'pear\napple\nfig\n' } },  // a directory in its memory
});
await p.exit;                                        // 0: sortlines is done
const files = await p.files('/work');                // what it left there
process.stdout.write(new TextDecoder().decode(files['sorted.txt']));
await c.close();
