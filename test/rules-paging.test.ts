/**
 * The operator's own alerting rules end to end, on the simulator, the real Prometheus (the
 * incident's metrics backfilled by promtool), dynalite, s3rver and fauxqs: an incident the
 * runbook's alert misses (30 % partial failures on exhausted quotas, result="error" at 0.5 %) pages
 * through the operator's critical rules, one message per rule (Alertmanager's default grouping),
 * each led by the rule's own summary, with the checker's cause and the run's bundle; SNS filter
 * policies route them by severity; a still-firing group does not repeat before repeatInterval; the
 * end of the incident is one resolved message per group. A healthy busy cluster pages nothing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KubeconfigConnector } from '../lambda/collect/connectors.js';
import { promqlSource } from '../lambda/collect/metrics/source.js';
import { urlTransport } from '../lambda/collect/metrics/transports.js';
import { parseConfig } from '../lambda/config.js';
import { runCycle } from '../lambda/cycle.js';
import { toReport } from '../lambda/report.js';
import { DynamoDbRunStore } from '../lambda/sinks/dynamodb-store.js';
import { S3BundleStore } from '../lambda/sinks/s3-bundle-store.js';
import { SnsNotifier } from '../lambda/sinks/sns-notifier.js';
import { INCIDENTS, type Incident, incidentFixture } from '../sim/incidents/library.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import {
  ALERT_BLIND_RATES,
  BASELINE_RATES,
  type MetricScenario,
  openMetricsBackfill,
  SCENARIO_SPACING_SECONDS,
} from '../sim/metrics/scenarios.js';
import { type PrometheusServer, startPrometheus } from '../sim/prometheus.js';
import { REGION, startS3, startSns } from './helpers/aws-local.js';
import { createTable, type LocalDynamo, startDynamo } from './helpers/dynalite.js';
import { collectorFor } from './helpers/ports.js';
import { describeNeeding } from './helpers/requirements.js';

const describe = describeNeeding('openssl', 'prometheus');

const BUCKET = 'rule-bundles';
const config = parseConfig({
  clusters: [{ name: 'prod-eks-1', region: REGION, metrics: { source: 'prometheus' } }],
});
const cluster = config.clusters[0] as (typeof config.clusters)[number];
const incident = (name: string) => INCIDENTS.find((i) => i.name === name) as Incident;

// The alert-blind incident: 12 of 40 tenants fail from 50 minutes before T, and recover 10 minutes after.
const blind: MetricScenario = {
  name: 'alert-blind-recovers',
  expected: { verdict: 'ok', blind: true },
  tenants: 40,
  until: 40 * 60,
  phases: [
    { from: -3600, rates: BASELINE_RATES },
    { from: -50 * 60, rates: { ...ALERT_BLIND_RATES, failingTenants: 12 } },
    { from: 10 * 60, rates: BASELINE_RATES },
  ],
};
const busy: MetricScenario = {
  name: 'healthy-busy',
  expected: { verdict: 'ok', blind: false },
  ...incident('healthy-busy').metrics,
};
const T = Math.floor(Date.now() / 60_000) * 60 - 3 * 3600;
const T_BUSY = T - SCENARIO_SPACING_SECONDS;
const at = (t: number, minutes: number) => new Date((t + minutes * 60) * 1000);

let prometheus: PrometheusServer;
let s3: Awaited<ReturnType<typeof startS3>>;
let sns: Awaited<ReturnType<typeof startSns>>;
let dynamo: LocalDynamo;
const sims: Simulator[] = [];

beforeAll(async () => {
  prometheus = await startPrometheus(
    openMetricsBackfill([
      { scenario: blind, t: T },
      { scenario: busy, t: T_BUSY },
    ]),
  );
  s3 = await startS3(BUCKET);
  // The pager hears critical alerts, the team's channel warnings: SNS filter policies on `severity`.
  sns = await startSns('checker-notifications', {
    pager: { severity: ['critical'] },
    channel: { severity: ['warning'] },
  });
  dynamo = await startDynamo();
}, 120_000);
afterAll(async () => {
  for (const sim of sims) await sim.close();
  await prometheus?.stop();
  await dynamo?.close();
  await sns?.close();
  await s3?.close();
});

async function world(name: string, t: number) {
  const sim = await startSimulator(incidentFixture(incident(name), t * 1000));
  sims.push(sim);
  const table = `rules-${name}`;
  await createTable(dynamo.client, table);
  const store = new DynamoDbRunStore(dynamo.client, table);
  const source = promqlSource('prometheus', urlTransport(prometheus.url), {
    operator: config.operator,
    threshold: config.alert.threshold,
    forSeconds: config.alert.for,
  });
  return {
    store,
    cycle: (when: Date) =>
      runCycle(
        {
          collector: collectorFor(
            config,
            cluster,
            new KubeconfigConnector({ path: sim.kubeconfigPath }),
            () => source,
          ),
          store,
          bundles: new S3BundleStore(s3.client, BUCKET, { linkExpirySeconds: config.bundles.linkExpiry }),
          notifier: new SnsNotifier(sns.sns, sns.topicArn),
        },
        { config, cluster: cluster.name, budgetMs: 30_000, at: when, slot: when.toISOString() },
      ),
  };
}

const CRITICAL = ['RegistryManyTenantsFailure', 'TenantDegraded', 'TenantNotReady', 'TenantResourcesFailed'];

describe('the operator’s own rules', () => {
  it('page an incident the runbook misses, with the cause and a bundle, routed by severity; then resolve once', async () => {
    const { cycle, store } = await world('alert-blind', T);

    // 1. At T: the runbook's alert is inactive (0.5 % errors); the critical rules fire.
    const first = await cycle(at(T, 0));
    expect(first.alert.state).toBe('inactive');
    expect(first.notification).toBeNull();
    const report = toReport(first);
    expect(report.alerts[0]).toMatchObject({ state: 'firing', severity: 'critical' });
    const firing = report.alerts.filter((a) => a.state === 'firing');
    expect(firing.map((a) => a.name).sort()).toEqual(CRITICAL);
    expect(firing.find((a) => a.name === 'TenantResourcesFailed')).toMatchObject({
      instances: 12,
      severity: 'critical',
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      activeAt: expect.any(String),
    });
    // Every shipped rule is reported; the runbook's own rule once, as the runbook's alert.
    expect(report.alerts).toHaveLength(14);
    expect(report.alerts.filter((a) => a.name === 'TenantReconciliationErrors')).toEqual([
      expect.objectContaining({ source: 'runbook', state: 'inactive' }),
    ]);
    expect(report.causes[0]?.id).toBe('quota-exceeded');

    const messages = await sns.received();
    expect(messages.map((m) => m.attributes.alertname).sort()).toEqual(CRITICAL);
    const failed = messages.find((m) => m.attributes.alertname === 'TenantResourcesFailed');
    expect(failed?.attributes).toMatchObject({
      severity: 'critical',
      state: 'firing',
      topCause: 'quota-exceeded',
    });
    expect(failed?.subject).toMatch(
      /^\[FIRING\] TenantResourcesFailed .*12 alerts on prod-eks-1: namespace quotas exceeded/,
    );
    const body = failed?.protocols?.email ?? '';
    // The rule's own words lead, then its alerts, the cause with its evidence, the bundle, both runbooks.
    expect(body.split('\n')[2]).toBe('Tenant customer-00000 has 2 failed resource(s)');
    const order = [
      'Rule: TenantResourcesFailed, severity critical',
      'Alerts: 12 firing',
      'Probable causes:',
      'quota-exceeded',
      'Escalation bundle:',
      "Rule's runbook: https://docs.kubernetes-tenants.org/alert-runbooks#tenantresourcesfailed",
      'Runbook: https://docs.kubernetes-tenants.org/alert-runbooks#tenantreconciliationerrors',
    ].map((part) => body.indexOf(part));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(body).toContain('- and 7 more');
    // One bundle for the run, linked from every message.
    expect(first.bundle).toMatchObject({ key: expect.stringContaining(first.runId) });
    for (const m of messages) expect(m.protocols?.email).toContain(`s3://${BUCKET}/`);
    // Routed by severity: the pager got the four, the channel none.
    expect((await sns.receivedBy('pager')).length).toBe(4);
    expect(await sns.receivedBy('channel')).toEqual([]);

    // 2. Five minutes later: still firing, not due to repeat (repeatInterval 4h): nothing sent.
    const second = await cycle(at(T, 5));
    expect(second.groups.filter((g) => g.alert.state === 'firing')).toHaveLength(4);
    expect(second.groups.every((g) => g.notification === null)).toBe(true);
    expect(await sns.received()).toEqual([]);

    // 3. The tenants recovered at T+10m: at T+20m each group resolves, once, to the same subscribers.
    const third = await cycle(at(T, 20));
    const resolved = await sns.received();
    expect(resolved.map((m) => m.attributes.alertname).sort()).toEqual(CRITICAL);
    expect(
      resolved.every((m) => m.attributes.state === 'resolved' && m.attributes.severity === 'critical'),
    ).toBe(true);
    expect(resolved.find((m) => m.attributes.alertname === 'TenantNotReady')?.subject).toMatch(
      /^\[RESOLVED\]/,
    );
    expect((await sns.receivedBy('pager')).length).toBe(4);
    expect(
      third.groups.filter(
        (g) => g.notification && 'kind' in g.notification && g.notification.kind === 'resolved',
      ),
    ).toHaveLength(4);
    // 4. And nothing more.
    await cycle(at(T, 25));
    expect(await sns.received()).toEqual([]);
    // Each group is one small item, whatever its number of alerts.
    const [run] = await store.listRuns(cluster.name, 1);
    expect(run?.alerts?.length).toBe(14);
  });

  it('page nothing on a healthy busy cluster', async () => {
    const { cycle } = await world('healthy-busy', T_BUSY);
    const result = await cycle(at(T_BUSY, 0));
    const report = toReport(result);
    expect(report.alerts).toHaveLength(14);
    expect(report.alerts.every((a) => a.state === 'inactive')).toBe(true);
    expect(result.groups.every((g) => g.notification === null)).toBe(true);
    expect(await sns.received()).toEqual([]);
  });
});
