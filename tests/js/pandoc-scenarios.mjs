// tests/js/pandoc-scenarios.mjs — a real, unmodified WASI program built by
// others: pandoc (npm pandoc-wasm, the upstream pandoc.wasm), run as a plugin
// with files. It reads its input files from a mount and writes its output
// file there; a book of 300 chapters and a template come from a shared image.
// Run in Node (files.test.mjs) and in browsers (tests/browser/files-page.js).
import { memoryDir } from '../../bindings-js/src/index.js';
import { check } from './check.mjs';

/** Where pandoc.wasm is, from the repository's root. */
export const PANDOC_WASM = 'node_modules/pandoc-wasm/src/pandoc.wasm';

const text = (bytes) => new TextDecoder().decode(bytes);

export const pandocScenarios = [
  {
    name: 'pandoc (unmodified, from npm) converts a mounted input file into an output file',
    async run(c) {
      const p = c.spawn('pandoc', {
        args: ['/work/in.md', '--standalone', '--metadata', 'title=Report', '-o', '/work/out/report.html'],
        mounts: { '/work': { 'in.md': '# Results\n\nThe *answer* is **42**.\n', out: {} }, '/tmp': memoryDir() },
        stdin: null,
      });
      const r = await p.text();
      check(r.exitCode === 0, `pandoc exit ${r.exitCode}: ${r.stderr}`);
      const html = text((await p.files('/work')).out['report.html']);
      check(html.startsWith('<!DOCTYPE html>') && html.includes('<title>Report</title>'), `a standalone page: ${html.slice(0, 200)}`);
      check(html.includes('<h1 id="results">Results</h1>') && html.includes('The <em>answer</em> is <strong>42</strong>.'), 'the converted text');
    },
  },
  {
    name: 'pandoc reads 300 chapters and a template from a shared image, writes the book to /work',
    async run(c, log) {
      const chapters = {};
      const args = [];
      for (let i = 1; i <= 300; i++) {
        const name = `ch-${String(i).padStart(3, '0')}.md`;
        chapters[name] = `# Chapter ${i}\n\nParagraph ${i}: ${'lorem ipsum '.repeat(40)}\n`;
        args.push(`/share/book/${name}`);
      }
      const image = await c.image({
        book: chapters,
        pandoc: { templates: { 'book.html': '<html><body class="book">\n$body$\n</body></html>\n' } },
      });
      const t0 = performance.now();
      const p = c.spawn('pandoc', {
        args: ['--data-dir=/share/pandoc', '--template=book', ...args, '-o', '/work/book.html'],
        mounts: { '/share': image, '/work': {}, '/tmp': {} },
        stdin: null,
      });
      const r = await p.text();
      check(r.exitCode === 0, `pandoc exit ${r.exitCode}: ${r.stderr}`);
      log(`pandoc: 300 chapters from a shared image into one book in ${(performance.now() - t0).toFixed(0)} ms`);
      const book = text((await p.files('/work'))['book.html']);
      check(book.startsWith('<html><body class="book">'), `the template from the image was used: ${book.slice(0, 80)}`);
      for (const i of [1, 150, 300]) check(book.includes(`<h1 id="chapter-${i}">Chapter ${i}</h1>`), `chapter ${i} is in the book`);
      check((book.match(/<h1 /g) ?? []).length === 300, 'all 300 chapters');
    },
  },
];
