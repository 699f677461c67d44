// examples/js/typed.ts — the binding's types in use; `tsc --noEmit` checks it.
import { Sabq, SpscRing, Pipe, MpmcQueue, END, SabqError, compileSabq, type RegionRef, Coordinator, TaskError, type ProcessHandle, memoryDir, symlink, type Image, type ClosedFile, type FileTree, type FileChange } from 'sabq';

export async function roundTrip(): Promise<string> {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true });
  const sabq: Sabq = await Sabq.instantiate(memory, { module: await compileSabq() });
  const ring = SpscRing.create(sabq, 64, 4096, { msgMax: 1024 });
  const where: RegionRef = ring.toJSON();
  const pipe = Pipe.create(sabq, 64 + where.size, 1024);
  const queue = MpmcQueue.create(sabq, 64 + where.size + pipe.size, 16, 64);

  const view: Uint8Array | null = ring.reserve(5);
  if (view) {
    view.set([104, 101, 108, 108, 111]);
    ring.commit();
  }
  const written: number = pipe.write('bytes');
  queue.push(new Uint32Array([1, 2, 3]));

  const msg = await ring.receiveStringAsync({ timeoutMs: 100 });
  const popped = queue.pop();
  try {
    ring.close();
    ring.send('late');
  } catch (e) {
    if (e instanceof SabqError && e.code === 'EPIPE') console.log('closed:', e.errno);
  }
  if (msg === null || msg === END || popped === END) return 'nothing';
  return `${msg} ${written} ${popped?.length ?? 0}`;
}

// The coordinator layer, typed: a plugin fed from a string, a pipeline, a task.
export async function plugins(): Promise<number> {
  const c: Coordinator = await Coordinator.create({ workers: 2, hostHandlers: { now: async () => Date.now() } });
  await c.load('upper', './build/plugins/upper.wasm');
  const p: ProcessHandle = c.spawn('upper', { stdin: 'hello\n', timeoutMs: 1000 });
  const { stdout }: { stdout: string } = await p.text();
  const last = c.pipeline([{ plugin: 'upper' }, { plugin: 'upper' }], { stdin: stdout });
  const codes: number[] = await last.exitCodes;
  const squared = await c.run<number>({ url: './tasks.mjs', export: 'square' }, 7, { signal: AbortSignal.timeout(500) });
  try {
    await c.spawn('upper', { args: ['x'] }).exit;
  } catch (e) {
    if (e instanceof TaskError && e.code === 'ETRAP') return -1;
  }
  await c.close();
  return codes.length + squared;
}

// Files, typed: a memory directory, a shared image with an overlay, outputs back.
export async function files(): Promise<string> {
  const c = await Coordinator.create({ workers: 1, allow: { hostCalls: ['now'] } });
  await c.load('sortlines', './build/plugins/sortlines.wasm');
  const image: Image = await c.image({ data: { 'a.txt': 'a', link: symlink('a.txt') } });
  const p = c.spawn('sortlines', {
    args: ['/work/in.txt', '/work/out.txt'],
    mounts: { '/work': { 'in.txt': 'b\na\n' }, '/tmp': memoryDir({}, { maxBytes: 1 << 20 }), '/share': image, '/lib': image.overlay() },
    onFileClosed: (f: ClosedFile) => console.log(f.path, f.size),
    allow: { plugins: ['sortlines'] },
  });
  await p.exit;
  const tree: FileTree = await p.files('/work');
  const changes: FileChange[] = await p.changes('/work');
  await c.close();
  const out = tree['out.txt'];
  return out instanceof Uint8Array ? `${new TextDecoder().decode(out)} ${changes.length}` : '';
}
