// tests/bundlers/bundlers.test.mjs — sabq in apps built by bundlers: Vite 8,
// Vite 6 (with the two settings docs/plugins.md gives for it), webpack 5 and
// esbuild each build tests/bundlers/app/ into build/bundlers/NAME/, against
// sabq as `npm pack` publishes it, installed in tests/bundlers/node_modules/
// (where an app's dependencies live: bundlers treat those unlike linked
// sources). Each built app runs in every engine of the browser harness,
// served with the COOP/COEP headers, and must show upper.wasm's answer to the
// line it wrote, the result of a JS task and a file sorted in
// OPFS through sabq's third worker, the OPFS helper, with no error on the
// page and no warning from the bundler. Vite's dev servers run the app too: there sabq
// reaches the page through Vite's dependency optimizer, not a build. And the
// same app served as it is, with an import map, shows that pages without a
// bundler still need no more.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { engines, openBrowser, runPage } from '../browser/browser.mjs';
import { build as esbuildApp, options as esbuildOptions } from './esbuild.mjs';
import webpackConfig from './webpack.config.js';
import viteConfig from './vite.config.js';
import vite6Config from './vite6.config.js';

const run = promisify(execFile);
const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const REPO = here('../../');
const OUT = `${REPO}build/bundlers`;
// What every app serves beside its page: the plugins it loads and its JS task.
const STATIC = `${OUT}/static`;
const ASKED = 'hello from a bundled app';

/** sabq from its `npm pack` tarball into tests/bundlers/node_modules/sabq, as npm installs it. */
async function installPackage() {
  const dest = here('node_modules/sabq');
  await mkdir(OUT, { recursive: true });
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', OUT], { cwd: `${REPO}bindings-js` });
  const [{ filename }] = JSON.parse(stdout);
  await rm(dest, { recursive: true, force: true });
  await mkdir(dest, { recursive: true });
  await run('tar', ['-xzf', `${OUT}/${filename}`, '-C', dest, '--strip-components=1']);
}

async function stageStatic() {
  await mkdir(STATIC, { recursive: true });
  for (const plugin of ['upper', 'sortlines']) await copyFile(`${REPO}build/plugins/${plugin}.wasm`, `${STATIC}/${plugin}.wasm`);
  await copyFile(here('static/double.js'), `${STATIC}/double.js`);
}

/** An app's page (unless its bundler wrote one) and static files, into `out`. */
async function serveBeside(out, page) {
  if (page !== undefined) await writeFile(`${out}/index.html`, page);
  for (const file of await readdir(STATIC)) await copyFile(`${STATIC}/${file}`, `${out}/${file}`);
}

/** Vite's logger, keeping what it warns about. */
function viteLogger(vite, warnings) {
  const logger = vite.createLogger('warn');
  return { ...logger, warn: (msg, o) => warnings.push(msg), warnOnce: (msg, o) => warnings.push(msg) };
}

async function viteBuild(pkg, configFile) {
  const vite = await import(pkg);
  const warnings = [];
  await vite.build({ configFile: here(configFile), customLogger: viteLogger(vite, warnings) });
  return { version: vite.version, warnings };
}

async function webpackBuild() {
  const { default: webpack } = await import('webpack');
  const stats = await new Promise((resolve, reject) => {
    const compiler = webpack(webpackConfig);
    compiler.run((error, result) => compiler.close(() => (error ? reject(error) : resolve(result))));
  });
  const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
  if (errors.length) throw new Error(errors.map((e) => e.message).join('\n'));
  return { version: webpack.version, warnings: warnings.map((w) => w.message) };
}

async function esbuildBuild() {
  const { version } = await import('esbuild');
  const { warnings } = await esbuildApp();
  return { version, warnings: warnings.map((w) => w.text) };
}

const BUILDS = {
  vite: () => viteBuild('vite', 'vite.config.js'),
  vite6: () => viteBuild('vite6', 'vite6.config.js'),
  webpack: webpackBuild,
  esbuild: esbuildBuild,
};

// The guide's "Bundlers" section: its code blocks, evaluated.
const guide = await readFile(here('../../docs/plugins.md'), 'utf8');
const section = guide.slice(guide.indexOf('\n## Bundlers'), guide.indexOf('\n## ', guide.indexOf('\n## Bundlers') + 1));
const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
const evaluate = async (code) => (await import(`data:text/javascript,${encodeURIComponent(code)}`)).default;
const blockWith = (text) => blocks.find((b) => b.includes(text)) ?? assert.fail(`no block with ${text} in the guide's Bundlers section`);

