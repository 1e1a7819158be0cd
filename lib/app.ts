import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { withRuleFile } from '../lambda/alert/rules/rule-file.js';
import { checkClusterAccounts, checkMetricsReach, loadConfig, parseConfigText } from '../lambda/config.js';
import { ConfigError, unreadableReason } from '../lambda/errors.js';
import { CheckerStack } from './checker-stack.js';

export const DEFAULT_CONFIG_FILE = 'checker.config.json';
export const DEFAULT_STACK_NAME = 'TenantReconciliationChecker';

/** Reads and validates the config file the app was pointed at (`-c config=FILE`, default checker.config.json). */
export function readConfigFile(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [
      `(the whole file): ${unreadableReason(error)}; copy checker.config.example.json to ${DEFAULT_CONFIG_FILE}, or pass -c config=FILE`,
    ]);
  }
  parseConfigText(text, path); // validates, naming every bad field
  // The rule file it names is read and validated here, and travels with the function.
  return loadConfig(withRuleFile(JSON.parse(text), path), path);
}

/** Behaviours the stack relies on, set here so the CLI, tests and `cdk synth` agree. */
const FEATURE_FLAGS = {
  // Access logs are delivered under a bucket policy, not the legacy LogDeliveryWrite ACL (ACLs stay disabled).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

/**
 * The CDK app: one checker stack for the config file, checked by cdk-nag's AwsSolutions pack.
 * Context: `config` (file path), `stackName`.
 */
export function buildApp(props: AppProps = {}): { app: App; stack: CheckerStack } {
  const app = new App({ ...props, context: { ...FEATURE_FLAGS, ...props.context } });
  const configPath = resolve(String(app.node.tryGetContext('config') ?? DEFAULT_CONFIG_FILE));
  const config = readConfigFile(configPath);
  // A cluster of another account needs a role to assume; which account is "another" is known only here.
  checkClusterAccounts(config.config, process.env.CDK_DEFAULT_ACCOUNT, configPath);
  checkMetricsReach(config.config, configPath);
  const stack = new CheckerStack(app, String(app.node.tryGetContext('stackName') ?? DEFAULT_STACK_NAME), {
    config,
    description: 'Tenant reconciliation checker: runs the TenantReconciliationErrors runbook on a schedule',
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: config.config.region ?? process.env.CDK_DEFAULT_REGION,
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
