/**
 * The incidents written blind (sim/incidents/blind.ts: written from the runbook, the operator's code
 * and real error messages before the checker was run on them), end to end like the library: the
 * simulator as the cluster, the real Prometheus as the metrics, one whole cycle. The top cause must be
 * right; where the trouble is the checker's own access, no runbook cause may be named.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeconfigConnector } from '../lambda/collect/connectors.js';
import { promqlSource, urlTransport } from '../lambda/collect/metrics/source.js';
import { parseConfig } from '../lambda/config.js';
import { runCycle } from '../lambda/cycle.js';
import { FileBundleStore } from '../lambda/sinks/bundle-store.js';
import { FileRunStore } from '../lambda/sinks/file-store.js';
import { MemoryNotifier } from '../lambda/sinks/notifier.js';
import { BLIND_INCIDENTS } from '../sim/incidents/blind.js';
import { BLIND2_INCIDENTS } from '../sim/incidents/blind2.js';
import {
  type Incident,
  incidentFixture,
  incidentTimes,
  startIncidentPrometheus,
} from '../sim/incidents/library.js';
import { startSimulator } from '../sim/kube/server.js';
import type { PrometheusServer } from '../sim/prometheus.js';
import { collectorFor } from './helpers/ports.js';

const config = parseConfig({
  clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'prometheus' } }],
});
const cluster = config.clusters[0] as (typeof config.clusters)[number];
const timeOf = incidentTimes();
/**
 * Both blind sets. The Lynq incident of the second needs its own preset and metric names in the
 * backfill, which this harness does not make yet: it is left out, and said so.
 */
const ALL = [...BLIND_INCIDENTS, ...BLIND2_INCIDENTS.filter((incident) => !incident.preset)];
const work = mkdtempSync(join(tmpdir(), 'blind-'));

let prometheus: PrometheusServer;
beforeAll(async () => {
  prometheus = await startIncidentPrometheus(timeOf, ALL);
});
afterAll(async () => {
  await prometheus?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function cycle(incident: Incident, i: number) {
  const sim = await startSimulator(incidentFixture(incident, timeOf(i) * 1000));
  try {
    return await runCycle(
      {
        collector: collectorFor(config, cluster, new KubeconfigConnector({ path: sim.kubeconfigPath }), () =>
          promqlSource('prometheus', urlTransport(prometheus.url), {
            operator: config.operator,
            threshold: config.alert.threshold,
            forSeconds: config.alert.for,
          }),
        ),
        store: new FileRunStore(join(work, `runs-${i}`)),
        bundles: new FileBundleStore(join(work, `bundles-${i}`)),
        notifier: new MemoryNotifier(),
      },
      { config, cluster: cluster.name, budgetMs: 30_000, at: new Date(timeOf(i) * 1000) },
    );
  } finally {
    await sim.close();
  }
}

/**
 * Known misses, each a gap in what is collected (not a tuning): `it.fails` keeps them honest (the test
 * fails loudly once the checker gets one right, and the entry must go).
 * - the external API that times out shows only in other pods' logs (the onboarding Jobs,
 *   external-secrets), which the checker does not read;
 * - the policies that block are in the datasource's namespace (an ingress policy), or select by a
 *   namespace label the target namespace lacks: the checker reads only the operator's namespace's
 *   policies and no namespace labels.
 */
const KNOWN_MISSES = new Set([
  'blind2-external-saas-onboarding-job',
  'blind2-external-secrets-manager-slow',
  'blind2-netpol-egress-namespace-label',
  'blind2-netpol-mysql-ingress-same-namespace',
]);

describe('the incidents written blind', () => {
  const indexed = ALL.map((incident, i) => [incident.name, incident, i] as const);
  it.fails.each(indexed.filter(([name]) => KNOWN_MISSES.has(name)))(
    '%s (known miss)',
    async (_name, incident, i) => {
      const result = await cycle(incident, i);
      expect(result.verdict.causes[0]?.id ?? 'none').toBe(incident.cause);
    },
  );
  it.each(indexed.filter(([name]) => !KNOWN_MISSES.has(name)))('%s', async (_name, incident, i) => {
    const result = await cycle(incident, i);
    const ranked = [
      result.verdict.causes.map((c) => `${c.id} ${c.confidence}`).join(', '),
      ...result.findings
        .filter((f) => f.status !== 'ok')
        .map((f) => `  ${f.status} ${f.check} ${f.cause} ${f.weight.toFixed(2)} ${f.summary.slice(0, 160)}`),
    ].join('\n');
    if (incident.checker) {
      expect(result.verdict.checker?.problem, ranked).toMatch(
        incident.checker === 'forbidden' ? /forbidden/ : /unreachable/,
      );
      expect(
        result.verdict.causes.filter((c) => c.id !== 'none'),
        ranked,
      ).toEqual([]);
    } else {
      expect(result.verdict.causes[0]?.id ?? 'none', `ranked: ${ranked}`).toBe(incident.cause);
    }
  });
});
