/**
 * One collection: every source at once, each with its own timeout, inside the invocation's budget.
 * Only the logs wait, for the pod list that names them. A collector that throws (a bug, not a
 * cluster fault) becomes a failed source too, so the cycle always gets a whole snapshot.
 */
import type { OperatorNames } from '../presets.js';
import { collectApiServerHealth, collectApiServerMetrics } from './cluster/api-server.js';
import { collectEvents } from './cluster/events.js';
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
import { failed, type SourceError, type SourceResult } from './result.js';
import type { ClusterSnapshot } from './snapshot.js';
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

export type ClusterState = Omit<ClusterSnapshot, 'metrics'>;

export async function collectCluster(options: CollectOptions): Promise<ClusterState> {
  const started = Date.now();
  const ctx: CollectContext = {
    reader: options.reader,
    operator: options.operator,
    logTailLines: options.logTailLines,
    ...(options.logLimitBytes ? { logLimitBytes: options.logLimitBytes } : {}),
  };
  // Every source starts now; awaiting them one by one below costs nothing (guard never rejects).
  const operatorPods = guard('operator pods', () => collectOperatorPods(ctx));
  const operatorLogs = operatorPods.then((pods) =>
    guard('operator logs', () => collectOperatorLogs(ctx, pods)),
  );
  const podMetrics = guard('pod metrics', () => collectPodMetrics(ctx));
  const operatorDeployment = guard('operator deployment', () => collectOperatorDeployment(ctx));
  const apiServerHealth = guard('API server health', () => collectApiServerHealth(ctx));
  const apiServerMetrics = guard('API server metrics', () => collectApiServerMetrics(ctx));
  const tenants = guard('tenants', () => collectTenants(ctx));
  const registries = guard('registries', () => collectRegistries(ctx));
  const templates = guard('templates', () => collectTemplates(ctx));
  const rbacChecks = guard('RBAC checks', () => collectRbacChecks(ctx));
  const nodes = guard('nodes', () => collectNodes(ctx));
  const resourceQuotas = guard('resource quotas', () => collectResourceQuotas(ctx));
  const networkPolicies = guard('network policies', () => collectNetworkPolicies(ctx));
  const events = guard('events', () => collectEvents(ctx));
  const snapshot: Omit<ClusterState, 'elapsedMs'> = {
    cluster: options.cluster,
    server: options.reader.server,
    collectedAt: new Date(started).toISOString(),
    operator: options.operator,
    budgetMs: options.budgetMs,
    operatorPods: await operatorPods,
    podMetrics: await podMetrics,
    operatorLogs: await operatorLogs,
    operatorDeployment: await operatorDeployment,
    apiServerHealth: await apiServerHealth,
    apiServerMetrics: await apiServerMetrics,
    tenants: await tenants,
    registries: await registries,
    templates: await templates,
    rbacChecks: await rbacChecks,
    nodes: await nodes,
    resourceQuotas: await resourceQuotas,
    networkPolicies: await networkPolicies,
    events: await events,
  };
  // The server as it ended: a cluster described again during the collection has a new endpoint.
  return { ...snapshot, server: options.reader.server, elapsedMs: Date.now() - started };
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
    operatorPods: failure,
    podMetrics: failure,
    operatorLogs: failure,
    operatorDeployment: failure,
    apiServerHealth: failure,
    apiServerMetrics: failure,
    tenants: failure,
    registries: failure,
    templates: failure,
    rbacChecks: failure,
    nodes: failure,
    resourceQuotas: failure,
    networkPolicies: failure,
    events: failure,
  };
}

/** Each source's state in one line per source: `ok` or the error kind. */
export function sourceStates(snapshot: ClusterState | ClusterSnapshot): Record<string, string> {
  const states: Record<string, string> = {};
  for (const [name, value] of Object.entries(snapshot)) {
    if (value && typeof value === 'object' && 'ok' in value) {
      const result = value as SourceResult<unknown>;
      states[name] = result.ok ? 'ok' : result.error.kind;
    }
  }
  return states;
}
