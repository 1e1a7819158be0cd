/**
 * A cluster replaced under the same name: a warm container must not keep reading the old endpoint
 * with the old CA. The real AWS SDK asks a local DescribeCluster (test/helpers/eks-endpoint.ts); the
 * clusters are simulators that check EKS tokens. The cached description is refreshed after its time
 * to live, and at once (once per invocation) on a TLS failure, a 401 or a refused connection.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Budget } from '../lambda/collect/cluster-reader.js';
import { collectCluster } from '../lambda/collect/collect-cluster.js';
import {
  DESCRIBE_TTL_MS,
  EksClusterAccess,
  EksConnector,
  sdkDescribeCluster,
} from '../lambda/collect/eks-cluster.js';
import { type ClusterConfig, parseConfig } from '../lambda/config.js';
import { OPERATOR_PRESETS } from '../lambda/presets.js';
import { verifyEksToken } from '../sim/kube/eks-token-rules.js';
import { healthyCluster } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator, unrelatedCa } from '../sim/kube/server.js';
import { startEksEndpoint } from './helpers/eks-endpoint.js';

const cluster = parseConfig({
  clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'scrape' } }],
}).clusters[0] as ClusterConfig;
const credentials = {
  accessKeyId: 'ASIAEXAMPLECHECKER01',
  secretAccessKey: 'c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ',
  sessionToken: 'FwoGZXIvYXdzEXAMPLESESSION',
};

const started: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of started.splice(0)) await s.close().catch(() => undefined);
});

/** The world's clock: the checker's container and the clusters move forward together. */
let now = Date.now();

/** A cluster that accepts only tokens signed for `acceptsTokensFor` (the EKS authenticator's check). */
async function eksCluster(acceptsTokensFor = 'prod-eks-1'): Promise<Simulator> {
  const fixture = healthyCluster();
  fixture.authenticate = async (token) => {
    await verifyEksToken(token, acceptsTokensFor, { credentials, now: new Date(now) });
    return true;
  };
  const sim = await startSimulator(fixture);
  started.push(sim);
  return sim;
}

/** One invocation: connect (cached description or DescribeCluster), collect, close. */
async function invocation(access: EksClusterAccess) {
  const connection = await new EksConnector(access, cluster).connect(Budget.forMs(20_000));
  if (!connection.ok) throw new Error(`connect: ${connection.error.message}`);
  const reader = connection.data;
  try {
    return await collectCluster({
      cluster: cluster.name,
      reader,
      operator: OPERATOR_PRESETS['tenant-operator'],
      logTailLines: 100,
      budgetMs: 20_000,
    });
  } finally {
    reader.close();
  }
}

async function setup(first: Simulator, firstCa?: string) {
  const clusters: Record<string, { endpoint: string; caPem: string }> = {
    'prod-eks-1': { endpoint: first.url, caPem: firstCa ?? first.caPem },
  };
  const eks = await startEksEndpoint(clusters);
  started.push(eks);
  now = Date.now();
  const access = new EksClusterAccess(
    sdkDescribeCluster(async () => credentials, eks.url),
    async () => credentials,
    () => new Date(now),
  );
  return {
    clusters,
    eks,
    access,
    describes: () => eks.requests.filter((r) => r.path.startsWith('/clusters/prod-eks-1')).length,
    later: (ms: number) => {
      now += ms;
    },
  };
}

describe('the cached DescribeCluster answer', () => {
  it('is trusted for its time to live, then described again (a replaced cluster is found without a failure)', async () => {
    const old = await eksCluster();
    const { clusters, access, describes, later } = await setup(old);
    expect((await invocation(access)).server).toBe(old.url);
    const replacement = await eksCluster();
    clusters['prod-eks-1'] = { endpoint: replacement.url, caPem: replacement.caPem };
    later(DESCRIBE_TTL_MS / 2);
    expect((await invocation(access)).server).toBe(old.url);
    expect(describes()).toBe(1);
    later(DESCRIBE_TTL_MS / 2 + 1000);
    const snapshot = await invocation(access);
    expect(snapshot.server).toBe(replacement.url);
    expect(snapshot.tenants.ok).toBe(true);
    expect(describes()).toBe(2);
  });

  it('is forgotten when the old endpoint refuses connections: described again, and read at the new one', async () => {
    const old = await eksCluster();
    const { clusters, access, describes } = await setup(old);
    await invocation(access);
    await old.close();
    const replacement = await eksCluster();
    clusters['prod-eks-1'] = { endpoint: replacement.url, caPem: replacement.caPem };
    const snapshot = await invocation(access);
    expect(snapshot.server).toBe(replacement.url);
    expect(snapshot.tenants.ok).toBe(true);
    expect(snapshot.nodes.ok).toBe(true);
    expect(describes()).toBe(2);
  });

  it('is forgotten on a TLS failure (the cluster has a new CA): read with the new CA', async () => {
    const sim = await eksCluster();
    // The container cached the old cluster's CA; the endpoint now presents another certificate.
    const { clusters, access, describes } = await setup(sim, unrelatedCa());
    expect((await access.connect('prod-eks-1', 'eu-west-1')).ok).toBe(true);
    clusters['prod-eks-1'] = { endpoint: sim.url, caPem: sim.caPem };
    const snapshot = await invocation(access);
    expect(snapshot.tenants.ok).toBe(true);
    expect(snapshot.nodes.ok).toBe(true);
    const notes = Object.values(snapshot).flatMap((v) => (v as { notes?: string[] })?.notes ?? []);
    expect(notes.join('\n')).toMatch(/the cluster was described again/);
    expect(describes()).toBe(2);
  });

  it('is forgotten on a 401 (the endpoint is another cluster now, which does not know our token)', async () => {
    const other = await eksCluster('some-other-cluster');
    const { clusters, access, describes } = await setup(other);
    expect((await access.connect('prod-eks-1', 'eu-west-1')).ok).toBe(true);
    const replacement = await eksCluster();
    clusters['prod-eks-1'] = { endpoint: replacement.url, caPem: replacement.caPem };
    const snapshot = await invocation(access);
    expect(snapshot.server).toBe(replacement.url);
    expect(snapshot.rbacChecks.ok).toBe(true);
    expect(describes()).toBe(2);
  });

  it('moves on once: a new endpoint that fails too ends the read (no loop), with the failure as evidence', async () => {
    const old = await eksCluster();
    const { clusters, access, describes } = await setup(old);
    await invocation(access);
    await old.close();
    const elsewhere = await eksCluster();
    await elsewhere.refuseConnections();
    clusters['prod-eks-1'] = { endpoint: elsewhere.url, caPem: elsewhere.caPem };
    const snapshot = await invocation(access);
    expect(snapshot.tenants).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
    expect(snapshot.server).toBe(elsewhere.url);
    expect(describes()).toBe(2);
  });

  it('is described again once per invocation, not once per read: a cluster that is really down is evidence', async () => {
    const sim = await eksCluster();
    const { access, describes } = await setup(sim);
    await invocation(access);
    await sim.close();
    const snapshot = await invocation(access);
    expect(snapshot.tenants).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
    expect(snapshot.nodes).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
    expect(describes()).toBe(2);
  });
});
