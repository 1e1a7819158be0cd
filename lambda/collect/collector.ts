/**
 * The collection port: everything the cycle needs to know of a cluster at an instant, read at once
 * inside a time budget. Connecting, the cluster's sources, the metrics, and closing are all here;
 * a failure anywhere is a failed source in the snapshot, never an exception.
 */

import { notEvaluated } from '../alert/rules/capability.js';
import type { PreviousRuleState, RuleEvaluation } from '../alert/rules/evaluate.js';
import { evaluateRules } from '../alert/rules/evaluate-all.js';
import type { AlertingRule } from '../alert/rules/types.js';
import type { MetricsState } from '../model/metrics.js';
import type { OperatorNames } from '../model/operator.js';
import type { ClusterSnapshot, EndpointAccess } from '../model/snapshot.js';
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
  /** The alerting rules to evaluate at `at`, with each rule's alerts as the previous cycle left them. */
  rules?: { rules: AlertingRule[]; previous: Record<string, PreviousRuleState> };
}

export interface Collected {
  snapshot: ClusterSnapshot;
  /** What to keep for the next cycle's metrics. */
  metricsState?: MetricsState;
  /** The rules' evaluations (unknown, with the reason, where the metrics source cannot evaluate them). */
  rules?: { evaluations: RuleEvaluation[]; notices: string[] };
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
  /** Where the checker runs (config `vpc`), recorded beside the endpoint's settings; absent: no VPC. */
  placement?: EndpointAccess['checker'];
}

/** The collector of one cluster: connect, read every source and the metrics at once, close. */
export function clusterCollector(options: ClusterCollectorOptions): SnapshotCollector {
  return {
    async collect({ at, budgetMs, previousMetrics, rules }) {
      const started = Date.now();
      const connection = await options.connector.connect(Budget.forMs(budgetMs));
      const reader = connection.ok ? connection.data : undefined;
      try {
        const source = options.metrics(reader);
        const evaluated = rules?.rules.length
          ? evaluateRules(rules.rules, {
              at,
              source: source.kind,
              ...(source.rangeQuery ? { rangeQuery: source.rangeQuery } : {}),
              previous: rules.previous,
            }).catch((error: Error) => ({
              evaluations: rules.rules.map((r) => notEvaluated(r, at, `rule "${r.name}": ${error.message}`)),
              notices: [],
            }))
          : Promise.resolve(undefined);
        const metrics = source.evaluate(at, previousMetrics).catch((error: Error) => ({
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
        const [state, measured, ruled] = await Promise.all([cluster, metrics, evaluated]);
        const access = options.connector.endpointAccess?.();
        const endpoint: EndpointAccess | undefined = access
          ? { ...access, ...(options.placement ? { checker: options.placement } : {}) }
          : undefined;
        return {
          snapshot: { ...state, metrics: measured.result, ...(endpoint ? { endpoint } : {}) },
          ...(measured.state ? { metricsState: measured.state } : {}),
          ...(ruled ? { rules: ruled } : {}),
        };
      } finally {
        reader?.close();
      }
    },
  };
}
