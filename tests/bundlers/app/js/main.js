// tests/bundlers/app/js/main.js — the app every bundler builds: it imports
// sabq by its package name, as any app does, and starts a coordinator. It
// runs the `upper` plugin, writes it a line and shows the answer, read while
// the plugin still runs (blocked in fd_read for its next line); runs a JS
// task, double.js, served beside the page; and runs `sortlines` on a
// directory of the origin's private file system (OPFS), which sabq serves
// through a helper worker of its own, started from the page. No
// top-level await: Vite 6's default build target refuses one, in an app as in
// a package.
import { Coordinator, opfsDir } from 'sabq';

const LINE = 'hello from a bundled app';
const FRUIT = 'pear\napple\nfig\n';

async function firstLine(stream) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text.slice(0, text.indexOf('\n') + 1 || undefined);
}

async function askUpper(coordinator) {
  await coordinator.load('upper', 'upper.wasm'); // served beside the page
  const upper = coordinator.spawn('upper');
  await upper.write(`${LINE}\n`);
  const answer = await firstLine(upper.stdout);
  upper.closeStdin();
  return { answer: answer.trimEnd(), exitCode: await upper.exit };
}

async function sortInOpfs(coordinator) {
  const root = await navigator.storage.getDirectory();
  const dir = await root.getDirectoryHandle('sabq-bundled-app', { create: true });
  const input = await (await dir.getFileHandle('fruit.txt', { create: true })).createWritable();
  await input.write(FRUIT);
  await input.close();
  try {
    await coordinator.load('sortlines', 'sortlines.wasm');
    const sort = coordinator.spawn('sortlines', {
      args: ['/data/fruit.txt', '/data/sorted.txt'],
      mounts: { '/data': opfsDir(dir) },
      stdin: null,
    });
    const { exitCode, stderr } = await sort.text();
    if (exitCode !== 0) throw new Error(`sortlines exited with ${exitCode}: ${stderr}`);
    const sorted = await (await dir.getFileHandle('sorted.txt')).getFile();
    return await sorted.text(); // read before the finally below removes it
  } finally {
    await root.removeEntry('sabq-bundled-app', { recursive: true });
  }
}

async function main() {
  const coordinator = await Coordinator.create({ workers: 1 });
  try {
    const upper = await askUpper(coordinator);
    const doubled = await coordinator.run({ url: 'double.js' }, 21);
    return { ...upper, doubled, sorted: await sortInOpfs(coordinator) };
  } finally {
    await coordinator.close();
  }
}

const shown = document.getElementById('answer');
main().then(
  (r) => {
    shown.textContent = r.answer;
    window.__result = { asked: LINE, ...r };
  },
  (e) => {
    shown.textContent = `failed: ${e}`;
    window.__error = String(e?.stack ?? e);
  },
);
