#!/usr/bin/env node
import { ConfigError } from '../lambda/errors.js';
/** `cdk synth` / `cdk deploy` entry (cdk.json runs it with `node --import tsx`). */
import { buildApp } from '../lib/app.js';

try {
  buildApp();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
