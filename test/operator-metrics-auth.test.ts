/**
 * The simulated operator guards its metrics as the real one does by default (--metrics-secure=true,
 * controller-runtime's WithAuthenticationAndAuthorization): a bearer token that passes TokenReview and
 * a caller allowed to get the non-resource URL /metrics. Through the API server's proxy the caller's
 * credentials are not forwarded, so the operator refuses the request there.
 */
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Budget, HttpsClusterReader } from '../lambda/collect/cluster-reader.js';
import { loadLocalKubeConfig } from '../lambda/collect/kubeconfig.js';
import { healthyCluster, insecureMetrics } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';

const POD = 'tenant-operator-controller-manager-7d9f8b6c5d-x7k2p';
const PROXY = `/api/v1/namespaces/tenant-operator-system/pods/https:${POD}:8443/proxy/metrics`;
const POD_IP = '10.0.1.57';

/** One GET straight to the pod's metrics listener, the certificate unverified (it is self-signed). */
function direct(sim: Simulator, token?: string): Promise<{ status: number; type: string; body: string }> {
  const address = sim.podAddress(POD_IP, 8443);
  if (!address) throw new Error('no listener for the pod');
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: address.host,
        port: address.port,
        path: '/metrics',
        rejectUnauthorized: false,
        headers: token ? { Authorization: `Bearer ${token}` } : {},
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function throughProxy(sim: Simulator) {
  const reader = await HttpsClusterReader.fromKubeConfig(
    loadLocalKubeConfig({ path: sim.kubeconfigPath }),
    Budget.forMs(60_000),
  );
  try {
    return await reader.getText(PROXY);
  } finally {
    reader.close();
  }
}

describe('the operator with its default --metrics-secure', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator(healthyCluster());
  });
  afterAll(async () => sim?.close());

  it('refuses the API server proxy, which does not forward the caller\'s token: "Unauthorized" 401', async () => {
    const result = await throughProxy(sim);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'unauthorized', status: 401 });
    expect(result.error.message).toBe(`GET ${PROXY}: HTTP 401: Unauthorized`);
  });

  it('serves the pod address to a bearer token that passes TokenReview and may get /metrics', async () => {
    const answer = await direct(sim, sim.token);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('tenant_reconcile_duration_seconds_count{result="success"}');
    expect(sim.requests.at(-1)).toMatchObject({ pod: `${POD_IP}:8443`, path: '/metrics' });
  });

  it('answers as controller-runtime\'s filter: no token or a bad one is 401 "Unauthorized"', async () => {
    for (const token of [undefined, 'not-a-token']) {
      expect(await direct(sim, token)).toEqual({
        status: 401,
        type: 'text/plain; charset=utf-8',
        body: 'Unauthorized\n',
      });
    }
  });

  it('a caller whose group is bound to no /metrics reader is 403 "Authorization denied for user NAME"', async () => {
    sim.fixture.operatorMetrics = { readerGroups: ['prometheus'] };
    try {
      expect(await direct(sim, sim.token)).toEqual({
        status: 403,
        type: 'text/plain; charset=utf-8',
        body: 'Authorization denied for user tenant-checker\n',
      });
    } finally {
      sim.fixture.operatorMetrics = {};
    }
  });
});

describe('an operator run with --metrics-secure=false (opt-in)', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator(insecureMetrics(healthyCluster()));
  });
  afterAll(async () => sim?.close());

  it('serves the proxy path and the pod address without credentials, and says so in its args', async () => {
    const proxied = await throughProxy(sim);
    expect(proxied.ok && proxied.data).toContain('tenant_reconcile_duration_seconds');
    expect((await direct(sim)).status).toBe(200);
    const deployment = sim.fixture.objects.find((o) => o.kind === 'Deployment');
    expect(JSON.stringify(deployment)).toContain('--metrics-secure=false');
  });
});
