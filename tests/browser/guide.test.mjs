// tests/browser/guide.test.mjs — docs/plugins.md shows examples/guide/ word for
// word, and that page works in each browser as the guide says: names typed
// into the box come back greeted by the plugin, and end of input ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { browserTest, waitForText } from './browser.mjs';

const root = new URL('../../', import.meta.url);
const guide = readFileSync(new URL('docs/plugins.md', root), 'utf8');

for (const [file, lang, comment] of [
  ['examples/guide/greet.c', 'c', (f) => `/* ${f} */`],
  ['examples/guide/index.html', 'html', (f) => `<!-- ${f} -->`],
  ['examples/guide/main.js', 'js', (f) => `// ${f}`],
]) {
  test(`the guide shows ${file} as it is`, () => {
    const code = readFileSync(new URL(file, root), 'utf8').trimEnd();
    assert.ok(guide.includes(`\`\`\`${lang}\n${comment(file)}\n${code}\n\`\`\``), `docs/plugins.md's block for ${file} differs from the file`);
  });
}

browserTest('the guide page: the text box is the plugin\'s stdin', { timeout: 120_000 }, async (b) => {
  const { page } = b;
  await page.goto(`${b.server.url}/examples/guide/`);
  await waitForText(b, '#output', 'What is your name?', 60_000);
  for (const name of ['Ada', 'Grace', 'Linus']) {
    await page.locator('#name').fill(name);
    await page.click('form button');
    await waitForText(b, '#output', `Hello, ${name}!`);
  }
  await page.click('#done');
  await waitForText(b, '#output', '(exit code 0)');
  assert.equal(await page.$eval('#output', (e) => e.textContent),
    'What is your name?\nHello, Ada!\nHello, Grace!\nHello, Linus!\nGoodbye.\n(exit code 0)\n');
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
});
