import { Coordinator } from '/bindings-js/src/index.js';

const coordinator = await Coordinator.create({
  workers: 1,
  wasiShimUrl: '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js',
});
await coordinator.load('greet', '/build/plugins/greet.wasm');
const greet = coordinator.spawn('greet');

// stdout: show each chunk as it arrives.
const output = document.getElementById('output');
const decoder = new TextDecoder();
(async () => {
  for await (const chunk of greet.stdout) output.textContent += decoder.decode(chunk, { stream: true });
  output.textContent += `(exit code ${await greet.exit})\n`;
})();

// stdin: each submitted name is one line; the plugin's fgets returns it.
document.getElementById('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = document.getElementById('name');
  await greet.write(`${input.value}\n`);
  input.value = '';
});
document.getElementById('done').addEventListener('click', () => greet.closeStdin());
