/**
 * Every incident of the library, end to end: the simulator as the cluster, the real Prometheus
 * (backfilled by promtool) as the metrics, one whole check cycle, and the verdict an on-call
 * engineer would reach: the top cause, the alert's state, and whether it pages.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KubeconfigConnector } from '../lambda/collect/connectors.js';
import { promqlSource, urlTransport } from '../lambda/collect/metrics/source.js';
import { parseConfig } from '../lambda/config.js';
import { runCycle } from '../lambda/cycle.js';
import { CAUSE_IDS } from '../lambda/model/causes.js';
import { FileBundleStore } from '../lambda/sinks/bundle-store.js';
import { FileRunStore } from '../lambda/sinks/file-store.js';
import { MemoryNotifier } from '../lambda/sinks/notifier.js';
import {
  INCIDENTS,
  type Incident,
  incidentFixture,
  incidentTimes,
  startIncidentPrometheus,
} from '../sim/incidents/library.js';
import { startSimulator } from '../sim/kube/server.js';
import type { PrometheusServer } from '../sim/prometheus.js';
import { collectorFor } from './helpers/ports.js';
import { describeNeeding } from './helpers/requirements.js';
import { scratchDir } from './helpers/scratch.js';

const describe = describeNeeding('openssl', 'prometheus');

const config = parseConfig({
  clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'prometheus' } }],
});
const cluster = config.clusters[0] as (typeof config.clusters)[number];
const timeOf = incidentTimes();

let prometheus: PrometheusServer;
beforeAll(async () => {
  prometheus = await startIncidentPrometheus(timeOf);
});
afterAll(async () => {
  await prometheus?.stop();
});

async function cycle(incident: Incident, i: number) {
  const sim = await startSimulator(incidentFixture(incident, timeOf(i) * 1000));
  const notifier = new MemoryNotifier();
  try {
    const result = await runCycle(
      {
        collector: collectorFor(config, cluster, new KubeconfigConnector({ path: sim.kubeconfigPath }), () =>
          promqlSource('prometheus', urlTransport(prometheus.url), {
            operator: config.operator,
            threshold: config.alert.threshold,
            forSeconds: config.alert.for,
          }),
        ),
        store: new FileRunStore(scratchDir(`runs-${incident.name}-`)),
        bundles: new FileBundleStore(scratchDir(`bundles-${incident.name}-`)),
        notifier,
      },
      { config, cluster: cluster.name, budgetMs: 30_000, at: new Date(timeOf(i) * 1000) },
    );
    return { result, notifier };
  } finally {
    await sim.close();
  }
}

describe('the incident library', () => {
  it('has an incident for every cause id of the runbook', () => {
    const covered = new Set(INCIDENTS.map((i) => i.cause));
    expect(CAUSE_IDS.filter((id) => !covered.has(id))).toEqual([]);
  });

  it.each(INCIDENTS.map((incident, i) => [incident.name, incident, i] as const))(
    '%s',
    async (_name, incident, i) => {
      const { result, notifier } = await cycle(incident, i);
      const ranked = result.verdict.causes.map((c) => `${c.id} ${c.confidence}`);
      expect(result.verdict.causes[0]?.id, `ranked: ${ranked.join(', ')}`).toBe(incident.cause);
      expect(result.alert.state).toBe(incident.alert);
      // The operator's own rules page what the incident makes them page, and nothing else.
      const rules = notifier.sent.filter((n) => n.attributes.alertname !== 'TenantReconciliationErrors');
      expect(rules.map((n) => n.attributes.alertname).sort()).toEqual(incident.pages ?? []);
      for (const n of rules) expect(n.attributes.topCause).toBe(incident.cause);
      const runbook = notifier.sent.filter((n) => n.attributes.alertname === 'TenantReconciliationErrors');
      if (incident.alert === 'firing') {
        expect(runbook).toHaveLength(1);
        expect(runbook[0]?.subject).toMatch(/^\[FIRING\] TenantReconciliationErrors 20% on prod-eks-1/);
        expect(runbook[0]?.attributes.topCause).toBe(incident.cause);
        // The evidence quotes what was seen, and the resolution names the real deployment.
        expect(result.verdict.causes[0]?.evidence.length).toBeGreaterThan(0);
        expect(result.findings.find((f) => f.cause === incident.cause)?.remediation.join('\n')).toMatch(
          /tenant-operator|kubectl|quota|CoreDNS|etcd|node|volume|webhook|database|endpoint|networkpolic/i,
        );
      } else {
        expect(runbook).toEqual([]);
      }
      expect(result.run.sources.tenants).toBe('ok');
    },
  );
});
