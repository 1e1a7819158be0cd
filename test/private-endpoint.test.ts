/**
 * A private endpoint out of the function's reach, through the real collector: the SDK's DescribeCluster
 * (local EKS endpoint) returns the endpoint's settings, the connection to the endpoint is refused, and
 * the snapshot and the verdict say it is the checker's own trouble, with what to configure.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkerAccess } from '../lambda/checks/checker-access.js';
import { EksClusterAccess, EksConnector, sdkDescribeCluster } from '../lambda/collect/eks-cluster.js';
import { type ClusterConfig, parseConfig } from '../lambda/config.js';
import { type AwsEnvironment, buildPorts } from '../lambda/ports.js';
import { healthyCluster } from '../sim/kube/fixtures.js';
import { startSimulator } from '../sim/kube/server.js';
import { THRESHOLD, verdictOf } from './checks/incident.js';
import { type EksEndpoint, startEksEndpoint } from './helpers/eks-endpoint.js';
import { describeNeeding } from './helpers/requirements.js';

const describe = describeNeeding('openssl');

const credentials = async () => ({
  accessKeyId: 'ASIAPRIVATEENDPOINT1',
  secretAccessKey: 'cHJpdmF0ZS1lbmRwb2ludC1zZWNyZXQ',
  sessionToken: 'IQoJPRIVATEENDPOINT',
});

let eks: EksEndpoint;

beforeAll(async () => {
  // A real CA and an address where nothing listens any more: connections are refused.
  const sim = await startSimulator(healthyCluster());
  const { url, caPem } = sim;
  await sim.close();
  eks = await startEksEndpoint({
    'private-eks': {
      endpoint: url,
      caPem,
      resourcesVpcConfig: {
        vpcId: 'vpc-0c1a2b3c4d5e6f708',
        clusterSecurityGroupId: 'sg-0cafe0cafe0cafe00',
        endpointPublicAccess: false,
        endpointPrivateAccess: true,
        publicAccessCidrs: [],
        subnetIds: ['subnet-0123456789abcdef0'],
      },
    },
  });
});
afterAll(async () => {
  await eks?.close();
});

async function collectWith(document: Record<string, unknown>) {
  const config = parseConfig(document);
  const cluster = config.clusters[0] as ClusterConfig;
  const access = new EksClusterAccess(sdkDescribeCluster(credentials, eks.url), credentials);
  const environment = {
    kind: 'aws',
    connectorFor: (c: ClusterConfig) => new EksConnector(access, c),
    credentials,
  } as unknown as AwsEnvironment; // the collector is all this test uses
  const { collector } = await buildPorts(config, cluster, environment);
  const { snapshot } = await collector.collect({ at: new Date('2026-12-02T04:20:00Z'), budgetMs: 10_000 });
  return snapshot;
}

describe('a private-only endpoint the function cannot reach', () => {
  it('from outside any VPC: the settings are in the snapshot, and the advice is to set vpc', async () => {
    const snapshot = await collectWith({
      region: 'eu-west-1',
      clusters: [{ name: 'private-eks', region: 'eu-west-1', metrics: { source: 'pods' } }],
    });
    expect(snapshot.endpoint).toEqual({
      endpointPublicAccess: false,
      endpointPrivateAccess: true,
      publicAccessCidrs: [],
      vpcId: 'vpc-0c1a2b3c4d5e6f708',
      clusterSecurityGroupId: 'sg-0cafe0cafe0cafe00',
    });
    expect(snapshot.operatorPods).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
    const [finding] = checkerAccess(snapshot, THRESHOLD);
    expect(finding?.summary).toMatch(
      /from where it runs: the endpoint is private only .* the function runs in no VPC/,
    );
    expect(finding?.remediation.join('\n')).toMatch(/set `vpc` in the config to vpc-0c1a2b3c4d5e6f708/);
    const verdict = verdictOf(snapshot);
    expect(verdict.checker?.problem).toBe('unreachable');
    expect(verdict.causes).toEqual([]);
  });

  it("from inside the cluster's VPC: the cluster security group must allow 443 from the function's", async () => {
    const snapshot = await collectWith({
      region: 'eu-west-1',
      clusters: [{ name: 'private-eks', region: 'eu-west-1', metrics: { source: 'pods' } }],
      vpc: {
        vpcId: 'vpc-0c1a2b3c4d5e6f708',
        subnetIds: ['subnet-0123456789abcdef0'],
        securityGroupIds: ['sg-0f00d0f00d0f00d00'],
      },
    });
    expect(snapshot.endpoint?.checker).toEqual({
      vpcId: 'vpc-0c1a2b3c4d5e6f708',
      securityGroupIds: ['sg-0f00d0f00d0f00d00'],
    });
    const [finding] = checkerAccess(snapshot, THRESHOLD);
    expect(finding?.remediation.join('\n')).toContain(
      'allow TCP 443 into sg-0cafe0cafe0cafe00 from sg-0f00d0f00d0f00d00',
    );
  });
});
