/**
 * A source that fails is evidence, never a crash: every error kind, from the API server as it really
 * answers (statuses with Status bodies, Retry-After, resets, hangs, garbage), ends as a value in the
 * snapshot, and the collection still ends inside its budget.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { Budget, HttpsClusterReader } from '../lambda/collect/cluster-reader.js';
import type { ClusterState as ClusterSnapshot } from '../lambda/collect/collect-cluster.js';
import { loadLocalKubeConfig } from '../lambda/collect/kubeconfig.js';
import { healthyCluster } from '../sim/kube/fixtures.js';
import { type Fault, type Simulator, startSimulator, unrelatedCa } from '../sim/kube/server.js';
import { collectFrom } from './helpers/collect.js';
import { describeNeeding } from './helpers/requirements.js';

const describe = describeNeeding('openssl');

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function withFaults(faults: Fault[], budgetMs = 20_000): Promise<ClusterSnapshot> {
  const fixture = healthyCluster();
  fixture.faults = faults;
  sim = await startSimulator(fixture);
  return collectFrom(sim, { budgetMs });
}

const sources = (s: ClusterSnapshot) =>
  Object.fromEntries(Object.entries(s).filter(([, v]) => v && typeof v === 'object' && 'ok' in v)) as Record<
    string,
    { ok: boolean; error?: { kind: string } }
  >;

describe('each error kind, as the API server gives it', () => {
  it('forbidden: a 403 with the Status message', async () => {
    const snapshot = await withFaults([
      {
        path: '/api/v1/nodes',
        status: 403,
        body: JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          message:
            'nodes is forbidden: User "arn:aws:sts::123456789012:assumed-role/checker" cannot list resource "nodes" in API group "" at the cluster scope',
          reason: 'Forbidden',
          code: 403,
        }),
      },
    ]);
    expect(snapshot.nodes).toMatchObject({ ok: false, error: { kind: 'forbidden', status: 403 } });
    expect(!snapshot.nodes.ok && snapshot.nodes.error.message).toContain('cannot list resource "nodes"');
    expect(snapshot.tenants.ok).toBe(true);
  });

  it('throttled: a 429 with Retry-After', async () => {
    // Longer than the read's share of the budget: not waited for (cluster-retries has the waits that fit).
    const snapshot = await withFaults([
      {
        path: /^\/apis\/operator\.kubernetes-tenants\.org\/v1\/tenants/,
        status: 429,
        headers: { 'Retry-After': '70' },
      },
    ]);
    expect(snapshot.tenants).toMatchObject({
      ok: false,
      error: { kind: 'throttled', status: 429, retryAfterSeconds: 70 },
    });
  });

  it('server: a 500 and a 503', async () => {
    const snapshot = await withFaults([
      { path: '/api/v1/events', status: 500 },
      {
        path: '/apis/apps/v1/namespaces/tenant-operator-system/deployments/tenant-operator-controller-manager',
        status: 503,
      },
    ]);
    expect(snapshot.events).toMatchObject({ ok: false, error: { kind: 'server', status: 500 } });
    expect(snapshot.operatorDeployment).toMatchObject({ ok: false, error: { kind: 'server', status: 503 } });
  });

  it('bad-response: invalid JSON, and a list without items', async () => {
    const snapshot = await withFaults([
      { path: '/api/v1/resourcequotas', invalidJson: true },
      {
        path: '/apis/networking.k8s.io/v1/namespaces/tenant-operator-system/networkpolicies',
        status: 200,
        body: '{"kind":"NetworkPolicyList","metadata":{}}',
      },
    ]);
    expect(snapshot.resourceQuotas).toMatchObject({ ok: false, error: { kind: 'bad-response' } });
    expect(!snapshot.resourceQuotas.ok && snapshot.resourceQuotas.error.message).toMatch(/invalid JSON/);
    expect(snapshot.networkPolicies).toMatchObject({
      ok: false,
      error: { kind: 'bad-response', message: expect.stringContaining('no items array') },
    });
  });

  it('unreachable: a connection reset mid-request', async () => {
    const snapshot = await withFaults([
      { path: '/api/v1/namespaces/tenant-operator-system/pods', reset: true },
    ]);
    expect(snapshot.operatorPods).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
    // The logs depend on the pod list, and say so.
    expect(snapshot.operatorLogs).toMatchObject({
      ok: false,
      error: { kind: 'unreachable', message: expect.stringMatching(/^no pods to read logs from/) },
    });
  });

  it('a not-ready API server answers /readyz with 500 and its failing checks: data, not an error', async () => {
    const fixture = healthyCluster();
    fixture.raw = {
      '/readyz': {
        status: 500,
        body: '[+]ping ok\n[-]etcd failed: reason withheld\n[+]poststarthook/start-apiextensions-informers ok\nreadyz check failed\n',
      },
    };
    sim = await startSimulator(fixture);
    const health = (await collectFrom(sim)).apiServerHealth;
    expect(health.ok).toBe(true);
    const readyz = health.ok ? health.data.probes.find((p) => p.path === '/readyz?verbose') : undefined;
    expect(readyz).toMatchObject({ status: 500, failedChecks: ['[-]etcd failed: reason withheld'] });
  });

  it('timeout: a hanging endpoint ends at the budget, and the rest is still collected', async () => {
    const started = Date.now();
    const snapshot = await withFaults([{ path: /^\/api\/v1\/events/, hang: true }], 1500);
    const took = Date.now() - started;
    expect(snapshot.events).toMatchObject({ ok: false, error: { kind: 'timeout' } });
    expect(snapshot.tenants.ok).toBe(true);
    expect(took).toBeLessThan(10_000); // bounded by the budget, not by the hang (generous for a loaded machine)
  });

  it('unauthorized: a token the API server does not accept', async () => {
    sim = await startSimulator(healthyCluster());
    const path = `${sim.kubeconfigPath}.wrong-token`;
    writeFileSync(path, readFileSync(sim.kubeconfigPath, 'utf8').replace(sim.token, 'expired-token'));
    const snapshot = await collectFrom(sim, { kubeconfigPath: path });
    for (const [name, result] of Object.entries(sources(snapshot))) {
      if (name === 'operatorLogs') continue; // depends on the pod list
      expect(result, name).toMatchObject({ ok: false, error: { kind: 'unauthorized' } });
    }
  });

  it('tls: a server whose certificate the kubeconfig does not trust', async () => {
    sim = await startSimulator(healthyCluster());
    const path = `${sim.kubeconfigPath}.other-ca`;
    const other = readFileSync(sim.kubeconfigPath, 'utf8').replace(
      /certificate-authority-data: .*/,
      `certificate-authority-data: ${Buffer.from(unrelatedCa()).toString('base64')}`,
    );
    writeFileSync(path, other);
    const snapshot = await collectFrom(sim, { kubeconfigPath: path });
    expect(snapshot.tenants).toMatchObject({ ok: false, error: { kind: 'tls' } });
  });

  it('unreachable: nothing listens at the endpoint', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    sim = await startSimulator(healthyCluster());
    const path = `${sim.kubeconfigPath}.closed`;
    writeFileSync(
      path,
      readFileSync(sim.kubeconfigPath, 'utf8').replace(sim.url, `https://127.0.0.1:${port}`),
    );
    const snapshot = await collectFrom(sim, { kubeconfigPath: path });
    for (const [name, result] of Object.entries(sources(snapshot))) {
      expect(result, name).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
    }
  });
});

