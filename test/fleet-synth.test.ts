/**
 * A fleet of 500 clusters in three regions synthesizes within every CloudFormation and IAM limit,
 * passes cdk-nag, and has each cluster's schedule, silence alarm, access entry and grant exactly once.
 * The shard plan itself is tested on plain objects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ClusterConfig, parseConfig } from '../lambda/config.js';
import { buildApp } from '../lib/app.js';
import { grantCharacters, MAX_CLUSTERS_PER_SHARD, planShards } from '../lib/shards.js';
import { CDK_JSON_CONTEXT, synthApp } from './helpers/cdk.js';
import {
  brokenLimits,
  fleetDocument,
  measureTemplates,
  readTemplates,
  rolePolicies,
} from './helpers/cfn-limits.js';

const clusters = (document: unknown): ClusterConfig[] => parseConfig(document).clusters;

describe('the shard plan', () => {
  it('keeps a small fleet in one shard (the parent stack), in config order', () => {
    const shards = planShards(clusters(fleetDocument(20)));
    expect(shards).toHaveLength(1);
    expect(shards[0]?.map((c) => c.name)).toEqual(clusters(fleetDocument(20)).map((c) => c.name));
  });

  it('closes a shard at the cluster cap or when its grant would outgrow one managed policy', () => {
    const short = clusters({
      clusters: Array.from({ length: 250 }, (_, i) => ({ name: `c${i}`, region: 'eu-west-1' })),
    });
    // Short names: the cap decides.
    expect(planShards(short).map((s) => s.length)).toEqual([
      MAX_CLUSTERS_PER_SHARD,
      MAX_CLUSTERS_PER_SHARD,
      50,
    ]);
    // Long names: the policy's size decides, and every shard's grant fits.
    const long = clusters({
      clusters: Array.from({ length: 250 }, (_, i) => ({
        name: `${'n'.repeat(90)}${i}`,
        region: 'eu-west-1',
      })),
    });
    const shards = planShards(long);
    expect(shards.length).toBeGreaterThan(3);
    for (const shard of shards)
      expect(shard.reduce((sum, c) => sum + grantCharacters(c), 0)).toBeLessThanOrEqual(6_144 - 300);
    expect(shards.flat().map((c) => c.name)).toEqual(long.map((c) => c.name));
  });

  it('refuses a fleet that needs more managed policies than a role takes, saying what to do', () => {
    const many = clusters({
      clusters: Array.from({ length: 1_100 }, (_, i) => ({ name: `c${i}`, region: 'eu-west-1' })),
    });
    expect(() => planShards(many)).toThrow(
      /clusters: 1100 clusters need 11 shards, .*more than IAM's default quota of 10 managed policies per role: split the clusters across two deployments/,
    );
  });
});

describe('a fleet of 500 clusters in three regions', () => {
  let synth: ReturnType<typeof synthApp>;
  const document = fleetDocument(500);

  beforeAll(() => {
    synth = synthApp(document);
  });

  it('stays inside every CloudFormation and IAM limit', () => {
    expect(brokenLimits(synth.outdir)).toEqual([]);
    const templates = measureTemplates(synth.outdir);
    // The parent and a nested stack per shard; the parent does not grow with the fleet.
    expect(templates.length).toBe(1 + planShards(clusters(document)).length);
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
    const granted = of('AWS::IAM::ManagedPolicy').flatMap((p) =>
      JSON.stringify(p.PolicyDocument)
        .match(/:cluster\/[^"]+/g)
        ?.map((m) => m.slice(':cluster/'.length)),
    );
    const names = document.clusters.map((c) => c.name).sort();
    expect(scheduled.sort()).toEqual(names);
    expect(silent.sort()).toEqual(names);
    expect(granted.sort()).toEqual(names);
    expect(entries.sort()).toEqual(
      document.clusters
        .filter((c) => c.region === 'eu-west-1')
        .map((c) => c.name)
        .sort(),
    );
    // AMP: each workspace granted once, to the shard of its cluster.
    const workspaces = of('AWS::IAM::ManagedPolicy').flatMap(
      (p) => JSON.stringify(p.PolicyDocument).match(/:workspace\/ws-[^"]+/g) ?? [],
    );
    expect(workspaces).toHaveLength(document.clusters.filter((c) => c.metrics).length);
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
