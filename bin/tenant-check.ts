#!/usr/bin/env node
/** The `tenant-check` command (package bin, bundled into dist/tenant-check.mjs). */
import module from 'node:module';

// Node 22+ keeps V8's compiled code on disk between runs: later starts skip most of the parsing.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// --debug prints stack traces: map them back to our sources (dist/*.map) before the code loads.
if (process.argv.includes('--debug')) process.setSourceMapsEnabled(true);
const { main } = await import('../cli/cli.js');
const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: Boolean(process.stdout.isTTY),
  env: process.env,
});
process.exitCode = code;