test('the guide gives sabq the settings these apps are built with', async () => {
  // Vite 6 and 7: the guide's vite.config.js is what vite6.config.js adds to the Vite 8 app.
  const viteSettings = await evaluate(blockWith('worker:'));
  assert.deepEqual(viteSettings, { worker: vite6Config.worker, optimizeDeps: vite6Config.optimizeDeps });
  for (const key of Object.keys(viteSettings)) assert.equal(viteConfig[key], undefined, `Vite 8 needs no ${key}`);
  // esbuild: the same entry points for sabq's workers and the same output shape.
  const code = blockWith('esbuild.build(');
  const call = code.slice(code.indexOf('esbuild.build(') + 'esbuild.build('.length, code.indexOf('\n});') + 2);
  const shown = await evaluate(`export default ${call}`);
  for (const key of ['entryNames', 'bundle', 'format']) assert.equal(shown[key], esbuildOptions[key], key);
  assert.deepEqual(shown.entryPoints.slice(1), esbuildOptions.entryPoints.slice(1), 'the worker entry points');
  assert.equal(shown.outdir.split('/').at(-1), esbuildOptions.outdir.split('/').at(-1), 'the bundle\'s folder');
  const copiedTo = code.match(/copyFile\(.*'sabq\/sabq\.wasm'.*, '([^']+)'\)/)?.[1];
  assert.equal(copiedTo, `${shown.outdir.split('/').slice(0, -1).join('/')}/sabq.wasm`, 'sabq.wasm goes above the bundle\'s folder');
});

const page = () => readFile(here('app/index.html'), 'utf8');

for (const [name, build] of Object.entries(BUILDS)) {
  test(`${name} builds the app without a warning`, { timeout: 180_000 }, async () => {
    await rm(`${OUT}/${name}`, { recursive: true, force: true }); // nothing of an earlier build runs
    const t0 = performance.now();
    const { version, warnings } = await build();
    console.log(`# ${name} ${version}: built in ${Math.round(performance.now() - t0)} ms`);
    await serveBeside(`${OUT}/${name}`, name.startsWith('vite') ? undefined : await page());
    assert.deepEqual(warnings, [], `${name} warned`);
  });
}

test('the app served unbundled, an import map resolving its imports', async () => {
  const imports = {
    sabq: '/bindings-js/src/index.js',
    '@bjorn3/browser_wasi_shim': '/node_modules/@bjorn3/browser_wasi_shim/dist/index.js',
  };
  const source = await page();
  const unbundled = source.replace(
    '<script type="module" src="./js/main.js">',
    `<script type="importmap">${JSON.stringify({ imports })}</script>\n  <script type="module" src="/tests/bundlers/app/js/main.js">`,
  );
  assert.notEqual(unbundled, source, 'the page loads the app from js/main.js');
  await mkdir(`${OUT}/importmap`, { recursive: true });
  await serveBeside(`${OUT}/importmap`, unbundled);
});

/** Vite's dev server for the app, on a free port; {url, warnings, close()}. */
async function viteDevServer(pkg, configFile) {
  const vite = await import(pkg);
  const warnings = [];
  // Vite keys its pre-bundled dependencies on lockfiles and config, not on
  // what the installed sabq holds: an earlier run's would serve old code.
  const cacheDir = `${OUT}/${pkg}-dev-cache`;
  await rm(cacheDir, { recursive: true, force: true });
  const server = await vite.createServer({
    configFile: here(configFile),
    customLogger: viteLogger(vite, warnings),
    cacheDir,
    publicDir: STATIC,
    server: { port: 0, host: '127.0.0.1' },
  });
  await server.listen();
  return { url: server.resolvedUrls.local[0], warnings, close: () => server.close() };
}

// Started once, visited by every engine.
const DEV_SERVERS = { vite: 'vite.config.js', vite6: 'vite6.config.js' };
const devServers = {};
// One hook, in this order: node:test starts the file's top-level before hooks
// together, and a dev server started beside the install pre-bundled the copy
// of sabq an earlier run had left there (old code on the page).
before(async () => {
  await installPackage();
  await stageStatic();
  for (const [pkg, configFile] of Object.entries(DEV_SERVERS)) devServers[pkg] = await viteDevServer(pkg, configFile);
});
after(() => Promise.all(Object.values(devServers).map((d) => d.close())));

for (const engine of engines) {
  describe(`in ${engine.name}`, () => {
    let browser;
    before(async () => {
      browser = await openBrowser(engine);
    });
    after(() => browser?.close());

    /** Opens the app at `url` (a path on the harness's server, or a URL) and checks what it shows. */
    async function checkApp(url) {
      browser.errors.length = 0;
      const result = await runPage(browser, url, 60_000);
      const expected = { asked: ASKED, answer: ASKED.toUpperCase(), exitCode: 0, doubled: 42 };
      assert.deepEqual(result, { ...expected, sorted: 'apple\nfig\npear\n' });
      const shown = await browser.page.evaluate(() => document.getElementById('answer').textContent);
      assert.equal(shown, ASKED.toUpperCase(), 'the page shows the answer');
      assert.deepEqual(browser.errors, [], 'no error on the page');
    }

    for (const name of [...Object.keys(BUILDS), 'importmap']) {
      test(`the app ${name === 'importmap' ? 'served unbundled' : `built by ${name}`}`, { timeout: 120_000 }, () =>
        checkApp(`/build/bundlers/${name}/`));
    }
    for (const pkg of Object.keys(DEV_SERVERS)) {
      test(`the app from ${pkg}'s dev server`, { timeout: 120_000 }, () => checkApp(devServers[pkg].url));
    }
  });
}

for (const pkg of Object.keys(DEV_SERVERS)) {
  test(`${pkg}'s dev server served the app without a warning`, () => {
    assert.deepEqual(devServers[pkg].warnings, []);
  });
}
