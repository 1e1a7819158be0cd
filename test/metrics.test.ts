/**
 * The runbook's error-rate PromQL on the real Prometheus (backfilled by promtool), through both
 * PromQL paths (AMP with SigV4 verified on every request, and the API server's service proxy), and
 * the direct scrape of the operator pod's secure endpoint with the checker's token: every scenario,
 * same verdict. The old path through the API server's pod proxy is refused with its reason.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Budget, HttpsClusterReader } from '../lambda/collect/cluster-reader.js';
import { loadLocalKubeConfig } from '../lambda/collect/kubeconfig.js';
import { type MetricsSource, metricsSourceFor } from '../lambda/collect/metrics/source.js';
import { parseConfig } from '../lambda/config.js';
import { above, type MetricsEvaluation, type MetricsState } from '../lambda/model/metrics.js';
import { healthyCluster } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import {
  exposition,
  type MetricScenario,
  openMetricsBackfill,
  SCENARIO_SPACING_SECONDS,
  SCENARIOS,
} from '../sim/metrics/scenarios.js';
import { PROMETHEUS_SERVICE_PROXY, type PrometheusServer, startPrometheus } from '../sim/prometheus.js';
import { type AmpEndpoint, startAmpEndpoint } from './helpers/amp-endpoint.js';
import { describeNeeding } from './helpers/requirements.js';

const describe = describeNeeding('openssl', 'prometheus');

const WORKSPACE = 'ws-12345678-abcd-ef01-2345-6789abcdef01';
const credentials = {
  accessKeyId: 'ASIAMETRICSTEST00001',
  secretAccessKey: 'bWV0cmljcy10ZXN0LXNlY3JldA',
  sessionToken: 'IQoJb3JpZ2luMETRICS',
};
const POD_METRICS =
  '/api/v1/namespaces/tenant-operator-system/pods/https:tenant-operator-controller-manager-7d9f8b6c5d-x7k2p:8443/proxy/metrics';

const config = parseConfig({
  clusters: [
    { name: 'amp', region: 'eu-west-1', metrics: { source: 'amp', workspaceId: WORKSPACE } },
    { name: 'in-cluster', region: 'eu-west-1', metrics: { source: 'prometheus' } },
    { name: 'scrape', region: 'eu-west-1', metrics: { source: 'pods' } },
    { name: 'proxied', region: 'eu-west-1', metrics: { source: 'scrape' } },
  ],
});
const settings = {
  operator: config.operator,
  threshold: config.alert.threshold,
  forSeconds: config.alert.for,
};

// The newest scenario ends two hours ago, each earlier one 8 hours before the next: one TSDB for all.
const T0 = Math.floor(Date.now() / 60_000) * 60 - 2 * 3600;
const timeOf = (i: number) => T0 - i * SCENARIO_SPACING_SECONDS;

let prometheus: PrometheusServer;
let amp: AmpEndpoint;
let sim: Simulator;
let reader: HttpsClusterReader;
const sources: Record<'amp' | 'prometheus' | 'scrape', MetricsSource> = {} as never;

beforeAll(async () => {
  prometheus = await startPrometheus(
    openMetricsBackfill(SCENARIOS.map((scenario, i) => ({ scenario, t: timeOf(i) }))),
  );
  amp = await startAmpEndpoint({
    workspaceId: WORKSPACE,
    region: 'eu-west-1',
    credentials,
    prometheusUrl: prometheus.url,
  });
  // The operator as it really is (--metrics-secure): the scrape goes to the pod's address with the token.
  const fixture = healthyCluster();
  fixture.upstreams = { [PROMETHEUS_SERVICE_PROXY]: prometheus.url };
  sim = await startSimulator(fixture);
  reader = await HttpsClusterReader.fromKubeConfig(
    loadLocalKubeConfig({ path: sim.kubeconfigPath }),
    Budget.forMs(600_000),
  );
  const deps = {
    reader,
    credentials: async () => credentials,
    ampEndpoint: amp.url,
    podAddress: (ip: string, port: number) => sim.podAddress(ip, port),
  };
  const [ampCluster, inCluster, scrapeCluster] = config.clusters as [never, never, never];
  sources.amp = metricsSourceFor(ampCluster, settings, deps);
  sources.prometheus = metricsSourceFor(inCluster, settings, deps);
  sources.scrape = metricsSourceFor(scrapeCluster, settings, deps);
});

afterAll(async () => {
  reader?.close();
  await sim?.close();
  await amp?.close();
  await prometheus?.stop();
});

function verdict(e: MetricsEvaluation): MetricScenario['expected'] {
  const state =
    e.errorRate.state === 'unknown'
      ? 'unknown'
      : !above(e.errorRate.value, e.threshold)
        ? 'ok'
        : e.sustained
          ? 'firing'
          : 'pending';
  return { verdict: state, blind: e.alertBlind !== undefined };
}

async function evaluate(kind: keyof typeof sources, at: Date, previous?: MetricsState) {
  const { result, state } = await sources[kind].evaluate(at, previous);
  if (!result.ok) throw new Error(`${kind}: ${JSON.stringify(result.error)}`);
  return { evaluation: result.data, state };
}

/** Three scrapes, five minutes apart, ending at T: what a 5-minute schedule would have kept. */
async function scrapeUntil(scenario: MetricScenario, t: number) {
  let state: MetricsState | undefined;
  let evaluation: MetricsEvaluation | undefined;
  for (const offset of [-600, -300, 0]) {
    sim.fixture.raw = {
      [POD_METRICS]: { body: exposition(scenario, offset), contentType: 'text/plain; version=0.0.4' },
    };
    ({ evaluation, state } = await evaluate('scrape', new Date((t + offset) * 1000), state));
  }
  return evaluation as MetricsEvaluation;
}

