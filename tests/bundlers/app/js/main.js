// tests/bundlers/app/js/main.js — the app every bundler builds: it imports
// sabq by its package name, as any app does, starts a coordinator, runs the
// `upper` plugin, writes it a line and shows the answer, read while the
// plugin still runs (blocked in fd_read for its next line). No top-level
// await: Vite 6's default build target refuses one, in an app as in a package.
import { Coordinator } from 'sabq';

const LINE = 'hello from a bundled app';

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

async function askUpper() {
  const coordinator = await Coordinator.create({ workers: 1 });
  try {
    await coordinator.load('upper', 'upper.wasm'); // served beside the page
    const upper = coordinator.spawn('upper');
    await upper.write(`${LINE}\n`);
    const answer = await firstLine(upper.stdout);
    upper.closeStdin();
    const exitCode = await upper.exit;
    return { answer: answer.trimEnd(), exitCode };
  } finally {
    await coordinator.close();
  }
}

const shown = document.getElementById('answer');
askUpper().then(
  (r) => {
    shown.textContent = r.answer;
    window.__result = { asked: LINE, ...r };
  },
  (e) => {
    shown.textContent = `failed: ${e}`;
    window.__error = String(e?.stack ?? e);
  },
);
