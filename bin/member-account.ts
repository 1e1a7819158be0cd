#!/usr/bin/env node
/**
 * The member account's app: `npx cdk deploy --app 'node --import tsx bin/member-account.ts'
 * -c config=checker.config.json -c checkerRoleArn=ARN --all`, with the member account's credentials.
 */
import { ConfigError } from '../lambda/errors.js';
import { buildMemberApp } from '../lib/member-account-stack.js';

try {
  buildMemberApp();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
