#!/usr/bin/env node
// kubectl-atom: the process edge. kubectl runs it for `kubectl atom ...` when it is on PATH.
import { setTimeout as delay } from 'node:timers/promises';
import { runPlugin } from './cli.js';

const abort = new AbortController();
process.once('SIGINT', () => abort.abort());
process.once('SIGTERM', () => abort.abort());

// `kubectl atom status -A | head`: the reader went away. Stop quietly, as kubectl does, rather than
// die on an unhandled 'error' event with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') process.stderr.write(`error: cannot write the output: ${err.message} [INTERNAL]\n`);
  process.exit(err.code === 'EPIPE' ? 0 : 1);
});

const write = (stream: NodeJS.WriteStream) => (text: string) => {
  stream.write(text);
};

const code = await runPlugin(process.argv.slice(2), {
  out: write(process.stdout),
  err: write(process.stderr),
  env: process.env,
  now: () => new Date(),
  sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : {}).catch(() => undefined),
  signal: abort.signal,
});
process.exitCode = code;
