// tests/browser/browser.mjs — Debian's Chromium, headless, driven by
// playwright-core, against tools/serve.mjs (COOP/COEP headers). Never
// downloads a browser: /usr/bin/chromium must be installed (make deps).
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../tools/serve.mjs';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Starts the server and a fresh Chromium profile; returns {page, server, close}. */
export async function openBrowser() {
  const server = await startServer({ port: 0 });
  const profile = await mkdtemp(join(tmpdir(), 'sabq-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return {
    page,
    server,
    errors,
    async close() {
      await context.close();
      await server.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Opens `path` and waits for the page to publish window.__result. */
export async function runPage(b, path, timeout = 180_000) {
  await b.page.goto(new URL(path, b.server.url).href); // a path on the server, or any URL
  await b.page.waitForFunction(() => window.__result !== undefined || window.__error !== undefined, null, { timeout, polling: 250 });
  const error = await b.page.evaluate(() => window.__error);
  if (error) throw new Error(`page failed: ${error}\n${b.errors.join('\n')}`);
  return b.page.evaluate(() => window.__result);
}
