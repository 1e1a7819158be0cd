/** Diagnosis step 3: the operator's pods, their containers' state, restarts and resources; `kubectl top`. */

import type { ContainerState, ContainerUsage, OperatorPod, OperatorPods } from '../../model/snapshot.js';
import { failed, type SourceResult, succeeded } from '../../model/source.js';
import { RUNBOOK_POD_SELECTOR } from '../../presets.js';
import type { CollectContext } from '../context.js';
import { listAll } from '../paging.js';
import { parseResources } from '../quantity.js';

interface RawContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: {
    reason?: string;
    message?: string;
    exitCode?: number;
    startedAt?: string;
    finishedAt?: string;
  };
}

interface RawPod {
  metadata?: {
    name?: string;
    creationTimestamp?: string;
    ownerReferences?: { kind?: string; name?: string }[];
  };
  spec?: {
    nodeName?: string;
    containers?: {
      name?: string;
      resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    }[];
  };
  status?: {
    phase?: string;
    startTime?: string;
    conditions?: { type?: string; status?: string }[];
    containerStatuses?: {
      name?: string;
      ready?: boolean;
      restartCount?: number;
      state?: RawContainerState;
      lastState?: RawContainerState;
    }[];
  };
}

function containerState(raw: RawContainerState | undefined): ContainerState | undefined {
  if (raw?.running)
    return { state: 'running', ...(raw.running.startedAt ? { startedAt: raw.running.startedAt } : {}) };
  if (raw?.waiting) return { state: 'waiting', ...pick(raw.waiting, ['reason', 'message']) };
  if (raw?.terminated)
    return {
      state: 'terminated',
      ...pick(raw.terminated, ['reason', 'message', 'exitCode', 'startedAt', 'finishedAt']),
    };
  return undefined;
}

function pick<T extends object, K extends keyof T>(object: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (object[key] !== undefined && object[key] !== '') out[key] = object[key];
  return out;
}

export function readPod(raw: RawPod): OperatorPod | undefined {
  const name = raw.metadata?.name;
  if (!name) return undefined;
  const specs = new Map((raw.spec?.containers ?? []).map((c) => [c.name, c.resources]));
  const statuses = raw.status?.containerStatuses ?? [];
  const names = statuses.length > 0 ? statuses.map((s) => s.name) : [...specs.keys()];
  const pod: OperatorPod = {
    name,
    phase: raw.status?.phase ?? 'Unknown',
    ready: raw.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    containers: names.map((containerName) => {
      const status = statuses.find((s) => s.name === containerName);
      const spec = specs.get(containerName);
      const last = containerState(status?.lastState);
      return {
        name: containerName ?? '',
        ready: status?.ready ?? false,
        restartCount: status?.restartCount ?? 0,
        current: containerState(status?.state) ?? { state: 'unknown' },
        ...(last ? { last } : {}),
        requests: parseResources(spec?.requests),
        limits: parseResources(spec?.limits),
      };
    }),
  };
  const replicaSet = raw.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name;
  if (raw.spec?.nodeName) pod.nodeName = raw.spec.nodeName;
  if (raw.status?.startTime) pod.startTime = raw.status.startTime;
  if (raw.metadata?.creationTimestamp) pod.createdAt = raw.metadata.creationTimestamp;
  if (replicaSet) pod.replicaSet = replicaSet;
  return pod;
}

export async function collectOperatorPods({
  reader,
  operator,
}: CollectContext): Promise<SourceResult<OperatorPods>> {
  const path = `/api/v1/namespaces/${operator.namespace}/pods`;
  const [pods, runbook] = await Promise.all([
    listAll(reader, path, readPod, { labelSelector: operator.podSelector, maxPages: 10 }),
    reader.getJson<{ items?: unknown[]; metadata?: { remainingItemCount?: number } }>(path, {
      query: { labelSelector: RUNBOOK_POD_SELECTOR, limit: 1 },
    }),
  ]);
  if (!pods.ok) return failed(pods.error, pods.elapsedMs);
  const runbookSelector = runbook.ok
    ? {
        selector: RUNBOOK_POD_SELECTOR,
        matched: (runbook.data.items?.length ?? 0) + (runbook.data.metadata?.remainingItemCount ?? 0),
      }
    : { selector: RUNBOOK_POD_SELECTOR, error: runbook.error.message };
  return succeeded(
    { selector: operator.podSelector, pods: pods.data.items, runbookSelector },
    pods.elapsedMs,
  );
}

interface RawPodMetrics {
  metadata?: { name?: string };
  containers?: { name?: string; usage?: Record<string, string> }[];
}

/** `kubectl top pods`: usage from metrics.k8s.io, when metrics-server serves it. */
export async function collectPodMetrics({
  reader,
  operator,
}: CollectContext): Promise<SourceResult<ContainerUsage[]>> {
  const result = await reader.getJson<{ items?: RawPodMetrics[] }>(
    `/apis/metrics.k8s.io/v1beta1/namespaces/${operator.namespace}/pods`,
    { query: { labelSelector: operator.podSelector } },
  );
  if (!result.ok) {
    if (result.error.status === 404) {
      return failed(
        { ...result.error, message: 'metrics.k8s.io is not served (is metrics-server installed?)' },
        result.elapsedMs,
      );
    }
    return result;
  }
  const usage = (result.data.items ?? []).flatMap((item) =>
    (item.containers ?? []).map((c) => ({
      pod: item.metadata?.name ?? '',
      container: c.name ?? '',
      usage: parseResources(c.usage),
    })),
  );
  return succeeded(usage, result.elapsedMs);
}
