// tests/browser/guide.test.mjs — docs/plugins.md shows examples/guide/ word for
// word, and that page works in Chromium as the guide says: names typed into
// the box come back greeted by the plugin, and end of input ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openBrowser } from './browser.mjs';

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

test('the guide page: the text box is the plugin\'s stdin', { timeout: 120_000 }, async () => {
  const b = await openBrowser();
  try {
    const { page } = b;
    await page.goto(`${b.server.url}/examples/guide/`);
    const output = page.locator('#output');
    await output.filter({ hasText: 'What is your name?' }).waitFor({ timeout: 60_000 });
    for (const name of ['Ada', 'Grace', 'Linus']) {
      await page.fill('#name', name);
      await page.click('form button');
      await output.filter({ hasText: `Hello, ${name}!` }).waitFor({ timeout: 10_000 });
    }
    await page.click('#done');
    await output.filter({ hasText: '(exit code 0)' }).waitFor({ timeout: 10_000 });
    assert.equal(await output.textContent(),
      'What is your name?\nHello, Ada!\nHello, Grace!\nHello, Linus!\nGoodbye.\n(exit code 0)\n');
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.deepEqual(b.errors, []);
  } finally {
    await b.close();
  }
});
