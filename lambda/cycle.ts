/**
 * One check cycle, the arrow of the design and nothing else:
 *   config ─► collect ─► ClusterSnapshot ─► checks ─► verdict ─► alert transition ─► sinks
 * This version runs the first two: it connects and collects every source of the runbook. The
 * checks, the verdict, the alert and the sinks arrive with the diagnosis and escalation work; until
 * then the cycle reports what it read and concludes nothing.
 */
import { Budget } from './collect/cluster-reader.js';
import { collectCluster, unreachableSnapshot } from './collect/collect-cluster.js';
import type { ClusterConnector } from './collect/connectors.js';
import type { ClusterSnapshot } from './collect/snapshot.js';
import type { CheckerConfig, ClusterConfig } from './config.js';

export interface CyclePorts {
  connector: ClusterConnector;
}

export interface CycleInput {
  config: CheckerConfig;
  cluster: ClusterConfig;
  /** Milliseconds the collection may take (the invocation's remaining time less what storing needs). */
  budgetMs: number;
}

export interface CycleResult {
  snapshot: ClusterSnapshot;
}

export async function runCycle(ports: CyclePorts, input: CycleInput): Promise<CycleResult> {
  const { config, cluster, budgetMs } = input;
  const budget = Budget.forMs(budgetMs);
  const started = Date.now();
  const connection = await ports.connector.connect(cluster, budget);
  if (!connection.ok) {
    const snapshot = unreachableSnapshot({
      cluster: cluster.name,
      server: '',
      operator: config.operator,
      logTailLines: config.collection.logTailLines,
      budgetMs,
      error: connection.error,
      elapsedMs: Date.now() - started,
    });
    return { snapshot };
  }
  const reader = connection.data;
  try {
    const snapshot = await collectCluster({
      cluster: cluster.name,
      reader,
      operator: config.operator,
      logTailLines: config.collection.logTailLines,
      budgetMs,
    });
    return { snapshot };
  } finally {
    reader.close();
  }
}
