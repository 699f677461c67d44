// tests/js/readme.test.mjs — the README's JavaScript example is the code in
// examples/js/, word for word, and it runs as written.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

for (const file of ['examples/js/hello.mjs', 'examples/js/hello-worker.mjs', 'examples/js/calc.mjs', 'examples/js/files.mjs']) {
  test(`README shows ${file} as it is`, () => {
    const code = readFileSync(new URL(file, root), 'utf8').trimEnd();
    assert.ok(readme.includes('```js\n' + `// ${file}\n` + code + '\n```'), `README's block for ${file} differs from the file`);
  });
}

test('the README example prints the worker\'s message', () => {
  const r = spawnSync(process.execPath, [new URL('examples/js/hello.mjs', root).pathname], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'hello from a worker');
});

test('the README plugin example prints the answer and the exit code', () => {
  const r = spawnSync(process.execPath, [new URL('examples/js/calc.mjs', root).pathname], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '42\nexit code 0\n');
});

test('the README files example prints the file the plugin wrote', () => {
  const r = spawnSync(process.execPath, [new URL('examples/js/files.mjs', root).pathname], { encoding: 'utf8', timeout: 30000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'apple\nfig\npear\n');
});
