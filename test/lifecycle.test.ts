/**
 * The alert's lifecycle: the pure state machine, then whole cycles on DynamoDB (dynalite) over
 * hours of schedule slots: pending → firing after the `for` window → repeat → resolved, a retried
 * invocation, a publish that fails then succeeds, and two invocations at once. The metrics source is
 * scripted here (our own port): the error rate each slot is what the test says it is.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialState, type LifecycleSettings, transition } from '../lambda/alert/lifecycle.js';
import { KubeconfigConnector } from '../lambda/collect/connectors.js';
import type { MetricsSource } from '../lambda/collect/metrics/source.js';
import { parseConfig } from '../lambda/config.js';
import { NotifyError, runCycle } from '../lambda/cycle.js';
import type { AlertState } from '../lambda/model/alert.js';
import type { MetricsEvaluation } from '../lambda/model/metrics.js';
import type { Measured } from '../lambda/model/source.js';
import { succeeded } from '../lambda/model/source.js';
import { FileBundleStore } from '../lambda/sinks/bundle-store.js';
import { DynamoDbRunStore } from '../lambda/sinks/dynamodb-store.js';
import { MemoryNotifier, type Notification, type Notifier } from '../lambda/sinks/notifier.js';
import { healthyCluster } from '../sim/kube/fixtures.js';
import { type Simulator, startSimulator } from '../sim/kube/server.js';
import { createTable, type LocalDynamo, startDynamo } from './helpers/dynalite.js';
import { collectorFor } from './helpers/ports.js';
import { describeNeeding } from './helpers/requirements.js';
import { scratchDir } from './helpers/scratch.js';

const settings: LifecycleSettings = {
  repeatIntervalSeconds: 4 * 3600,
  blindAfterCycles: 3,
  resolveAfterCycles: 2,
};
const T = new Date('2026-11-26T10:00:00Z');
const at = (minutes: number) => new Date(T.getTime() + minutes * 60_000);
const ok = (value: number): Measured => ({ state: 'ok', value });
const unknown: Measured = { state: 'unknown', reason: 'Prometheus did not answer' };

describe('the state machine', () => {
  function run(steps: [number, Measured, boolean][]) {
    let state: AlertState = initialState('prod-eks-1', 'TenantReconciliationErrors', T);
    const log: string[] = [];
    for (const [minute, errorRate, sustained] of steps) {
      const { next, notice } = transition(
        state,
        { at: at(minute), runId: `run-${minute}`, errorRate, sustained, threshold: 0.1 },
        settings,
      );
      // Deliveries succeed here: the cycle records them.
      state = notice ? { ...next, lastNotifiedAt: at(minute).toISOString() } : next;
      log.push(`${minute}:${state.state}${notice ? `:${notice.kind}` : ''}`);
    }
    return { state, log };
  }

  it('goes pending, fires when sustained, repeats every 4 hours, and resolves after two cycles below', () => {
    const { log } = run([
      [0, ok(0.02), false],
      [5, ok(0.2), false],
      [10, ok(0.2), false],
      [15, ok(0.2), true],
      [20, ok(0.2), true],
      [255, ok(0.2), true],
      [260, ok(0.05), false],
      [265, ok(0.22), false],
      [270, ok(0.05), false],
      [275, ok(0.04), false],
      [280, ok(0.03), false],
    ]);
    expect(log).toEqual([
      '0:inactive',
      '5:pending',
      '10:pending',
      '15:firing:firing',
      '20:firing',
      '255:firing:repeat',
      // One cycle below does not resolve (hysteresis), nor does a dip back above restart the count.
      '260:firing',
      '265:firing',
      '270:firing',
      '275:resolved:resolved',
      '280:inactive',
    ]);
  });

  it('names the firing a resolved notice ends', () => {
    let state = initialState('c', 'A', T);
    state = {
      ...transition(
        state,
        { at: at(0), runId: 'first', errorRate: ok(0.3), sustained: true, threshold: 0.1 },
        settings,
      ).next,
      lastNotifiedAt: at(0).toISOString(),
    };
    state = transition(
      state,
      { at: at(5), runId: 'r2', errorRate: ok(0), sustained: false, threshold: 0.1 },
      settings,
    ).next;
    const { notice } = transition(
      state,
      { at: at(10), runId: 'r3', errorRate: ok(0), sustained: false, threshold: 0.1 },
      settings,
    );
    expect(notice).toEqual({ kind: 'resolved', firingRunId: 'first', firingSince: at(0).toISOString() });
  });

  it('a short spike goes pending and back, never paging', () => {
    const { log } = run([
      [0, ok(0.3), false],
      [5, ok(0.01), false],
    ]);
    expect(log).toEqual(['0:pending', '5:inactive']);
  });

  it('pages "checker blind" after three cycles without an error rate, and says when it sees again', () => {
    const { log } = run([
      [0, unknown, false],
      [5, unknown, false],
      [10, unknown, false],
      [15, unknown, false],
      [20, ok(0.01), false],
    ]);
    expect(log).toEqual(['0:inactive', '5:inactive', '10:blind:blind', '15:blind', '20:inactive:unblind']);
  });

  it('keeps firing, and repeating, through an outage of the metrics: no data is not a resolution', () => {
    const { log } = run([
      [0, ok(0.3), true],
      [5, unknown, false],
      [10, unknown, false],
      [15, unknown, false],
      [245, unknown, false],
    ]);
    expect(log).toEqual(['0:firing:firing', '5:firing', '10:firing', '15:firing', '245:firing:repeat']);
  });
});

describeNeeding('openssl')('whole cycles on DynamoDB', () => {
  const config = parseConfig({
    clusters: [{ name: 'prod-eks-1', region: 'eu-west-1', metrics: { source: 'scrape' } }],
    alert: { repeatInterval: '4h' },
  });
  const cluster = config.clusters[0] as (typeof config.clusters)[number];
  let dynamo: LocalDynamo;
  let sim: Simulator;
  let tables = 0;

  beforeAll(async () => {
    dynamo = await startDynamo();
    sim = await startSimulator(healthyCluster());
  });
  afterAll(async () => {
    await sim?.close();
    await dynamo?.close();
  });

  /** A metrics source that answers what the test scripts for each instant. */
  function scripted(rate: (at: Date) => { errorRate: Measured; sustained: boolean }): MetricsSource {
    return {
      kind: 'prometheus',
      async evaluate(when) {
        const { errorRate, sustained } = rate(when);
        const evaluation: MetricsEvaluation = {
          source: 'prometheus',
          evaluatedAt: when.toISOString(),
          threshold: 0.1,
          forSeconds: 600,
          errorRate,
          sustained,
          reconcilesPerSecond: ok(10),
          errorsPerMinute: ok(errorRate.state === 'ok' ? errorRate.value * 600 : 0),
          partialFailureShare: ok(0),
          controllerErrorRatio: ok(errorRate.state === 'ok' ? errorRate.value : 0),
          byController: [],
        };
        return { result: succeeded(evaluation, 1) };
      },
    };
  }

  async function fresh() {
    const table = `lifecycle-${++tables}`;
    await createTable(dynamo.client, table);
    return new DynamoDbRunStore(dynamo.client, table);
  }

  function cycleAt(
    store: DynamoDbRunStore,
    notifier: Notifier,
    minute: number,
    rate: (at: Date) => { errorRate: Measured; sustained: boolean },
  ) {
    return runCycle(
      {
        collector: collectorFor(config, cluster, new KubeconfigConnector({ path: sim.kubeconfigPath }), () =>
          scripted(rate),
        ),
        store,
        bundles: new FileBundleStore(scratchDir('bundles-')),
        notifier,
      },
      { config, cluster: cluster.name, budgetMs: 20_000, at: at(minute), slot: at(minute).toISOString() },
    );
  }

  /** An incident: 1% errors, then 30% from minute 5 (sustained from minute 15), then 1% from minute 300. */
  const incident = (when: Date) => {
    const m = (when.getTime() - T.getTime()) / 60_000;
    if (m < 5 || m >= 300) return { errorRate: ok(0.01), sustained: false };
    return { errorRate: ok(0.3), sustained: m >= 15 };
  };

  it('pending → firing after 10 minutes → repeat after 4 hours → resolved, one message each', async () => {
    const store = await fresh();
    const notifier = new MemoryNotifier();
    const states: string[] = [];
    for (let minute = 0; minute <= 315; minute += 5) {
      const result = await cycleAt(store, notifier, minute, incident);
      states.push(result.alert.state);
    }
    expect(states.slice(0, 5)).toEqual(['inactive', 'pending', 'pending', 'firing', 'firing']);
    expect(states.at(-1)).toBe('inactive');
    expect(notifier.sent.map((n) => `${n.kind}`)).toEqual(['firing', 'repeat', 'resolved']);
    const [fired, repeated, resolved] = notifier.sent as [Notification, Notification, Notification];
    expect(fired.subject).toBe('[FIRING] TenantReconciliationErrors 30% on prod-eks-1');
    expect(repeated.subject).toBe(fired.subject);
    expect(resolved.subject).toBe('[RESOLVED] TenantReconciliationErrors 1% on prod-eks-1');
    expect(resolved.body).toContain(`This ends the firing that began ${at(15).toISOString()}`);
    const runs = await store.listRuns('prod-eks-1', 100);
    expect(runs).toHaveLength(64);
    expect(runs[0]?.at).toBe(at(315).toISOString()); // newest first
  });

  it('a retried invocation of the same slot never sends a second message', async () => {
    const store = await fresh();
    const notifier = new MemoryNotifier();
    await cycleAt(store, notifier, 10, incident);
    const first = await cycleAt(store, notifier, 15, incident);
    const retry = await cycleAt(store, notifier, 15, incident);
    expect(first.notification).toMatchObject({ kind: 'firing', status: 'sent' });
    expect(retry.notification).toBeNull();
    expect(notifier.sent).toHaveLength(1);
  });

  it('a failed publish fails the invocation; its retry delivers the message, once', async () => {
    const store = await fresh();
    let failures = 1;
    const delivered: Notification[] = [];
    const flaky: Notifier = {
      async publish(n) {
        if (failures-- > 0) throw new Error('Throttling: Rate exceeded');
        delivered.push(n);
        return { messageId: `m-${delivered.length}` };
      },
    };
    await cycleAt(store, flaky, 10, incident);
    await expect(cycleAt(store, flaky, 15, incident)).rejects.toThrow(NotifyError);
    const retry = await cycleAt(store, flaky, 15, incident);
    expect(retry.notification).toMatchObject({ kind: 'firing', status: 'sent' });
    const later = await cycleAt(store, flaky, 20, incident);
    expect(later.notification).toBeNull();
    expect(delivered.map((n) => n.kind)).toEqual(['firing']);
    // The run of the failed attempt was stored all the same: nothing is lost.
    expect(
      (await store.listRuns('prod-eks-1', 10)).filter((r) => r.slot === at(15).toISOString()),
    ).toHaveLength(2);
  });

  it('two invocations at once for one slot send one message', async () => {
    const store = await fresh();
    const notifier = new MemoryNotifier();
    await cycleAt(store, notifier, 10, incident);
    const both = await Promise.all([
      cycleAt(store, notifier, 15, incident),
      cycleAt(store, notifier, 15, incident),
    ]);
    expect(notifier.sent).toHaveLength(1);
    const outcomes = both.map((r) => r.notification?.status ?? 'none').sort();
    expect(outcomes).toContain('sent');
  });

  it('an API server outage pages "checker blind" on the third cycle', async () => {
    const store = await fresh();
    const notifier = new MemoryNotifier();
    for (const minute of [0, 5, 10]) {
      await runCycle(
        {
          collector: collectorFor(
            config,
            cluster,
            new KubeconfigConnector({ path: '/nonexistent/kubeconfig' }),
            () => scripted(() => ({ errorRate: unknown, sustained: false })),
          ),
          store,
          bundles: new FileBundleStore(scratchDir('bundles-')),
          notifier,
        },
        { config, cluster: cluster.name, budgetMs: 5000, at: at(minute), slot: at(minute).toISOString() },
      );
    }
    expect(notifier.sent.map((n) => n.subject)).toEqual([
      '[CHECKER BLIND] TenantReconciliationErrors error rate unknown on prod-eks-1',
    ]);
    expect(notifier.sent[0]?.body).toContain('could not evaluate the error rate for 3 cycles in a row');
    // Every cycle left its record, though no source of the cluster could be read.
    const runs = await store.listRuns('prod-eks-1', 10);
    expect(runs).toHaveLength(3);
    const { metrics: _metrics, ...clusterSources } = runs[0]?.sources ?? {};
    expect(new Set(Object.values(clusterSources))).toEqual(new Set(['unauthorized']));
  });
});
