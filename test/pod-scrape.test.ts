/**
 * The scrape that works on the real operator: straight to the operator pods' addresses with the
 * checker's bearer token, against a simulator that enforces the operator's default authn/authz
 * (--metrics-secure). With an EKS token (as the deployed function has) and with a kubeconfig token; a
 * group not bound to /metrics is 403, an unknown token 401, each with its remedy; a CA pins the chain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Budget, HttpsClusterReader } from '../lambda/collect/cluster-reader.js';
import { createEksToken } from '../lambda/collect/eks-token.js';
import { loadLocalKubeConfig } from '../lambda/collect/kubeconfig.js';
import { metricsSourceFor } from '../lambda/collect/metrics/source.js';
import { parseConfig } from '../lambda/config.js';
import type { MetricsState } from '../lambda/model/metrics.js';
import { verifyEksToken } from '../sim/kube/eks-token-rules.js';
import { healthyCluster } from '../sim/kube/fixtures.js';
import { type Simulator, serverCertificate, startSimulator } from '../sim/kube/server.js';

const credentials = { accessKeyId: 'AKIAPODSCRAPE0000001', secretAccessKey: 'cG9kLXNjcmFwZS1zZWNyZXQ' };
const config = parseConfig({
  clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'pods' } }],
});
const settings = { operator: config.operator, threshold: 0.1, forSeconds: 600 };
const T = Date.parse('2026-12-01T10:00:00Z');

async function eksReader(sim: Simulator) {
  const token = await createEksToken({
    clusterName: 'prod-eks-1',
    region: 'eu-west-1',
    credentials,
    now: new Date(),
  });
  return HttpsClusterReader.create(
    { server: sim.url, ca: sim.caPem, headers: { Authorization: `Bearer ${token.token}` } },
    Budget.forMs(60_000),
  );
}

function podsSource(sim: Simulator, reader: HttpsClusterReader, metrics = config.clusters[0]?.metrics) {
  const cluster = config.clusters[0] as NonNullable<(typeof config.clusters)[0]>;
  return metricsSourceFor({ ...cluster, metrics } as never, settings, {
    reader,
    credentials: async () => credentials,
    podAddress: (ip, port) => sim.podAddress(ip, port),
  });
}

describe('metrics.source "pods" against the operator\'s secure endpoint', () => {
  let sim: Simulator;
  beforeAll(async () => {
    const fixture = healthyCluster({ operatorReplicas: 2 });
    // The API server (and the operator's TokenReview) accept only a token that EKS would.
    fixture.authenticate = async (token) => {
      await verifyEksToken(token, 'prod-eks-1', { credentials });
      return true;
    };
    sim = await startSimulator(fixture);
  });
  afterAll(async () => sim?.close());

  it('reads every operator pod with the EKS token as bearer: warming up, then a rate', async () => {
    const reader = await eksReader(sim);
    try {
      const source = podsSource(sim, reader);
      const first = await source.evaluate(new Date(T));
      expect(first.result).toMatchObject({ ok: true, data: { source: 'scrape', warmingUp: true } });
      const second = await source.evaluate(new Date(T + 300_000), first.state as MetricsState);
      expect(second.result.ok).toBe(true);
      const direct = sim.requests.filter((r) => r.pod);
      expect(direct.map((r) => r.pod).sort()).toEqual(
        ['10.0.1.57:8443', '10.0.1.57:8443', '10.0.2.57:8443', '10.0.2.57:8443'].sort(),
      );
      expect(direct.every((r) => String(r.headers.authorization).startsWith('Bearer k8s-aws-v1.'))).toBe(
        true,
      );
      // Nothing went through the API server's proxy.
      expect(sim.requests.some((r) => r.path.includes('/proxy/metrics'))).toBe(false);
    } finally {
      reader.close();
    }
  });

  it('a group without the metrics-reader binding is 403, with the RBAC remedy', async () => {
    const reader = await eksReader(sim);
    sim.fixture.operatorMetrics = { readerGroups: ['prometheus'] };
    try {
      const { result } = await podsSource(sim, reader).evaluate(new Date(T));
      expect(result).toMatchObject({ ok: false, error: { kind: 'forbidden', status: 403 } });
      expect(!result.ok && result.error.message).toMatch(
        /^tenant-operator-controller-manager-7d9f8b6c5d-\w+ \(https:\/\/10\.0\.\d\.57:8443\/metrics\): HTTP 403: Authorization denied for user tenant-checker: the checker's group may not get \/metrics: apply k8s\/checker-rbac\.yaml \(ClusterRole tenant-checker-metrics-reader/,
      );
    } finally {
      sim.fixture.operatorMetrics = {};
      reader.close();
    }
  });

  it('a token for another cluster is refused by the API server before any pod is asked', async () => {
    const token = await createEksToken({
      clusterName: 'other',
      region: 'eu-west-1',
      credentials,
      now: new Date(),
    });
    const reader = HttpsClusterReader.create(
      { server: sim.url, ca: sim.caPem, headers: { Authorization: `Bearer ${token.token}` } },
      Budget.forMs(10_000),
    );
    try {
      const before = sim.requests.filter((r) => r.pod).length;
      const { result } = await podsSource(sim, reader).evaluate(new Date(T));
      expect(result).toMatchObject({ ok: false, error: { kind: 'unauthorized', status: 401 } });
      expect(sim.requests.filter((r) => r.pod).length).toBe(before);
    } finally {
      reader.close();
    }
  });

  it('an unreachable pod address says where the checker must run and what to open', async () => {
    const reader = await eksReader(sim);
    try {
      const source = metricsSourceFor(config.clusters[0] as never, settings, {
        reader,
        credentials: async () => credentials,
        podAddress: () => ({ host: '127.0.0.1', port: 1 }),
      });
      const { result } = await source.evaluate(new Date(T));
      expect(result).toMatchObject({ ok: false, error: { kind: 'unreachable' } });
      expect(!result.ok && result.error.message).toContain(
        "it must run in the cluster's VPC (config vpc), its own security group must allow TCP 8443 out",
      );
    } finally {
      reader.close();
    }
  });

  it('with metrics.ca, the self-signed certificate is refused and no token is sent', async () => {
    const reader = await eksReader(sim);
    try {
      const before = sim.requests.filter((r) => r.pod).length;
      const { result } = await podsSource(sim, reader, { source: 'pods', ca: sim.caPem } as never).evaluate(
        new Date(T),
      );
      expect(result).toMatchObject({ ok: false, error: { kind: 'tls' } });
      expect(!result.ok && result.error.message).toContain('does not verify against metrics.ca');
      expect(sim.requests.filter((r) => r.pod).length).toBe(before);
    } finally {
      reader.close();
    }
  });
});

describe('metrics.source "pods" with a certificate the CA signed (--metrics-cert-path)', () => {
  it('verifies the chain and the service name, then reads', async () => {
    const fixture = healthyCluster();
    fixture.operatorMetrics = {
      certificate: serverCertificate(
        'tenant-operator-controller-manager-metrics-service.tenant-operator-system.svc',
      ),
    };
    const sim = await startSimulator(fixture);
    const reader = await HttpsClusterReader.fromKubeConfig(
      loadLocalKubeConfig({ path: sim.kubeconfigPath }),
      Budget.forMs(60_000),
    );
    try {
      const good = await podsSource(sim, reader, { source: 'pods', ca: sim.caPem } as never).evaluate(
        new Date(T),
      );
      expect(good.result.ok).toBe(true);
      const wrongName = await podsSource(sim, reader, {
        source: 'pods',
        ca: sim.caPem,
        serverName: 'someone-else.svc',
      } as never).evaluate(new Date(T));
      expect(wrongName.result).toMatchObject({ ok: false, error: { kind: 'tls' } });
    } finally {
      reader.close();
      await sim.close();
    }
  });
});
