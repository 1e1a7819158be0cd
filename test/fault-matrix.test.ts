/**
 * The fault matrix: the checker exists for bad days. Each fault runs whole check cycles against real
 * servers (the simulator, dynalite, a Prometheus-shaped endpoint) and must end with a stored run, at
 * most one notification, and the user told what happened: a cause, "checker blind", or the failure.
 * Faults proven elsewhere are listed in the README's Reliability section with their tests.
 */

import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KubeconfigConnector } from '../lambda/collect/connectors.js';
import { type MetricsSource, promqlSource, urlTransport } from '../lambda/collect/metrics/source.js';
import { parseConfig } from '../lambda/config.js';
import { type CycleResult, runCycle } from '../lambda/cycle.js';
import type { MetricsEvaluation } from '../lambda/model/metrics.js';
import type { Measured } from '../lambda/model/source.js';
import { succeeded } from '../lambda/model/source.js';
import { FileBundleStore } from '../lambda/sinks/bundle-store.js';
import { DynamoDbRunStore } from '../lambda/sinks/dynamodb-store.js';
import { MemoryNotifier } from '../lambda/sinks/notifier.js';
import type { RunStore } from '../lambda/sinks/run-store.js';
import { healthyCluster } from '../sim/kube/fixtures.js';
import { type ClusterFixture, type Fault, startSimulator } from '../sim/kube/server.js';
import { createTable, type LocalDynamo, startDynamo } from './helpers/dynalite.js';
import { collectorFor } from './helpers/ports.js';
import { describeNeeding } from './helpers/requirements.js';
import { scratchDir } from './helpers/scratch.js';

const describe = describeNeeding('openssl');

const config = parseConfig({
  clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'scrape' } }],
});
const cluster = config.clusters[0] as (typeof config.clusters)[number];
const settings = { operator: config.operator, threshold: 0.1, forSeconds: 600 };
const ok = (value: number): Measured => ({ state: 'ok', value });

/** The metrics of an incident: 25%, sustained (metrics reach AMP even when the API server does not answer). */
const incidentMetrics: MetricsSource = {
  kind: 'amp',
  async evaluate(at) {
    const e: MetricsEvaluation = {
      source: 'amp',
      evaluatedAt: at.toISOString(),
      threshold: 0.1,
      forSeconds: 600,
      errorRate: ok(0.25),
      sustained: true,
      reconcilesPerSecond: ok(10),
      errorsPerMinute: ok(150),
      partialFailureShare: ok(0),
      controllerErrorRatio: ok(0.25),
      byController: [],
    };
    return { result: succeeded(e, 1) };
  },
};

