/**
 * The stacks of a fleet across accounts: the checker may assume exactly the member roles (and holds no
 * grant of its own on their clusters), and the member account's stacks make the role, trusted by the
 * checker's role alone with the external id, allowed exactly DescribeCluster and QueryMetrics on the
 * account's clusters, and the access entries mapping it to the checker's Kubernetes group. cdk-nag clean.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../lambda/config.js';
import { ConfigError } from '../lambda/errors.js';
import { MEMBER_STACK_NAME, memberStacks, roleNameOf } from '../lib/member-account-stack.js';
import { resourcesOf, synthApp } from './helpers/cdk.js';
import { scratchDir } from './helpers/scratch.js';

const CHECKER_ROLE = 'arn:aws:iam::111111111111:role/TenantReconciliationChecker-CheckerRole';
const MEMBER_ROLE = 'arn:aws:iam::222222222222:role/tenant-checker/tenant-checker-access';
const WORKSPACE = 'ws-12345678-abcd-ef01-2345-6789abcdef01';

const document = {
  region: 'eu-west-1',
  clusters: [
    { name: 'home-eks', region: 'eu-west-1', metrics: { source: 'prometheus' } },
    {
      name: 'member-eks-1',
      region: 'eu-west-1',
      account: '222222222222',
      metrics: { source: 'amp', workspaceId: WORKSPACE },
    },
    { name: 'member-eks-2', region: 'us-east-1', account: '222222222222', metrics: { source: 'prometheus' } },
  ],
  accounts: { '222222222222': { roleArn: MEMBER_ROLE, externalId: 'tenant-checker-7f3a' } },
};

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };

function statements(template: Template): Statement[] {
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
    (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

function violations(outdir: string): string[] {
  const file = join(outdir, 'validation-report.json');
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as {
    pluginReports: { violations: { ruleName: string }[] }[];
  };
  return report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName));
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the checker stack, with clusters in a member account', () => {
  it('may assume exactly the member role, describes only its own clusters, and maps only them', () => {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '111111111111');
    const { template, outdir } = synthApp(document);
    const all = statements(template);
    expect(all.filter((s) => s.Sid === 'AssumeMemberAccountRoles')).toEqual([
      expect.objectContaining({ Action: 'sts:AssumeRole', Resource: MEMBER_ROLE }),
    ]);
    // The member clusters are read as the member role: the checker's own grants stay on its account's.
    const describe = all.find((s) => s.Sid === 'DescribeWatchedClusters');
    expect(JSON.stringify(describe?.Resource)).toContain('cluster/home-eks');
    expect(JSON.stringify(describe?.Resource)).not.toContain('member-eks');
    expect(all.find((s) => s.Sid === 'QueryWorkspaces')).toBeUndefined();
    const entries = Object.values(resourcesOf(template, 'AWS::EKS::AccessEntry'));
    expect(entries.map((e) => e.Properties.ClusterName)).toEqual(['home-eks']);
    template.hasOutput('*', { Description: Match.stringLikeRegexp('member account') });
    expect(violations(outdir)).toEqual([]);
  });

  it('refuses a cluster of another account without a role, naming clusters[i].account', () => {
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '111111111111');
    let error: unknown;
    try {
      synthApp({ ...document, accounts: {} });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^clusters\[1\]\.account: cluster member-eks-1 is in account 222222222222/),
      expect.stringMatching(/^clusters\[2\]\.account: cluster member-eks-2 is in account 222222222222/),
    ]);
  });
});

describe("the member account's stacks", () => {
  const config = parseConfig(document);
  const build = (overrides: { checkerRoleArn?: string; account?: string } = {}) => {
    const outdir = join(scratchDir('member-cdk-'), 'cdk.out');
    const app = new App({ outdir });
    const stacks = memberStacks(app, {
      config,
      source: 'checker.config.json',
      account: '222222222222',
      checkerRoleArn: CHECKER_ROLE,
      homeRegion: 'us-east-1',
      ...overrides,
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const assembly = app.synth();
    return {
      stacks,
      outdir,
      template: (name: string) => Template.fromJSON(assembly.getStackByName(name).template),
    };
  };

  it("makes the role once (home region), trusted by the checker's role with the external id", () => {
    const { stacks, template, outdir } = build();
    expect(stacks.map((s) => [s.stackName, s.region])).toEqual([
      [MEMBER_STACK_NAME, 'us-east-1'],
      [`${MEMBER_STACK_NAME}-eu-west-1`, 'eu-west-1'],
    ]);
    const home = template(MEMBER_STACK_NAME);
    const roles = Object.values(resourcesOf(home, 'AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0]?.Properties).toMatchObject({
      RoleName: 'tenant-checker-access',
      Path: '/tenant-checker/',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { AWS: CHECKER_ROLE },
            Condition: { StringEquals: { 'sts:ExternalId': 'tenant-checker-7f3a' } },
          },
        ],
      },
    });
    expect(roles[0]?.Properties.ManagedPolicyArns).toBeUndefined();
    const granted = (
      (roles[0]?.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]
    ).flatMap((p) => p.PolicyDocument.Statement);
    const text = JSON.stringify(granted);
    expect(granted.map((s) => s.Action)).toEqual(['eks:DescribeCluster', 'aps:QueryMetrics']);
    expect(text).toContain(':eks:eu-west-1:222222222222:cluster/member-eks-1');
    expect(text).toContain(':eks:us-east-1:222222222222:cluster/member-eks-2');
    expect(text).toContain(`:aps:eu-west-1:222222222222:workspace/${WORKSPACE}`);
    expect(text).not.toContain('home-eks');
    expect(text).not.toContain('*');
    expect(Object.values(resourcesOf(template(`${MEMBER_STACK_NAME}-eu-west-1`), 'AWS::IAM::Role'))).toEqual(
      [],
    );
    expect(violations(outdir)).toEqual([]);
  });

  it("maps the role to the checker's Kubernetes group on each cluster, in its own region's stack", () => {
    const { template, stacks } = build();
    const entries = (name: string) =>
      Object.values(resourcesOf(template(name), 'AWS::EKS::AccessEntry')).map((e) => e.Properties);
    expect(entries(MEMBER_STACK_NAME)).toEqual([
      expect.objectContaining({
        ClusterName: 'member-eks-2',
        KubernetesGroups: ['tenant-checker-readers'],
        Type: 'STANDARD',
        PrincipalArn: expect.anything(),
      }),
    ]);
    expect(entries(`${MEMBER_STACK_NAME}-eu-west-1`)).toEqual([
      {
        ClusterName: 'member-eks-1',
        PrincipalArn: MEMBER_ROLE,
        KubernetesGroups: ['tenant-checker-readers'],
        Type: 'STANDARD',
      },
    ]);
    // The other region's entries wait for the role.
    expect(stacks[1]?.dependencies.map((s) => s.stackName)).toEqual([MEMBER_STACK_NAME]);
  });

  it('refuses what the role cannot be made without, naming each field', () => {
    const refused = (overrides: Parameters<typeof build>[0], cfg = config) => {
      try {
        memberStacks(new App(), {
          config: cfg,
          source: 'checker.config.json',
          account: '222222222222',
          checkerRoleArn: CHECKER_ROLE,
          ...overrides,
        });
      } catch (error) {
        return (error as ConfigError).problems;
      }
      return [];
    };
    expect(refused({ checkerRoleArn: 'TenantReconciliationChecker' })).toEqual([
      expect.stringMatching(/^-c checkerRoleArn: expected the checker function's role ARN/),
    ]);
    expect(refused({ account: '333333333333' })).toEqual([
      expect.stringMatching(/^accounts\["333333333333"\]: expected the roleArn/),
      expect.stringMatching(/^clusters: expected at least one cluster with account "333333333333"/),
    ]);
    const noExternalId = parseConfig({ ...document, accounts: { '222222222222': { roleArn: MEMBER_ROLE } } });
    expect(refused({}, noExternalId)).toEqual([
      expect.stringMatching(/^accounts\["222222222222"\]\.externalId: expected an external id/),
    ]);
  });

  it("reads the role's path and name from its ARN", () => {
    expect(roleNameOf('arn:aws:iam::222222222222:role/tenant-checker-access')).toEqual({
      path: '/',
      name: 'tenant-checker-access',
    });
    expect(roleNameOf(MEMBER_ROLE)).toEqual({ path: '/tenant-checker/', name: 'tenant-checker-access' });
  });
});
