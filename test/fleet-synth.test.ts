/**
 * A fleet of 500 clusters in two accounts and three regions synthesizes within every CloudFormation
 * and IAM limit, passes cdk-nag, and has each cluster's schedule, silence alarm, access entry and
 * grant exactly once; the member account's stacks do too, their role granted exactly its clusters.
 * The shard plan itself is tested on plain objects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { type ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClusterConfig, parseConfig } from '../lambda/config.js';
import { buildApp } from '../lib/app.js';
import { type MemberAccountStack, memberStacks } from '../lib/member-account-stack.js';
import { grantCharacters, grantTargetOf, MAX_CLUSTERS_PER_SHARD, planShards } from '../lib/shards.js';
import { CDK_JSON_CONTEXT, synthApp } from './helpers/cdk.js';
import {
  brokenLimits,
  FLEET_MEMBER,
  fleetDocument,
  measureTemplates,
  readTemplates,
  rolePolicies,
} from './helpers/cfn-limits.js';
import { scratchDir } from './helpers/scratch.js';

const clusters = (document: unknown): ClusterConfig[] => parseConfig(document).clusters;
const plan = (document: unknown) => planShards(parseConfig(document));

describe('the shard plan', () => {
  it('keeps a small fleet in one shard (the parent stack), in config order', () => {
    const shards = plan(fleetDocument(20));
    expect(shards).toHaveLength(1);
    expect(shards[0]?.map((c) => c.name)).toEqual(clusters(fleetDocument(20)).map((c) => c.name));
  });

  it('closes a shard at the cluster cap or when its grant would outgrow one managed policy', () => {
    const short = clusters({
      clusters: Array.from({ length: 250 }, (_, i) => ({
        name: `c${i}`,
        region: 'eu-west-1',
        metrics: { source: 'pods' },
      })),
    });
    // Short names: the cap decides.
    expect(planShards({ clusters: short, accounts: {} }).map((s) => s.length)).toEqual([
      MAX_CLUSTERS_PER_SHARD,
      MAX_CLUSTERS_PER_SHARD,
      50,
    ]);
    // Long names: the policy's size decides, and every shard's grant fits.
    const long = clusters({
      clusters: Array.from({ length: 250 }, (_, i) => ({
        name: `${'n'.repeat(90)}${i}`,
        region: 'eu-west-1',
        metrics: { source: 'pods' },
      })),
    });
    const shards = planShards({ clusters: long, accounts: {} });
    expect(shards.length).toBeGreaterThan(3);
    for (const shard of shards)
      expect(shard.reduce((sum, c) => sum + grantCharacters(grantTargetOf(c)), 0)).toBeLessThanOrEqual(
        6_144 - 330,
      );
    expect(shards.flat().map((c) => c.name)).toEqual(long.map((c) => c.name));
  });

  it("counts a member account's cluster as its role's ARN only: the checker holds no grant of its own on it", () => {
    const roleArn = `arn:aws:iam::222233334444:role/${'team/'.repeat(40)}tenant-checker`;
    const member = clusters({
      accounts: { '222233334444': { roleArn } },
      clusters: Array.from({ length: 250 }, (_, i) => ({
        name: `${'n'.repeat(90)}${i}`,
        region: 'eu-west-1',
        account: '222233334444',
        metrics: { source: 'pods' },
      })),
    });
    const accounts = { '222233334444': { roleArn } };
    // One role, counted once per shard: the cluster cap decides.
    expect(planShards({ clusters: member, accounts }).map((s) => s.length)).toEqual([100, 100, 50]);
  });

  it('counts each member role once in each shard that needs it, so many accounts still fit', () => {
    const roleOf = (i: number) =>
      `arn:aws:iam::${String(300000000000 + i)}:role/${'team/'.repeat(10)}tenant-checker`;
    const document = {
      accounts: Object.fromEntries(
        Array.from({ length: 120 }, (_, i) => [String(300000000000 + i), { roleArn: roleOf(i) }]),
      ),
      clusters: Array.from({ length: 240 }, (_, i) => ({
        name: `c${i}`,
        region: 'eu-west-1',
        account: String(300000000000 + (i % 120)),
        metrics: { source: 'pods' },
      })),
    };
    const shards = plan(document);
    expect(shards.length).toBeGreaterThan(1);
    for (const shard of shards) {
      const roles = new Set(shard.map((c) => c.account));
      const characters = [...roles].reduce(
        (sum, account) => sum + roleOf(Number(account) - 300000000000).length + 3,
        0,
      );
      expect(characters).toBeLessThanOrEqual(6_144 - 330);
    }
    expect(shards.flat()).toHaveLength(240);
  });

  it('refuses a fleet that needs more managed policies than a role takes, saying what to do', () => {
    const many = clusters({
      clusters: Array.from({ length: 1_100 }, (_, i) => ({
        name: `c${i}`,
        region: 'eu-west-1',
        metrics: { source: 'pods' },
      })),
    });
    expect(() => planShards({ clusters: many, accounts: {} })).toThrow(
      /clusters: 1100 clusters need 11 shards, .*more than IAM's default quota of 10 managed policies per role: split the clusters across two deployments/,
    );
  });
});

describe('a fleet of 500 clusters in two accounts and three regions', () => {
  let synth: ReturnType<typeof synthApp>;
  const document = fleetDocument(500);

  beforeAll(() => {
    synth = synthApp(document);
  });

  it('stays inside every CloudFormation and IAM limit', () => {
    expect(brokenLimits(synth.outdir)).toEqual([]);
    const templates = measureTemplates(synth.outdir);
    // The parent and a nested stack per shard; the parent does not grow with the fleet.
    expect(templates.length).toBe(1 + plan(document).length);
    expect(templates[0]?.file).toBe('TenantReconciliationChecker.template.json');
    expect(templates[0]?.resources).toBeLessThan(60);
    const checker = rolePolicies(synth.outdir).find((r) => r.role.startsWith('CheckerRole'));
    expect(checker?.managed.length).toBe(templates.length - 1);
  });

  it('has no unacknowledged cdk-nag finding in any template', () => {
    const violations = synth.report.pluginReports.flatMap(
      (p: { violations: { ruleName: string }[] }) => p.violations,
    );
    expect(violations.map((v: { ruleName: string }) => v.ruleName)).toEqual([]);
  });

  it("has each cluster's schedule, silence alarm, access entry (in the stack's region) and grant exactly once", () => {
    const resources = readTemplates(synth.outdir).flatMap(({ template }) =>
      Object.values(template.Resources ?? {}),
    );
    const of = (type: string) => resources.filter((r) => r.Type === type).map((r) => r.Properties ?? {});
    const scheduled = of('AWS::Scheduler::Schedule').map(
      (p) => JSON.parse((p.Target as { Input: string }).Input).cluster,
    );
    const silent = of('AWS::CloudWatch::Alarm')
      .filter((p) => p.MetricName === 'CheckCycleCompleted')
      .map(
        (p) => (p.Dimensions as { Name: string; Value: string }[]).find((d) => d.Name === 'cluster')?.Value,
      );
    const entries = of('AWS::EKS::AccessEntry').map((p) => p.ClusterName);
    const policies = of('AWS::IAM::ManagedPolicy').map((p) => JSON.stringify(p.PolicyDocument));
    const granted = policies.flatMap(
      (text) => text.match(/:cluster\/[^"]+/g)?.map((m) => m.slice(':cluster/'.length)) ?? [],
    );
    const names = (clusters: readonly { name: string }[]) => clusters.map((c) => c.name).sort();
    const own = document.clusters.filter((c) => !('account' in c));
    const member = document.clusters.filter((c) => 'account' in c);
    expect(own.length).toBe(250);
    expect(scheduled.sort()).toEqual(names(document.clusters));
    expect(silent.sort()).toEqual(names(document.clusters));
    // The deployment's own clusters are described with its own grant, once each; the member
    // account's are not: the checker may only assume the member role, in each shard that has them.
    expect(granted.sort()).toEqual(names(own));
    const assuming = policies.filter((text) => text.includes('sts:AssumeRole'));
    expect(assuming).toHaveLength(plan(document).length);
    for (const text of assuming) {
      const statement = (
        JSON.parse(text) as { Statement: { Action: string; Resource: unknown }[] }
      ).Statement.find((st) => st.Action === 'sts:AssumeRole');
      expect(statement?.Resource).toBe(FLEET_MEMBER.roleArn);
    }
    // Access entries: the deployment's own clusters of its region; the member's are the member stacks'.
    expect(entries.sort()).toEqual(names(own.filter((c) => c.region === 'eu-west-1')));
    expect(member.length).toBe(250);
    // AMP: each of the deployment's own workspaces granted once, to the shard of its cluster.
    const workspaces = policies.flatMap((text) => text.match(/:workspace\/ws-[^"]+/g) ?? []);
    expect(workspaces).toHaveLength(own.filter((c) => c.metrics.source === 'amp').length);
    // The function's own inline policy no longer lists clusters: the shards' managed policies do.
    const parent = JSON.parse(
      readFileSync(join(synth.outdir, 'TenantReconciliationChecker.template.json'), 'utf8'),
    ) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const inline = Object.entries(parent.Resources).filter(
      ([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith('CheckerRole'),
    );
    expect(JSON.stringify(inline)).not.toContain('eks:DescribeCluster');
  });

  it('reports a finding nobody acknowledged inside a shard (cdk-nag reads the nested templates)', () => {
    const config = join(synth.outdir, '..', 'checker.config.json');
    const outdir = join(synth.outdir, '..', 'again');
    const { app, stack } = buildApp({ outdir, context: { ...CDK_JSON_CONTEXT, config } });
    const shard = stack.node
      .findChild('Shard2')
      .node.findChild('Clusters')
      .node.findChild('ClusterAccess') as ManagedPolicy;
    shard.addStatements(new PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));
    try {
      app.synth();
    } catch {
      // a failing validation may throw after writing its report
    }
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    const rules = report.pluginReports.flatMap((p: { violations: { ruleName: string }[] }) =>
      p.violations.map((v) => v.ruleName),
    );
    expect(rules).toContain('AwsSolutions-IAM5[Action::s3:*]');
  });
});

describe("the fleet's member account: 250 clusters in three regions", () => {
  const document = fleetDocument(500);
  const member = document.clusters.filter((c) => 'account' in c);
  const checkerRoleArn = 'arn:aws:iam::111122223333:role/TenantReconciliationChecker-CheckerRole';
  let outdir: string;
  let stacks: MemberAccountStack[];

  beforeAll(() => {
    outdir = join(scratchDir('member-fleet-'), 'cdk.out');
    const app = new App({ outdir });
    stacks = memberStacks(app, {
      config: parseConfig(document),
      source: 'checker.config.json',
      account: FLEET_MEMBER.account,
      checkerRoleArn,
      homeRegion: 'eu-west-1',
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    app.synth();
  });

  it('stays inside every limit and has no cdk-nag finding', () => {
    expect(stacks.map((s) => s.region)).toEqual(['eu-west-1', 'ap-southeast-2', 'us-east-1']);
    expect(brokenLimits(outdir)).toEqual([]);
    const report = join(outdir, 'validation-report.json');
    const violations = existsSync(report)
      ? (
          JSON.parse(readFileSync(report, 'utf8')) as {
            pluginReports: { violations: { ruleName: string }[] }[];
          }
        ).pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName))
      : [];
    expect(violations).toEqual([]);
  });

  it("grants the member role exactly the account's clusters and workspaces, trusted by the checker's role alone", () => {
    const resources = readTemplates(outdir).flatMap(({ template }) =>
      Object.values(template.Resources ?? {}),
    );
    const roles = resources.filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles).toHaveLength(1);
    expect(JSON.stringify(roles[0]?.Properties?.AssumeRolePolicyDocument)).toBe(
      JSON.stringify({
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'sts:ExternalId': FLEET_MEMBER.externalId } },
            Effect: 'Allow',
            Principal: { AWS: checkerRoleArn },
          },
        ],
        Version: '2012-10-17',
      }),
    );
    // 250 clusters' grant outgrows one inline policy: managed policies of the same role carry it.
    const policies = resources
      .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')
      .map((r) => JSON.stringify(r.Properties?.PolicyDocument));
    expect(policies.length).toBeGreaterThan(1);
    const granted = policies.flatMap(
      (text) => text.match(/:cluster\/[^"]+/g)?.map((m) => m.slice(':cluster/'.length)) ?? [],
    );
    expect(granted.sort()).toEqual(member.map((c) => c.name).sort());
    const workspaces = policies.flatMap((text) => text.match(/:workspace\/ws-[^"]+/g) ?? []);
    expect(workspaces).toHaveLength(member.filter((c) => c.metrics.source === 'amp').length);
    expect(policies.join('')).not.toContain('"*"');
  });

  it("maps the role on each member cluster, in its own region's stack", () => {
    for (const stack of stacks) {
      const template = readTemplates(outdir).find((t) => t.file === `${stack.artifactId}.template.json`);
      const entries = Object.values(template?.template.Resources ?? {})
        .filter((r) => r.Type === 'AWS::EKS::AccessEntry')
        .map((r) => r.Properties?.ClusterName);
      expect(entries.sort()).toEqual(
        member
          .filter((c) => c.region === stack.region)
          .map((c) => c.name)
          .sort(),
      );
    }
  });
});