describe('the reader bounds what it reads', () => {
  it('refuses a response larger than its cap without holding it', async () => {
    const fixture = healthyCluster();
    fixture.raw = { '/metrics': { body: 'x'.repeat(3 * 1024 * 1024) } };
    sim = await startSimulator(fixture);
    const reader = await HttpsClusterReader.fromKubeConfig(
      loadLocalKubeConfig({ path: sim.kubeconfigPath }),
      Budget.forMs(10_000),
    );
    const result = await reader.getText('/metrics', { maxBytes: 1024 * 1024 });
    reader.close();
    expect(result).toMatchObject({
      ok: false,
      error: { kind: 'bad-response', message: expect.stringContaining('larger than 1048576 bytes') },
    });
  });

  it('sends nothing once the budget is spent', async () => {
    sim = await startSimulator(healthyCluster());
    const reader = await HttpsClusterReader.fromKubeConfig(
      loadLocalKubeConfig({ path: sim.kubeconfigPath }),
      Budget.forMs(0),
    );
    const before = sim.requests.length;
    const result = await reader.getJson('/api/v1/nodes');
    reader.close();
    expect(result).toMatchObject({
      ok: false,
      error: { kind: 'timeout', message: expect.stringContaining('budget was spent') },
    });
    expect(sim.requests.length).toBe(before);
  });
});