const results = new Map<string, Record<keyof typeof sources, MetricsEvaluation>>();
async function all(name: string) {
  const cached = results.get(name);
  if (cached) return cached;
  const i = SCENARIOS.findIndex((s) => s.name === name);
  const scenario = SCENARIOS[i] as MetricScenario;
  const at = new Date(timeOf(i) * 1000);
  const evaluations = {
    amp: (await evaluate('amp', at)).evaluation,
    prometheus: (await evaluate('prometheus', at)).evaluation,
    scrape: await scrapeUntil(scenario, timeOf(i)),
  };
  results.set(name, evaluations);
  return evaluations;
}

describe('every scenario gives the same verdict from all three sources', () => {
  it.each(SCENARIOS.map((s) => [s.name, s] as const))('%s', async (name, scenario) => {
    const e = await all(name);
    expect(verdict(e.amp), 'amp').toEqual(scenario.expected);
    expect(verdict(e.prometheus), 'in-cluster prometheus').toEqual(scenario.expected);
    expect(verdict(e.scrape), 'scrape').toEqual(scenario.expected);
  });
});

describe('what the numbers say', () => {
  it('sustained firing: 20% for 40 minutes, since when, and the evidence gauges', async () => {
    const { prometheus: p, amp: a, scrape } = await all('sustained-firing');
    const t = timeOf(0);
    expect(p.errorRate).toEqual({ state: 'ok', value: 0.2 });
    expect(a.errorRate).toEqual({ state: 'ok', value: 0.2 });
    expect(scrape.errorRate).toEqual({ state: 'ok', value: 0.2 });
    expect(p.sustained).toBe(true);
    // Prometheus 2.x includes both ends of a minute-aligned [10m:1m] window (11 points); 3.x only the right one.
    expect(p.window).toMatchObject({ min: 0.2, expectedPoints: 10 });
    expect(p.window?.points).toBeGreaterThanOrEqual(10);
    const started = Date.parse(p.startedAt as string) / 1000;
    expect(started).toBeGreaterThanOrEqual(t - 40 * 60);
    expect(started).toBeLessThanOrEqual(t - 35 * 60);
    // The series the onset was read from, kept for the bundle's chart: up to 6 h at 1 minute (as far
    // back as the backfilled data goes), 0.2 from the onset on.
    expect(p.errorRateSeries?.stepSeconds).toBe(60);
    expect(p.errorRateSeries?.points.length).toBeGreaterThan(200);
    expect(p.errorRateSeries?.points[0]?.[0]).toBeGreaterThanOrEqual(t - 6 * 3600);
    expect(p.errorRateSeries?.points.at(-1)).toEqual([t, 0.2]);
    expect(p.errorRateSeries?.points.find(([, v]) => v !== null && v > 0.1)?.[0]).toBe(started);
    // The scrape source's series is the intervals it kept between its samples.
    expect(scrape.errorRateSeries?.points.map(([, v]) => v)).toEqual([0.2, 0.2]);
    expect(p.errorsPerMinute.state === 'ok' && p.errorsPerMinute.value).toBeCloseTo(120, 6);
    expect(p.reconcilesPerSecond).toEqual({ state: 'ok', value: 10 });
    expect(p.workqueue).toEqual({ depth: 180, longestRunningSeconds: 0 });
    expect(p.restClient?.throttledPerSecond).toBeCloseTo(5, 6);
    expect(scrape.restClient?.throttledPerSecond).toBeCloseTo(5, 6);
    expect(scrape.workqueue).toEqual({ depth: 180 });
    expect(p.byController).toEqual([
      { controller: 'tenant', errorsPerSecond: 2, reconcilesPerSecond: 10, errorRatio: 0.2 },
    ]);
    // A restart every 10 minutes, one of them inside the last 5m: rate[5m] = 1/300 per second.
    expect(p.podRestartsPerSecond?.state === 'ok' && p.podRestartsPerSecond.value).toBeCloseTo(1 / 300, 6);
    // The API server's p95 falls exactly on the 0.25 s bucket boundary.
    expect(p.apiServerP95Seconds).toEqual({ state: 'ok', value: 0.25 });
    expect(scrape.apiServerP95Seconds).toMatchObject({
      state: 'unknown',
      reason: expect.stringContaining("API server's metrics"),
    });
  });

  it('a 4-minute spike is above the threshold now but never sustained', async () => {
    const { prometheus: p, scrape } = await all('short-spike');
    expect(p.errorRate.state === 'ok' && p.errorRate.value).toBeCloseTo(0.322, 3);
    expect(scrape.errorRate.state === 'ok' && scrape.errorRate.value).toBeCloseTo(0.322, 3);
    expect(p.sustained).toBe(false);
    expect(p.sustainedReason).toMatch(/dipped to 0\.0100 within the last 10m/);
    expect(scrape.sustainedReason).toMatch(/above the threshold for 300s of the 600s window/);
  });

  it('recovery: below the threshold now, with the episode that ended', async () => {
    const { prometheus: p } = await all('recovery');
    const t = timeOf(2);
    expect(p.errorRate.state === 'ok' && p.errorRate.value).toBeCloseTo(0.01, 6);
    expect(p.startedAt).toBeNull();
    const start = Date.parse(p.lastEpisode?.startedAt as string) / 1000;
    const end = Date.parse(p.lastEpisode?.endedAt as string) / 1000;
    expect(start).toBeGreaterThanOrEqual(t - 60 * 60);
    expect(start).toBeLessThanOrEqual(t - 55 * 60);
    expect(end).toBeGreaterThanOrEqual(t - 15 * 60);
    expect(end).toBeLessThanOrEqual(t - 9 * 60);
  });

  it('no traffic is unknown with its reason, never healthy', async () => {
    const { prometheus: p, scrape } = await all('no-traffic');
    expect(p.errorRate).toEqual({
      state: 'unknown',
      reason: expect.stringContaining('NaN: no reconciles in the last 5m (0/0)'),
    });
    expect(p.reconcilesPerSecond).toEqual({ state: 'ok', value: 0 });
    expect(scrape.errorRate).toEqual({ state: 'unknown', reason: 'no reconciles in the last 300s (0/0)' });
  });

  it('stale data (no sample for 20 minutes) is unknown, not the last value', async () => {
    const { prometheus: p, scrape } = await all('stale');
    expect(p.errorRate).toEqual({
      state: 'unknown',
      reason: expect.stringContaining('absent, or stale for more than 5m'),
    });
    expect(scrape.errorRate).toMatchObject({ state: 'unknown' });
  });

  it('an absent metric is unknown, not zero', async () => {
    const { prometheus: p } = await all('absent');
    expect(p.errorRate).toEqual({ state: 'unknown', reason: expect.stringContaining('no series') });
  });

  it('a counter reset (the operator restarted) does not break the rate', async () => {
    const { prometheus: p, scrape } = await all('counter-reset');
    expect(p.errorRate.state === 'ok' && p.errorRate.value).toBeCloseTo(0.2, 2);
    expect(scrape.errorRate).toEqual({ state: 'ok', value: 0.2 });
    expect(scrape.sustained).toBe(true);
  });

  it("alert-blind: partial failures and controller-runtime errors the runbook's ratio does not count", async () => {
    const e = await all('alert-blind');
    for (const evaluation of Object.values(e)) {
      expect(evaluation.errorRate.state === 'ok' && evaluation.errorRate.value).toBeCloseTo(0.005, 6);
      expect(
        evaluation.partialFailureShare.state === 'ok' && evaluation.partialFailureShare.value,
      ).toBeCloseTo(0.3, 6);
      expect(
        evaluation.controllerErrorRatio.state === 'ok' && evaluation.controllerErrorRatio.value,
      ).toBeCloseTo(0.25, 6);
      expect(evaluation.alertBlind?.reasons).toEqual([
        '30.0% of reconciles ended partial_failure, which result="error" does not count (the runbook\'s ratio is 0.50%, threshold 10.0%)',
        "controller-runtime counts 25.0% of reconciles as errors (the runbook's ratio is 0.50%, threshold 10.0%)",
      ]);
    }
  });
});

