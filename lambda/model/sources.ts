/**
 * The sources one collection reads, in the runbook's order: the one list from which the collector,
 * the snapshot of an unreachable cluster and the per-source states are made. Adding a source is a
 * line here, its field in the snapshot and its collector.
 */
import type { ClusterSnapshot } from './snapshot.js';
import type { SourceResult } from './source.js';

/** The sources read from the cluster, with the words a reader sees for each. */
export const CLUSTER_SOURCES = {
  operatorPods: 'operator pods',
  podMetrics: 'pod metrics',
  operatorLogs: 'operator logs',
  operatorDeployment: 'operator deployment',
  apiServerHealth: 'API server health',
  apiServerMetrics: 'API server metrics',
  tenants: 'tenants',
  registries: 'registries',
  templates: 'templates',
  rbacChecks: 'RBAC checks',
  nodes: 'nodes',
  resourceQuotas: 'resource quotas',
  networkPolicies: 'network policies',
  events: 'events',
  kubeSystem: 'kube-system (DNS, CNI)',
} as const satisfies Partial<Record<keyof ClusterSnapshot, string>>;

export type ClusterSourceName = keyof typeof CLUSTER_SOURCES;
export const CLUSTER_SOURCE_NAMES = Object.keys(CLUSTER_SOURCES) as ClusterSourceName[];

/** Every source of a snapshot: the cluster's, and the metrics. */
export type SourceName = ClusterSourceName | 'metrics';
export const SOURCE_NAMES: SourceName[] = [...CLUSTER_SOURCE_NAMES, 'metrics'];

/** Each source's state in one word: `ok` or the error kind. */
export function sourceStates(snapshot: Pick<ClusterSnapshot, SourceName>): Record<SourceName, string> {
  const states = {} as Record<SourceName, string>;
  for (const name of SOURCE_NAMES) {
    const result = snapshot[name] as SourceResult<unknown>;
    states[name] = result.ok ? 'ok' : result.error.kind;
  }
  return states;
}
