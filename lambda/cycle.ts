/**
 * One check cycle, the arrow of the design and nothing else:
 *   config ─► collect ─► ClusterSnapshot ─► checks ─► verdict ─► alert transition ─► sinks
 * This version runs the collection: it connects, reads every source of the runbook and evaluates the
 * metrics, all at once. The checks, the verdict, the alert and the sinks arrive with the diagnosis
 * and escalation work; until then the cycle reports what it read and concludes nothing.
 */
import { Budget, type ClusterReader } from './collect/cluster-reader.js';
import { collectCluster, unreachableSnapshot } from './collect/collect-cluster.js';
import type { ClusterConnector } from './collect/connectors.js';
import type { MetricsSource, MetricsState } from './collect/metrics/source.js';
import { failed } from './collect/result.js';
import type { ClusterSnapshot } from './collect/snapshot.js';
import type { CheckerConfig, ClusterConfig } from './config.js';

export interface CyclePorts {
  connector: ClusterConnector;
  /** The metrics source for the cluster, on the cycle's reader (absent when the cluster is unreachable). */
  metrics: (reader: ClusterReader | undefined) => MetricsSource;
}

export interface CycleInput {
  config: CheckerConfig;
  cluster: ClusterConfig;
  /** Milliseconds the collection may take (the invocation's remaining time less what storing needs). */
  budgetMs: number;
  /** The instant to evaluate the metrics at: now, or a past incident's time. */
  at?: Date;
  /** What the metrics source kept from the previous cycle (the scrape's last sample). */
  previousMetrics?: MetricsState;
}

export interface CycleResult {
  snapshot: ClusterSnapshot;
  /** To keep for the next cycle. */
  metricsState?: MetricsState;
}

export async function runCycle(ports: CyclePorts, input: CycleInput): Promise<CycleResult> {
  const { config, cluster, budgetMs } = input;
  const at = input.at ?? new Date();
  const budget = Budget.forMs(budgetMs);
  const started = Date.now();
  const connection = await ports.connector.connect(cluster, budget);
  const reader = connection.ok ? connection.data : undefined;
  try {
    const metrics = ports
      .metrics(reader)
      .evaluate(at, input.previousMetrics)
      .catch((error: Error) => ({
        result: failed<never>({ kind: 'bad-response', message: `metrics: ${error.message}` }, 0),
        state: undefined,
      }));
    const state = reader
      ? collectCluster({
          cluster: cluster.name,
          reader,
          operator: config.operator,
          logTailLines: config.collection.logTailLines,
          budgetMs,
        })
      : Promise.resolve(
          unreachableSnapshot({
            cluster: cluster.name,
            server: '',
            operator: config.operator,
            logTailLines: config.collection.logTailLines,
            budgetMs,
            error: connection.ok ? { kind: 'unreachable', message: 'not connected' } : connection.error,
            elapsedMs: Date.now() - started,
          }),
        );
    const [collected, evaluated] = await Promise.all([state, metrics]);
    return {
      snapshot: { ...collected, metrics: evaluated.result },
      ...(evaluated.state ? { metricsState: evaluated.state } : {}),
    };
  } finally {
    reader?.close();
  }
}
