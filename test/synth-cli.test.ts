import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratchDir } from './helpers/scratch.js';

const CDK = resolve('node_modules/.bin/cdk');

/**
 * `npx cdk synth` as a newcomer runs it: no AWS credentials, no AWS config, no network, a fresh
 * HOME. Nothing may be looked up (no context providers, no notices, no telemetry).
 */
function cdkSynth(args: string[]) {
  const home = scratchDir('checker-home-');
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('AWS_') && !key.startsWith('CDK_')) env[key] = value;
  }
  Object.assign(env, {
    HOME: home,
    CDK_HOME: join(home, '.cdk'),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    npm_config_update_notifier: 'false',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const outdir = join(home, 'cdk.out');
  const result = spawnSync(CDK, ['synth', '--quiet', '--output', outdir, ...args], {
    env,
    encoding: 'utf8',
    timeout: 110_000,
  });
  return { ...result, outdir };
}

describe('cdk synth, offline and without credentials', () => {
  it('synthesizes the example config into a template with everything the stack defines', () => {
    const { status, stderr, outdir } = cdkSynth(['-c', 'config=checker.config.example.json']);
    expect(stderr).not.toMatch(/ERROR|Synthesis finished with errors/);
    // cdk.json sets the flags a new app of this aws-cdk-lib would have: nothing left unconfigured.
    expect(stderr).not.toMatch(/feature flags are not configured/);
    expect(status).toBe(0);
    const template = JSON.parse(
      readFileSync(join(outdir, 'TenantReconciliationChecker.template.json'), 'utf8'),
    );
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
    for (const type of [
      'AWS::Lambda::Function',
      'AWS::Scheduler::Schedule',
      'AWS::DynamoDB::GlobalTable',
      'AWS::SNS::Topic',
      'AWS::S3::Bucket',
      'AWS::CloudWatch::Alarm',
      'AWS::EKS::AccessEntry',
    ]) {
      expect(types).toContain(type);
    }
    expect(existsSync(join(outdir, 'validation-report.json'))).toBe(true);
  });

  it('refuses a bad config, naming each bad field', () => {
    const dir = scratchDir('checker-bad-');
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ clusters: [{ name: 'prod-eks-1', region: 'eu-west', schedule: 'rate(5 minute)' }] }),
    );
    const { status, stderr } = cdkSynth(['-c', `config=${file}`]);
    expect(status).not.toBe(0);
    expect(stderr).toContain(`${file} is not a valid checker configuration:`);
    expect(stderr).toContain('- clusters[0].region: expected an AWS region such as "eu-west-1"');
    expect(stderr).toContain('- clusters[0].schedule: write rate(5 minutes), got "rate(5 minute)"');
    expect(stderr).not.toMatch(/\n\s+at .*\.ts:\d+/); // a message, not a stack trace
  });

  it('tells a newcomer without a config file what to do', () => {
    const missing = join(tmpdir(), 'nowhere', 'checker.config.json');
    const { status, stderr } = cdkSynth(['-c', `config=${missing}`]);
    expect(status).not.toBe(0);
    expect(stderr).toContain(`${missing} is not a valid checker configuration:`);
    expect(stderr).toContain(
      'no such file; copy checker.config.example.json to checker.config.json, or pass -c config=FILE',
    );
  });
});
