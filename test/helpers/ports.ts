/** The cycle's collector for tests that pick their own connector and metrics source. */
import type { ClusterReader } from '../../lambda/collect/cluster-reader.js';
import { clusterCollector, type SnapshotCollector } from '../../lambda/collect/collector.js';
import type { ClusterConnector } from '../../lambda/collect/connectors.js';
import type { MetricsSource } from '../../lambda/collect/metrics/source.js';
import type { CheckerConfig, ClusterConfig } from '../../lambda/config.js';

export function collectorFor(
  config: CheckerConfig,
  cluster: ClusterConfig,
  connector: ClusterConnector,
  metrics: (reader: ClusterReader | undefined) => MetricsSource,
): SnapshotCollector {
  return clusterCollector({
    cluster: cluster.name,
    operator: config.operator,
    logTailLines: config.collection.logTailLines,
    connector,
    metrics,
  });
}
