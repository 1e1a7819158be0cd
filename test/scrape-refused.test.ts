/**
 * The direct scrape (no Prometheus): a pod's metrics text that cannot be read is unknown, never
 * zeros, and the next good scrape starts a new baseline, so the lifetime totals are never taken for
 * one interval's increase (a false spike). Text that the old parser refused but is valid exposition
 * (a NaN gauge) is read. Through the simulator's pod proxy, as the checker reads it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Budget, HttpsClusterReader } from '../lambda/collect/cluster-reader.js';
import { loadLocalKubeConfig } from '../lambda/collect/kubeconfig.js';
import { type MetricsSource, metricsSourceFor } from '../lambda/collect/metrics/source.js';
import { parseConfig } from '../lambda/config.js';
import type { MetricsEvaluation, MetricsState } from '../lambda/model/metrics.js';
import { healthyCluster, insecureMetrics } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';

const POD_METRICS =
  '/api/v1/namespaces/tenant-operator-system/pods/https:tenant-operator-controller-manager-7d9f8b6c5d-x7k2p:8443/proxy/metrics';
const config = parseConfig({
  clusters: [{ name: 'scrape', region: 'eu-west-1', metrics: { source: 'scrape' } }],
});
const T = Date.parse('2026-12-01T10:00:00Z');

let sim: Simulator;
let reader: HttpsClusterReader;
let source: MetricsSource;
beforeAll(async () => {
  sim = await startSimulator(insecureMetrics(healthyCluster()));
  reader = await HttpsClusterReader.fromKubeConfig(
    loadLocalKubeConfig({ path: sim.kubeconfigPath }),
    Budget.forMs(600_000),
  );
  source = metricsSourceFor(
    config.clusters[0] as never,
    { operator: config.operator, threshold: 0.1, forSeconds: 600 },
    { reader, credentials: async () => ({ accessKeyId: 'x', secretAccessKey: 'y' }) },
  );
});
afterAll(async () => {
  reader?.close();
  await sim?.close();
});

/** The operator's exposition with lifetime totals: 3,000 errors of 12,000 from an incident long past. */
function metrics(successes: number, errors: number, extra: string[] = []): string {
  const m = 'tenant_reconcile_duration_seconds';
  return [
    `# TYPE ${m} histogram`,
    `${m}_bucket{result="success",le="+Inf"} ${successes}`,
    `${m}_sum{result="success"} ${successes * 0.2}`,
    `${m}_count{result="success"} ${successes}`,
    `${m}_bucket{result="error",le="+Inf"} ${errors}`,
    `${m}_sum{result="error"} ${errors * 0.3}`,
    `${m}_count{result="error"} ${errors}`,
    '# TYPE workqueue_depth gauge',
    'workqueue_depth{name="tenant"} 3',
    ...extra,
    '',
  ].join('\n');
}

/** Cycles five minutes apart, each with the text the operator serves then. */
async function cycles(texts: string[]): Promise<MetricsEvaluation[]> {
  let state: MetricsState | undefined;
  const out: MetricsEvaluation[] = [];
  for (const [i, body] of texts.entries()) {
    sim.fixture.raw = { [POD_METRICS]: { body, contentType: 'text/plain; version=0.0.4' } };
    const r = await source.evaluate(new Date(T + i * 300_000), state);
    if (!r.result.ok) throw new Error(r.result.error.message);
    out.push(r.result.data);
    state = r.state;
  }
  return out;
}

describe('the scrape through the API server proxy, on an operator with its default --metrics-secure', () => {
  it("is refused, and says why and what to configure instead: the checker's access, not the cluster", async () => {
    const secure = await startSimulator(healthyCluster());
    const secureReader = await HttpsClusterReader.fromKubeConfig(
      loadLocalKubeConfig({ path: secure.kubeconfigPath }),
      Budget.forMs(60_000),
    );
    try {
      const proxied = metricsSourceFor(
        config.clusters[0] as never,
        { operator: config.operator, threshold: 0.1, forSeconds: 600 },
        { reader: secureReader, credentials: async () => ({ accessKeyId: 'x', secretAccessKey: 'y' }) },
      );
      const { result } = await proxied.evaluate(new Date(T));
      expect(result).toMatchObject({ ok: false, error: { kind: 'unauthorized', status: 401 } });
      expect(!result.ok && result.error.message).toBe(
        'the operator\'s secure metrics endpoint (HTTPS :8443, --metrics-secure, its default) cannot be read through the API server\'s pod proxy: the API server does not forward the checker\'s credentials, so the operator\'s authentication refuses every proxied scrape (HTTP 401: Unauthorized). This is the checker\'s configuration, not a fault of the cluster: set the cluster\'s metrics to { "source": "pods" } (the pods\' addresses, from a function in the cluster\'s VPC, with the metrics-reader binding of k8s/checker-rbac.yaml), { "source": "prometheus" } or { "source": "amp" }; "scrape" works only with an operator run with --metrics-secure=false',
      );
      // The operator saw the proxied request without the checker's token.
      expect(secure.requests.some((r) => r.path === POD_METRICS)).toBe(true);
    } finally {
      secureReader.close();
      await secure.close();
    }
  });
});

describe('a scrape that cannot be read', () => {
  it('is unknown, not "no reconciles"; the next good scrape is a new baseline, not a spike of lifetime totals', async () => {
    const [first, refused, baseline, next] = await cycles([
      metrics(9000, 3000),
      '<html><body><h1>502 Bad Gateway</h1></body></html>\n',
      metrics(9600, 3000),
      metrics(9900, 3000),
    ]);
    expect(first?.warmingUp).toBe(true);
    expect(refused?.errorRate).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/could not be read: unknown, not zero/),
    });
    expect(refused?.errorRate.state === 'unknown' && refused.errorRate.reason).not.toMatch(/0\/0/);
    // Not 3,000 / 12,600 (the lifetime totals as one interval): a new baseline.
    expect(baseline?.errorRate).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/new baseline/),
    });
    expect(baseline?.sustained).toBe(false);
    // Then rates again: 300 reconciles, no errors.
    expect(next?.errorRate).toEqual({ state: 'ok', value: 0 });
  });

  it('a bad line in a counter the rates need makes the scrape unreadable (a partial counter would lie)', async () => {
    const broken = metrics(9300, 3000).replace(
      'tenant_reconcile_duration_seconds_count{result="error"} 3000',
      'tenant_reconcile_duration_seconds_count{result="error} 3000',
    );
    const [, refused] = await cycles([metrics(9000, 3000), broken]);
    expect(refused?.errorRate).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/tenant_reconcile_duration_seconds_count could not be read/),
    });
  });

  it('valid exposition the old parser refused (a NaN gauge, a recording rule name) is read, rates and all', async () => {
    const odd = [
      'go_gc_duration_seconds{quantile="0"} NaN',
      'job:tenant_reconciles:rate5m 1.5',
      'tenant_cache_ratio -Inf',
    ];
    const [, second, third] = await cycles([
      metrics(9000, 3000, odd),
      metrics(9270, 3030, odd),
      metrics(9570, 3030, odd),
    ]);
    expect(second?.errorRate).toEqual({ state: 'ok', value: 0.1 });
    expect(third?.errorRate).toEqual({ state: 'ok', value: 0 });
    expect(second?.workqueue).toEqual({ depth: 3 });
  });
});
