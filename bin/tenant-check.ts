#!/usr/bin/env node
/** The `tenant-check` command (package bin, compiled to dist/bin/tenant-check.js). */
import { main } from '../lambda/cli.js';

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  isTty: Boolean(process.stdout.isTTY),
  env: process.env,
});
process.exitCode = code;
