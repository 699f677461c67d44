#!/usr/bin/env node
// sabq-pipeline — run a pipeline of WASI programs, each in its own worker,
// connected by sabq pipes, with this terminal as stdin and stdout:
//
//   sabq-pipeline 'gen.wasm 1000000 | grep.wasm 7 | wc.wasm'
//
// Options: --workers N (pool size; default: one per stage), --timeout MS.
// Exit status: as `set -o pipefail` in sh (the last non-zero exit code of a
// stage, else 0); 1 with a message if a stage trapped, crashed or timed out.
import { Coordinator, TaskError } from 'sabq';

function usage(msg) {
  if (msg) console.error(`sabq-pipeline: ${msg}`);
  console.error("usage: sabq-pipeline [--workers N] [--timeout MS] 'a.wasm ARGS | b.wasm ARGS | ...'");
  process.exit(2);
}

/** Splits "a.wasm x 'y z' | b.wasm" into [['a.wasm','x','y z'], ['b.wasm']]. */
export function parsePipeline(line) {
  const stages = [[]];
  let word = null;
  let quote = null;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word ??= '';
    } else if (ch === '|' || /\s/.test(ch)) {
      if (word !== null) stages[stages.length - 1].push(word);
      word = null;
      if (ch === '|') stages.push([]);
    } else {
      word = (word ?? '') + ch;
    }
  }
  if (quote) throw new Error('unterminated quote');
  if (word !== null) stages[stages.length - 1].push(word);
  if (stages.some((s) => s.length === 0)) throw new Error('empty stage');
  return stages;
}

async function main(argv) {
  let workers;
  let timeoutMs;
  const rest = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--workers') workers = Number(argv[++i]);
    else if (argv[i] === '--timeout') timeoutMs = Number(argv[++i]);
    else if (argv[i] === '-h' || argv[i] === '--help') usage();
    else rest.push(argv[i]);
  }
  if (rest.length === 0) usage('no pipeline given');
  let stages;
  try {
    stages = parsePipeline(rest.join(' '));
  } catch (e) {
    usage(e.message);
  }
  const c = await Coordinator.create({ workers: workers ?? stages.length });
  for (const [path] of stages) await c.load(path, path);
  const interactive = !!process.stdin.isTTY;
  const last = c.pipeline(stages.map(([plugin, ...args]) => ({ plugin, args })), {
    tty: interactive,
    timeoutMs,
    stdin: 'pipe',
  });
  // stdin: whatever the terminal or the shell gives us, until EOF or the
  // first stage exits.
  const first = last.first;
  const feeding = (async () => {
    try {
      for await (const chunk of process.stdin) await first.write(chunk);
    } catch {
      // the first stage exited before reading everything: drop the rest
    }
    first.closeStdin();
  })();
  first.exit.catch(() => {}).finally(() => process.stdin.destroy());
  const pump = async (stream, out) => {
    for await (const chunk of stream) if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  };
  const copies = [pump(last.stdout, process.stdout), ...last.stages.map((h) => pump(h.stderr, process.stderr))];
  let status = 0;
  try {
    status = await last.exit; // pipefail: a stage that failed fails the pipeline
  } catch (e) {
    console.error(`sabq-pipeline: ${e instanceof TaskError ? `${e.code}: ${e.message}` : e}`);
    status = 1;
  }
  await Promise.allSettled(copies);
  await feeding.catch(() => {});
  await c.close();
  process.exitCode = status;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('sabq-pipeline.mjs')) {
  await main(process.argv.slice(2));
}