let dynamo: LocalDynamo;
let tables = 0;
let garbage: http.Server;
let garbageUrl = '';
beforeAll(async () => {
  dynamo = await startDynamo();
  garbage = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<html><body>Welcome to nginx!</body></html>');
  });
  await new Promise<void>((r) => garbage.listen(0, '127.0.0.1', r));
  garbageUrl = `http://127.0.0.1:${(garbage.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await dynamo?.close();
  await new Promise<void>((r) => garbage.close(() => r()));
});

interface Row {
  fault: string;
  fixture?: (f: ClusterFixture) => void;
  faults?: Fault[];
  kubeconfig?: (path: string, url: string) => string;
  metrics?: () => MetricsSource;
  budgetMs?: number;
  cycles?: number;
  expect: (results: CycleResult[]) => void;
}

const everywhere = (fault: Omit<Fault, 'path'>): Fault[] => [{ ...fault, path: /./ }];

const ROWS: Row[] = [
  {
    fault: 'API server refuses connections',
    kubeconfig: (path, url) => rewrite(path, url, 'https://127.0.0.1:1'),
    // The checker cannot reach the cluster: its own trouble, with its remedy, never a cluster cause.
    expect: ([r]) => {
      expect(r?.verdict.causes).toEqual([]);
      expect(r?.verdict.checker?.problem).toBe('unreachable');
      expect(r?.verdict.checker?.remedy.join('\n')).toMatch(/kubeconfig|vpc/);
    },
  },
  {
    fault: 'API server hangs (the budget ends the collection)',
    faults: everywhere({ hang: true }),
    budgetMs: 2000,
    expect: ([r]) => {
      expect(r?.verdict.causes).toEqual([]);
      expect(r?.verdict.checker?.problem).toBe('unreachable');
      expect(r?.snapshot.elapsedMs).toBeLessThan(8000);
    },
  },
  {
    fault: 'API server answers 429 with Retry-After',
    // Longer than a read's share of the budget: not waited for, the throttling is the evidence.
    faults: everywhere({ status: 429, headers: { 'Retry-After': '30' } }),
    expect: ([r]) => {
      expect(r?.verdict.causes.map((c) => c.id)).not.toContain('none');
      expect(r?.verdict.checker?.problem).toBe('throttled');
      expect(r?.snapshot.tenants).toMatchObject({
        ok: false,
        error: { kind: 'throttled', retryAfterSeconds: 30 },
      });
    },
  },
  {
    fault: 'API server answers 401 to the checker',
    faults: everywhere({ status: 401 }),
    expect: ([r]) => {
      // Our own access failing says nothing of the operator's: no cause is made up.
      expect(r?.verdict.causes).toEqual([]);
      expect(r?.verdict.checker?.problem).toBe('unauthorized');
      expect(r?.run.sources.tenants).toBe('unauthorized');
    },
  },
  {
    fault: 'API server answers 403 on nodes only',
    faults: [{ path: '/api/v1/nodes', status: 403 }],
    expect: ([r]) => {
      expect(r?.run.sources.nodes).toBe('forbidden');
      expect(r?.run.sources.tenants).toBe('ok');
      expect(r?.verdict.coverage).toBeLessThan(1);
    },
  },
  {
    fault: 'API server answers 503 everywhere',
    faults: everywhere({ status: 503 }),
    expect: ([r]) => expect(r?.verdict.causes[0]?.id).toBe('apiserver-unavailable'),
  },
  {
    fault: 'API server sends invalid JSON',
    faults: [{ path: /\/tenants/, invalidJson: true }],
    expect: ([r]) => expect(r?.run.sources.tenants).toBe('bad-response'),
  },
  {
    fault: 'the invocation deadline arrives mid-collection',
    faults: [{ path: /\/log$|\/log\?/, hang: true }],
    budgetMs: 1500,
    expect: ([r]) => {
      expect(r?.run.sources.operatorLogs).toBe('timeout');
      expect(r?.run.sources.tenants).toBe('ok');
      expect(r?.snapshot.elapsedMs).toBeLessThan(6000);
    },
  },
  {
    fault: 'Prometheus is down for three cycles',
    metrics: () => promqlSource('prometheus', urlTransport('http://127.0.0.1:1'), settings),
    cycles: 3,
    expect: (rs) => {
      expect(rs.map((r) => r.alert.state)).toEqual(['inactive', 'inactive', 'blind']);
      expect(rs[2]?.notification).toMatchObject({ kind: 'blind', status: 'sent' });
      expect(rs[0]?.run.sources.metrics).toBe('unreachable');
    },
  },
  {
    fault: 'Prometheus answers garbage',
    metrics: () => promqlSource('prometheus', urlTransport(garbageUrl), settings),
    expect: ([r]) => {
      expect(r?.run.sources.metrics).toBe('bad-response');
      expect(r?.verdict.errorRate).toBeNull();
    },
  },
];

function rewrite(path: string, from: string, to: string): string {
  const out = `${path}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(out, readFileSync(path, 'utf8').replace(from, to));
  return out;
}

