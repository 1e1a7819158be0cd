/**
 * Getting into a cluster: a kubeconfig read as kubectl reads it (named contexts, tokens, client
 * certificates, exec plugins such as `aws eks get-token`), and the Lambda's EKS path (DescribeCluster
 * cached, a fresh presigned token per invocation) against a simulator that checks tokens as EKS does.
 * DescribeCluster is a stub here: there is no local EKS (the deployed-path test serves it over HTTP).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Budget, HttpsClusterReader } from '../lambda/collect/cluster-reader.js';
import { collectCluster } from '../lambda/collect/collect-cluster.js';
import { EksClusterAccess, EksConnector } from '../lambda/collect/eks-cluster.js';
import { loadLocalKubeConfig } from '../lambda/collect/kubeconfig.js';
import { type ClusterConfig, parseConfig } from '../lambda/config.js';
import { OPERATOR_PRESETS } from '../lambda/presets.js';
import { verifyEksToken } from '../sim/kube/eks-token-rules.js';
import { healthyCluster } from '../sim/kube/fixtures.js';
import { clientCertificate, type Simulator, startSimulator } from '../sim/kube/server.js';
import { describeNeeding } from './helpers/requirements.js';
import { scratchDir } from './helpers/scratch.js';

const describe = describeNeeding('openssl');

const prodCluster = parseConfig({
  clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'scrape' } }],
}).clusters[0] as ClusterConfig;

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

function kubeconfig(contents: string): string {
  const path = join(scratchDir('kubeconfig-'), 'config');
  writeFileSync(path, contents);
  return path;
}

function clusterBlock(s: Simulator) {
  return `- name: sim\n  cluster:\n    server: ${s.url}\n    certificate-authority-data: ${Buffer.from(s.caPem).toString('base64')}\n`;
}

async function nodesVia(path: string, context?: string) {
  const reader = await HttpsClusterReader.fromKubeConfig(
    loadLocalKubeConfig({ path, ...(context ? { context } : {}) }),
    Budget.forMs(10_000),
  );
  try {
    return await reader.getJson<{ items: unknown[] }>('/api/v1/nodes');
  } finally {
    reader.close();
  }
}

describe('a kubeconfig, read as kubectl reads it', () => {
  it('uses the named context rather than the current one', async () => {
    sim = await startSimulator(healthyCluster());
    const path = kubeconfig(
      `apiVersion: v1\nkind: Config\nclusters:\n${clusterBlock(sim)}- name: elsewhere\n  cluster:\n    server: https://127.0.0.1:1\nusers:\n- name: u\n  user:\n    token: ${sim.token}\ncontexts:\n- name: prod\n  context: {cluster: sim, user: u}\n- name: broken\n  context: {cluster: elsewhere, user: u}\ncurrent-context: broken\n`,
    );
    expect((await nodesVia(path, 'prod')).ok).toBe(true);
    expect(await nodesVia(path)).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
    expect(() => loadLocalKubeConfig({ path, context: 'staging' })).toThrow(
      'context "staging" is not in the kubeconfig (contexts: prod, broken)',
    );
  });

  it('authenticates with a client certificate', async () => {
    sim = await startSimulator(healthyCluster());
    const { cert, key } = clientCertificate('oncall');
    const path = kubeconfig(
      `apiVersion: v1\nkind: Config\nclusters:\n${clusterBlock(sim)}users:\n- name: u\n  user:\n    client-certificate-data: ${Buffer.from(cert).toString('base64')}\n    client-key-data: ${Buffer.from(key).toString('base64')}\ncontexts:\n- name: c\n  context: {cluster: sim, user: u}\ncurrent-context: c\n`,
    );
    expect((await nodesVia(path)).ok).toBe(true);
  });

  it('runs an exec credential plugin, as `aws eks get-token` is run', async () => {
    sim = await startSimulator(healthyCluster());
    const dir = scratchDir('exec-plugin-');
    const plugin = join(dir, 'get-token.mjs');
    writeFileSync(
      plugin,
      `process.stdout.write(JSON.stringify({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1beta1', spec: {}, status: { expirationTimestamp: new Date(Date.now() + 600000).toISOString(), token: ${JSON.stringify(sim.token)} } }));\n`,
    );
    const path = kubeconfig(
      `apiVersion: v1\nkind: Config\nclusters:\n${clusterBlock(sim)}users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: ${process.execPath}\n      args: [${plugin}]\n      interactiveMode: Never\ncontexts:\n- name: c\n  context: {cluster: sim, user: u}\ncurrent-context: c\n`,
    );
    expect((await nodesVia(path)).ok).toBe(true);
  });

  it('says what is wrong with a missing kubeconfig', () => {
    expect(() => loadLocalKubeConfig({ path: '/nonexistent/kubeconfig' })).toThrow(
      /cannot read the kubeconfig \/nonexistent\/kubeconfig/,
    );
  });
});

describe('the Lambda path into EKS', () => {
  const credentials = {
    accessKeyId: 'ASIAEXAMPLECHECKER01',
    secretAccessKey: 'c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ',
    sessionToken: 'FwoGZXIvYXdzEXAMPLESESSION',
  };

  it('describes the cluster once per container, signs a fresh token per invocation, and EKS-style auth accepts it', async () => {
    let now = new Date();
    const fixture = healthyCluster();
    const seenTokens: string[] = [];
    fixture.authenticate = async (token) => {
      seenTokens.push(token);
      await verifyEksToken(token, 'prod-eks-1', { credentials, now });
      return true;
    };
    sim = await startSimulator(fixture);
    const simulator = sim;
    let describes = 0;
    const access = new EksClusterAccess(
      async (name, region) => {
        describes++;
        expect([name, region]).toEqual(['prod-eks-1', 'eu-west-1']);
        return {
          name,
          endpoint: simulator.url,
          caData: Buffer.from(simulator.caPem).toString('base64'),
          status: 'ACTIVE',
        };
      },
      async () => credentials,
      () => now,
    );

    for (const minutesLater of [0, 20]) {
      now = new Date(Date.now() + minutesLater * 60_000);
      const connection = await new EksConnector(access, prodCluster).connect(Budget.forMs(20_000));
      expect(connection.ok).toBe(true);
      if (!connection.ok) return;
      const reader = connection.data;
      const snapshot = await collectCluster({
        cluster: 'prod-eks-1',
        reader,
        operator: OPERATOR_PRESETS['tenant-operator'],
        logTailLines: 100,
        budgetMs: 20_000,
      });
      reader.close();
      expect(snapshot.tenants.ok, JSON.stringify(snapshot.tenants)).toBe(true);
    }
    expect(describes).toBe(1);
    // The token signed 20 minutes later is a different one: an expired token is never reused.
    expect(new Set(seenTokens).size).toBe(2);
  });

  it('refuses a token made for another cluster, as EKS would', async () => {
    const fixture = healthyCluster();
    fixture.authenticate = async (token) => {
      await verifyEksToken(token, 'prod-eks-1', { credentials });
      return true;
    };
    sim = await startSimulator(fixture);
    const simulator = sim;
    const access = new EksClusterAccess(
      async (name) => ({
        name,
        endpoint: simulator.url,
        caData: Buffer.from(simulator.caPem).toString('base64'),
        status: 'ACTIVE',
      }),
      async () => credentials,
    );
    const connection = await new EksConnector(access, { ...prodCluster, name: 'staging-eks' }).connect(
      Budget.forMs(5000),
    );
    if (!connection.ok) throw new Error('connect failed');
    const reader = connection.data;
    const nodes = await reader.getJson('/api/v1/nodes');
    reader.close();
    expect(nodes).toMatchObject({ ok: false, error: { kind: 'unauthorized', status: 401 } });
  });

  it('returns a denied DescribeCluster as evidence, not an exception', async () => {
    const access = new EksClusterAccess(
      async () => {
        throw Object.assign(
          new Error(
            'User: arn:aws:sts::123456789012:assumed-role/checker is not authorized to perform: eks:DescribeCluster',
          ),
          {
            name: 'AccessDeniedException',
            $metadata: { httpStatusCode: 403 },
          },
        );
      },
      async () => credentials,
    );
    const connection = await access.connect('prod-eks-1', 'eu-west-1');
    expect(connection).toMatchObject({
      ok: false,
      error: { kind: 'forbidden', status: 403, message: expect.stringContaining('eks:DescribeCluster') },
    });
  });
});