describe('the sources themselves', () => {
  it('AMP: every query was signed, and a wrong key is refused with 403', async () => {
    await all('sustained-firing');
    expect(amp.verified).toBeGreaterThan(0);
    expect(amp.refused).toEqual([]);
    const wrong = metricsSourceFor(config.clusters[0] as never, settings, {
      reader,
      credentials: async () => ({ ...credentials, secretAccessKey: 'not-the-key' }),
      ampEndpoint: amp.url,
    });
    const { result } = await wrong.evaluate(new Date(timeOf(0) * 1000));
    expect(result).toMatchObject({
      ok: false,
      error: {
        kind: 'forbidden',
        status: 403,
        message: expect.stringContaining('signature we calculated does not match'),
      },
    });
  });

  it('scrape: the first sample is warming up, never healthy', async () => {
    sim.fixture.raw = { [POD_METRICS]: { body: exposition(SCENARIOS[0] as MetricScenario, 0) } };
    const { evaluation, state } = await evaluate('scrape', new Date(timeOf(0) * 1000));
    expect(evaluation.warmingUp).toBe(true);
    expect(evaluation.errorRate).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/^warming up/),
    });
    expect(evaluation.workqueue).toEqual({ depth: 180 });
    expect(state?.scrape?.sample.pods).toHaveProperty('tenant-operator-controller-manager-7d9f8b6c5d-x7k2p');
  });

  it('scrape: an operator that refuses the proxied request is a failure with the reason', async () => {
    const proxied = metricsSourceFor(config.clusters[3] as never, settings, {
      reader,
      credentials: async () => credentials,
    });
    const { result } = await proxied.evaluate(new Date());
    expect(result).toMatchObject({
      ok: false,
      error: {
        kind: 'unauthorized',
        status: 401,
        message: expect.stringContaining("does not forward the checker's credentials"),
      },
    });
  });

  it('in-cluster: a Prometheus that is down is a failure of the source, not a number', async () => {
    const down = await startSimulator({
      ...healthyCluster(),
      upstreams: { [PROMETHEUS_SERVICE_PROXY]: 'http://127.0.0.1:1' },
    });
    const downReader = await HttpsClusterReader.fromKubeConfig(
      loadLocalKubeConfig({ path: down.kubeconfigPath }),
      Budget.forMs(20_000),
    );
    const source = metricsSourceFor(config.clusters[1] as never, settings, {
      reader: downReader,
      credentials: async () => credentials,
    });
    const { result } = await source.evaluate(new Date());
    downReader.close();
    await down.close();
    expect(result).toMatchObject({ ok: false, error: { kind: 'server', status: 503 } });
  });
});
