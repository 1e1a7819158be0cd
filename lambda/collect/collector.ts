/**
 * The collection port: everything the cycle needs to know of a cluster at an instant, read at once
 * inside a time budget. Connecting, the cluster's sources, the metrics, and closing are all here;
 * a failure anywhere is a failed source in the snapshot, never an exception.
 */
import type { MetricsState } from '../model/metrics.js';
import type { OperatorNames } from '../model/operator.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import { failed } from '../model/source.js';
import { Budget, type ClusterReader } from './cluster-reader.js';
import { collectCluster, unreachableSnapshot } from './collect-cluster.js';
import type { ClusterConnector } from './connectors.js';
import type { MetricsSource } from './metrics/source.js';

export interface CollectRequest {
  /** The instant the metrics are evaluated at. */
  at: Date;
  /** Milliseconds the collection may take. */
  budgetMs: number;
  /** What the metrics source kept from the previous cycle (the scrape's last sample). */
  previousMetrics?: MetricsState;
}

export interface Collected {
  snapshot: ClusterSnapshot;
  /** What to keep for the next cycle's metrics. */
  metricsState?: MetricsState;
}

export interface SnapshotCollector {
  collect(request: CollectRequest): Promise<Collected>;
}

export interface ClusterCollectorOptions {
  cluster: string;
  operator: OperatorNames;
  logTailLines: number;
  connector: ClusterConnector;
  /** The metrics source, on the collection's reader (absent when the cluster could not be reached). */
  metrics: (reader: ClusterReader | undefined) => MetricsSource;
}

/** The collector of one cluster: connect, read every source and the metrics at once, close. */
export function clusterCollector(options: ClusterCollectorOptions): SnapshotCollector {
  return {
    async collect({ at, budgetMs, previousMetrics }) {
      const started = Date.now();
      const connection = await options.connector.connect(Budget.forMs(budgetMs));
      const reader = connection.ok ? connection.data : undefined;
      try {
        const metrics = options
          .metrics(reader)
          .evaluate(at, previousMetrics)
          .catch((error: Error) => ({
            result: failed<never>({ kind: 'bad-response', message: `metrics: ${error.message}` }, 0),
            state: undefined,
          }));
        const cluster = reader
          ? collectCluster({
              cluster: options.cluster,
              reader,
              operator: options.operator,
              logTailLines: options.logTailLines,
              budgetMs,
            })
          : Promise.resolve(
              unreachableSnapshot({
                cluster: options.cluster,
                server: options.connector.server ?? '',
                operator: options.operator,
                budgetMs,
                error: connection.ok ? { kind: 'unreachable', message: 'not connected' } : connection.error,
                elapsedMs: Date.now() - started,
              }),
            );
        const [state, evaluated] = await Promise.all([cluster, metrics]);
        return {
          snapshot: { ...state, metrics: evaluated.result },
          ...(evaluated.state ? { metricsState: evaluated.state } : {}),
        };
      } finally {
        reader?.close();
      }
    },
  };
}
