/**
 * One collection: every source at once, each with its own timeout, inside the invocation's budget.
 * Only the logs wait, for the pod list that names them. A collector that throws (a bug, not a
 * cluster fault) becomes a failed source too, so the cycle always gets a whole snapshot.
 */
import type { OperatorNames } from '../model/operator.js';
import type { ClusterSnapshot, OperatorPods } from '../model/snapshot.js';
import { failed, type SourceError, type SourceResult } from '../model/source.js';
import { CLUSTER_SOURCE_NAMES, CLUSTER_SOURCES, type ClusterSourceName } from '../model/sources.js';
import { collectApiServerHealth, collectApiServerMetrics } from './cluster/api-server.js';
import { collectEvents } from './cluster/events.js';
import { collectKubeSystem } from './cluster/kube-system.js';
import { collectNetworkPolicies } from './cluster/network-policies.js';
import { collectNodes } from './cluster/nodes.js';
import { collectOperatorDeployment } from './cluster/operator-deployment.js';
import { collectOperatorLogs } from './cluster/operator-logs.js';
import { collectOperatorPods, collectPodMetrics } from './cluster/operator-pods.js';
import { collectRbacChecks } from './cluster/rbac-checks.js';
import { collectResourceQuotas } from './cluster/resource-quotas.js';
import { collectRegistries, collectTemplates, collectTenants } from './cluster/tenants.js';
import type { ClusterReader } from './cluster-reader.js';
import type { CollectContext } from './context.js';
import { withSourceLog } from './source-log.js';

export interface CollectOptions {
  cluster: string;
  reader: ClusterReader;
  operator: OperatorNames;
  logTailLines: number;
  /** Bytes of one log stream kept at most (the newest); the default is LOG_LIMIT_BYTES. */
  logLimitBytes?: number;
  budgetMs: number;
}

export type ClusterState = Omit<ClusterSnapshot, 'metrics'>;

type Collector<K extends ClusterSourceName> = (
  ctx: CollectContext,
  pods: Promise<SourceResult<OperatorPods>>,
) => Promise<ClusterSnapshot[K]>;

/** The collector of each source: adding a source is a line in model/sources.ts and one here. */
const COLLECTORS: { [K in ClusterSourceName]: Collector<K> } = {
  operatorPods: (_ctx, pods) => pods,
  podMetrics: (ctx) => collectPodMetrics(ctx),
  operatorLogs: async (ctx, pods) => collectOperatorLogs(ctx, await pods),
  operatorDeployment: (ctx) => collectOperatorDeployment(ctx),
  apiServerHealth: (ctx) => collectApiServerHealth(ctx),
  apiServerMetrics: (ctx) => collectApiServerMetrics(ctx),
  tenants: (ctx) => collectTenants(ctx),
  registries: (ctx) => collectRegistries(ctx),
  templates: (ctx) => collectTemplates(ctx),
  rbacChecks: (ctx) => collectRbacChecks(ctx),
  nodes: (ctx) => collectNodes(ctx),
  resourceQuotas: (ctx) => collectResourceQuotas(ctx),
  networkPolicies: (ctx) => collectNetworkPolicies(ctx),
  events: (ctx) => collectEvents(ctx),
  kubeSystem: (ctx) => collectKubeSystem(ctx),
};

async function guard<T>(name: string, run: () => Promise<SourceResult<T>>): Promise<SourceResult<T>> {
  const started = Date.now();
  try {
    // What the source's reads went through (retries, a restarted list) goes on its record.
    return await withSourceLog(run);
  } catch (error) {
    return failed(
      { kind: 'bad-response', message: `${name}: could not be read: ${(error as Error).message}` },
      Date.now() - started,
    );
  }
}

export async function collectCluster(options: CollectOptions): Promise<ClusterState> {
  const started = Date.now();
  const ctx: CollectContext = {
    reader: options.reader,
    operator: options.operator,
    logTailLines: options.logTailLines,
    ...(options.logLimitBytes ? { logLimitBytes: options.logLimitBytes } : {}),
  };
  // Every source starts now (the logs once the pods are listed); guard never rejects.
  const pods = guard(CLUSTER_SOURCES.operatorPods, () => collectOperatorPods(ctx));
  const running = CLUSTER_SOURCE_NAMES.map(
    (name) =>
      [
        name,
        guard(CLUSTER_SOURCES[name], () => COLLECTORS[name](ctx, pods) as Promise<SourceResult<unknown>>),
      ] as const,
  );
  const sources: Record<string, SourceResult<unknown>> = {};
  for (const [name, result] of running) sources[name] = await result;
  // The server as it ended: a cluster described again during the collection has a new endpoint.
  return {
    cluster: options.cluster,
    server: options.reader.server,
    collectedAt: new Date(started).toISOString(),
    operator: options.operator,
    budgetMs: options.budgetMs,
    ...(sources as Pick<ClusterState, ClusterSourceName>),
    elapsedMs: Date.now() - started,
  };
}

/** The snapshot of a cluster that could not be reached at all: every source carries the same failure. */
export function unreachableSnapshot(
  options: Pick<CollectOptions, 'cluster' | 'operator' | 'budgetMs'> & {
    server: string;
    error: SourceError;
    elapsedMs: number;
  },
): ClusterState {
  const failure = failed<never>({ ...options.error }, options.elapsedMs);
  return {
    cluster: options.cluster,
    server: options.server,
    collectedAt: new Date().toISOString(),
    operator: options.operator,
    elapsedMs: options.elapsedMs,
    budgetMs: options.budgetMs,
    ...(Object.fromEntries(CLUSTER_SOURCE_NAMES.map((name) => [name, failure])) as Pick<
      ClusterState,
      ClusterSourceName
    >),
  };
}