describe('the fault matrix: a stored run, at most one message, the user told', () => {
  it.each(ROWS.map((row) => [row.fault, row] as const))('%s', async (_name, row) => {
    const fixture = healthyCluster();
    row.fixture?.(fixture);
    if (row.faults) fixture.faults = row.faults;
    const sim = await startSimulator(fixture);
    const table = `faults-${++tables}`;
    await createTable(dynamo.client, table);
    const store = new DynamoDbRunStore(dynamo.client, table);
    const notifier = new MemoryNotifier();
    const kubeconfig = row.kubeconfig ? row.kubeconfig(sim.kubeconfigPath, sim.url) : sim.kubeconfigPath;
    const results: CycleResult[] = [];
    try {
      for (let i = 0; i < (row.cycles ?? 1); i++) {
        const at = new Date(Date.now() + i * 300_000);
        results.push(
          await runCycle(
            {
              collector: collectorFor(config, cluster, new KubeconfigConnector({ path: kubeconfig }), () =>
                row.metrics ? row.metrics() : incidentMetrics,
              ),
              store,
              bundles: new FileBundleStore(scratchDir('faults-')),
              notifier,
            },
            { config, cluster: cluster.name, budgetMs: row.budgetMs ?? 20_000, at, slot: at.toISOString() },
          ),
        );
      }
    } finally {
      await sim.close();
    }
    expect(await store.listRuns('prod-eks-1', 10)).toHaveLength(row.cycles ?? 1);
    expect(notifier.sent.length).toBeLessThanOrEqual(1);
    row.expect(results);
  });

  it('DynamoDB throttled: the invocation fails before anything is sent, and its retry stores one run and sends one message', async () => {
    const sim = await startSimulator(healthyCluster());
    const table = `faults-${++tables}`;
    await createTable(dynamo.client, table);
    const real = new DynamoDbRunStore(dynamo.client, table);
    let throttles = 1;
    const throttled: RunStore = Object.assign(Object.create(real), {
      saveRun: async (run: Parameters<RunStore['saveRun']>[0]) => {
        if (throttles-- > 0)
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
            name: 'ThrottlingException',
          });
        return real.saveRun(run);
      },
    });
    const notifier = new MemoryNotifier();
    const at = new Date();
    const once = () =>
      runCycle(
        {
          collector: collectorFor(
            config,
            cluster,
            new KubeconfigConnector({ path: sim.kubeconfigPath }),
            () => incidentMetrics,
          ),
          store: throttled,
          bundles: new FileBundleStore(scratchDir('faults-')),
          notifier,
        },
        { config, cluster: cluster.name, budgetMs: 20_000, at, slot: at.toISOString() },
      );
    try {
      await expect(once()).rejects.toThrow(/allowed throughput/);
      expect(notifier.sent).toHaveLength(0);
      const retry = await once();
      expect(retry.notification).toMatchObject({ status: 'sent' });
    } finally {
      await sim.close();
    }
    expect(await real.listRuns('prod-eks-1', 10)).toHaveLength(1);
    expect(notifier.sent).toHaveLength(1);
  });
});

describe('secrets that reach the evidence', () => {
  it('are redacted before the run is stored, the message sent or the report printed', async () => {
    const { ScanCommand } = await import('@aws-sdk/client-dynamodb');
    const { leaks, PLANTED_SECRETS } = await import('./helpers/secrets.js');
    const { reconcilerError } = await import('../sim/kube/fixtures.js');
    const { toReport } = await import('../lambda/report.js');
    const fixture = healthyCluster();
    // The dominant error carries a DSN with its password and a bearer token: it becomes the top cause's evidence.
    const lines = Array.from({ length: 40 }, (_, i) =>
      reconcilerError(
        'console',
        300 - i,
        `customer-${i}`,
        `failed to sync registry: dial error for mysql://tenants:${PLANTED_SECRETS.dsnPassword}@mysql.data.svc:3306/tenants (Authorization: Bearer ${PLANTED_SECRETS.bearer})`,
      ),
    );
    const key = Object.keys(fixture.logs ?? {})[0] as string;
    fixture.logs = { ...fixture.logs, [key]: `${lines.join('\n')}\n` };
    const sim = await startSimulator(fixture);
    const table = `faults-${++tables}`;
    await createTable(dynamo.client, table);
    const notifier = new MemoryNotifier();
    try {
      const result = await runCycle(
        {
          collector: collectorFor(
            config,
            cluster,
            new KubeconfigConnector({ path: sim.kubeconfigPath }),
            () => incidentMetrics,
          ),
          store: new DynamoDbRunStore(dynamo.client, table),
          bundles: new FileBundleStore(scratchDir('faults-')),
          notifier,
        },
        { config, cluster: cluster.name, budgetMs: 20_000 },
      );
      expect(result.verdict.causes[0]?.id).toBe('datasource-unavailable');
      expect(result.verdict.causes[0]?.evidence.join('\n')).toContain('mysql://tenants:[REDACTED]@');
      expect(leaks(JSON.stringify(await dynamo.client.send(new ScanCommand({ TableName: table }))))).toEqual(
        [],
      );
      expect(leaks(JSON.stringify(notifier.sent))).toEqual([]);
      expect(leaks(JSON.stringify(toReport(result)))).toEqual([]);
    } finally {
      await sim.close();
    }
  });
});
