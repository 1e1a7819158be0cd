import { resolve } from 'node:path';
import { App, type AppProps, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Construct } from 'constructs';
import { type CheckerConfig, ROLE_ARN } from '../lambda/config.js';
import { ConfigError } from '../lambda/errors.js';
import { DEFAULT_CONFIG_FILE, readConfigFile } from './app.js';
import {
  MemberAccessEntries,
  MemberAccessRole,
  type MemberCluster,
} from './constructs/member-access-role.js';

export const MEMBER_STACK_NAME = 'TenantCheckerMemberAccess';

export interface MemberAccountStackProps extends StackProps {
  /** The role's ARN from the checker's config (`accounts[...].roleArn`): its name and path are kept. */
  readonly roleArn: string;
  readonly externalId: string;
  readonly checkerRoleArn: string;
  /** Create the role here (one region per account does; IAM is global). */
  readonly createRole: boolean;
  /** All the account's watched clusters (the role's grants); those of this stack's region get access entries. */
  readonly clusters: readonly MemberCluster[];
  readonly kubernetesGroup: string;
}

/**
 * What a member account needs so that the checker can read its clusters: the role the checker assumes
 * (in one region's stack) and an access entry per cluster of this region mapping that role to the
 * checker's Kubernetes group. Deployed with the member account's credentials.
 */
export class MemberAccountStack extends Stack {
  readonly role?: MemberAccessRole;
  readonly entries: MemberAccessEntries;

  constructor(scope: Construct, id: string, props: MemberAccountStackProps) {
    super(scope, id, props);
    const { path, name } = roleNameOf(props.roleArn);
    if (props.createRole) {
      this.role = new MemberAccessRole(this, 'CheckerAccess', {
        checkerRoleArn: props.checkerRoleArn,
        externalId: props.externalId,
        roleName: name,
        ...(path !== '/' ? { path } : {}),
        clusters: props.clusters,
      });
    }
    this.entries = new MemberAccessEntries(this, 'AccessEntries', {
      roleArn: this.role?.role.roleArn ?? props.roleArn,
      clusters: props.clusters.filter((c) => c.region === props.env?.region),
      kubernetesGroup: props.kubernetesGroup,
    });
  }
}

/** `arn:aws:iam::111122223333:role/team/tenant-checker` → path `/team/`, name `tenant-checker`. */
export function roleNameOf(roleArn: string): { path: string; name: string } {
  const resource = roleArn.split(':role/')[1] ?? '';
  const parts = resource.split('/');
  const name = parts.pop() ?? '';
  return { path: parts.length > 0 ? `/${parts.join('/')}/` : '/', name };
}

/**
 * The member account's stacks for a checker config: one per region of the account's clusters, the
 * role in `homeRegion` (or the first region). Refuses, naming the field, what the role cannot be
 * made without.
 */
export function memberStacks(
  app: App,
  options: {
    config: CheckerConfig;
    source: string;
    account: string | undefined;
    checkerRoleArn: string | undefined;
    homeRegion?: string;
  },
): MemberAccountStack[] {
  const { config, source, account, checkerRoleArn } = options;
  const problems: string[] = [];
  if (!account || !/^\d{12}$/.test(account))
    problems.push(
      `-c account: expected the member account's 12-digit id (or AWS credentials of that account), got "${account ?? ''}"`,
    );
  if (!checkerRoleArn || !ROLE_ARN.test(checkerRoleArn))
    problems.push(
      `-c checkerRoleArn: expected the checker function's role ARN (the checker stack's output CheckerRoleArn), got "${checkerRoleArn ?? ''}"`,
    );
  const access = account ? config.accounts[account] : undefined;
  if (account && !access)
    problems.push(
      `accounts["${account}"]: expected the roleArn (and externalId) the checker assumes in this account`,
    );
  if (access && !access.externalId)
    problems.push(
      `accounts["${account}"].externalId: expected an external id: the member role's trust policy requires one`,
    );
  const clusters: MemberCluster[] = config.clusters
    .filter((c) => c.account === account)
    .map((c) => ({
      name: c.name,
      region: c.region,
      ...(c.metrics.source === 'amp'
        ? { workspace: { workspaceId: c.metrics.workspaceId, region: c.metrics.region ?? c.region } }
        : {}),
    }));
  if (account && clusters.length === 0)
    problems.push(`clusters: expected at least one cluster with account "${account}"`);
  if (problems.length > 0 || !access?.externalId || !account || !checkerRoleArn)
    throw new ConfigError(source, problems);

  const regions = [...new Set(clusters.map((c) => c.region))].sort();
  const home = options.homeRegion && regions.includes(options.homeRegion) ? options.homeRegion : regions[0];
  const ordered = [home as string, ...regions.filter((r) => r !== home)];
  const stacks: MemberAccountStack[] = [];
  for (const region of ordered) {
    const stack = new MemberAccountStack(
      app,
      region === home ? MEMBER_STACK_NAME : `${MEMBER_STACK_NAME}-${region}`,
      {
        env: { account, region },
        description:
          "Tenant reconciliation checker: the role and access entries that let the checker read this account's clusters",
        roleArn: access.roleArn,
        externalId: access.externalId,
        checkerRoleArn,
        createRole: region === home,
        clusters,
        kubernetesGroup: config.kubernetesGroup,
      },
    );
    // The other regions' access entries name the role: it must exist first.
    if (stacks[0]) stack.addStackDependency(stacks[0]);
    stacks.push(stack);
  }
  return stacks;
}

/**
 * The member account's CDK app (`bin/member-account.ts`). Context: `config` (the checker's config file),
 * `account` (default: the deploying credentials' account), `checkerRoleArn`.
 */
export function buildMemberApp(props: AppProps = {}): { app: App; stacks: MemberAccountStack[] } {
  const app = new App(props);
  const source = resolve(String(app.node.tryGetContext('config') ?? DEFAULT_CONFIG_FILE));
  const { config } = readConfigFile(source);
  const context = (key: string) => {
    const value = app.node.tryGetContext(key);
    return value === undefined ? undefined : String(value);
  };
  const stacks = memberStacks(app, {
    config,
    source,
    account: context('account') ?? process.env.CDK_DEFAULT_ACCOUNT,
    checkerRoleArn: context('checkerRoleArn'),
    ...(process.env.CDK_DEFAULT_REGION ? { homeRegion: process.env.CDK_DEFAULT_REGION } : {}),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stacks };
}
