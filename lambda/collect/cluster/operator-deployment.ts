/** The operator's deployment: replicas, the flags it really runs with, resources, and its rollouts. */

import type { OperatorDeployment, ReplicaSetRevision } from '../../model/snapshot.js';
import { type SourceResult, succeeded } from '../../model/source.js';
import type { CollectContext } from '../context.js';
import { listAll } from '../paging.js';
import { parseResources } from '../quantity.js';

interface RawContainer {
  name?: string;
  image?: string;
  args?: string[];
  command?: string[];
  env?: { name?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}

interface RawDeployment {
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string> };
    template?: { spec?: { containers?: RawContainer[] } };
  };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
  };
}

interface RawReplicaSet {
  metadata?: {
    name?: string;
    creationTimestamp?: string;
    annotations?: Record<string, string>;
    ownerReferences?: { kind?: string; name?: string }[];
  };
  spec?: { template?: { spec?: { containers?: RawContainer[] } } };
  status?: { replicas?: number; readyReplicas?: number };
}

/** `--tenant-concurrency=10` and `--leader-elect` as a map, as the operator's flag parser reads them. */
export function parseFlags(args: string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const m = /^--?([A-Za-z0-9][A-Za-z0-9._-]*)(?:=(.*))?$/.exec(arg);
    if (!m) continue;
    const name = m[1] as string;
    if (m[2] !== undefined) flags[name] = m[2];
    else if (i + 1 < args.length && !(args[i + 1] as string).startsWith('-'))
      flags[name] = args[++i] as string;
    else flags[name] = 'true';
  }
  return flags;
}

const number = (text: string | undefined) =>
  text !== undefined && Number.isFinite(Number(text)) ? Number(text) : undefined;

export async function collectOperatorDeployment({
  reader,
  operator,
}: CollectContext): Promise<SourceResult<OperatorDeployment>> {
  const result = await reader.getJson<RawDeployment>(
    `/apis/apps/v1/namespaces/${operator.namespace}/deployments/${operator.deployment}`,
  );
  if (!result.ok) return result;
  const raw = result.data;
  const containers = raw.spec?.template?.spec?.containers ?? [];
  const container = containers.find((c) => c.name === operator.container) ?? containers[0];
  const args = [...(container?.command ?? []).slice(1), ...(container?.args ?? [])];
  const flags = parseFlags(args);
  const selector = Object.entries(raw.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const replicaSets = await listAll<RawReplicaSet, ReplicaSetRevision>(
    reader,
    `/apis/apps/v1/namespaces/${operator.namespace}/replicasets`,
    (rs) => {
      if (
        !rs.metadata?.ownerReferences?.some((o) => o.kind === 'Deployment' && o.name === operator.deployment)
      )
        return undefined;
      const revision = number(rs.metadata.annotations?.['deployment.kubernetes.io/revision']);
      const image = rs.spec?.template?.spec?.containers?.find((c) => c.name === operator.container)?.image;
      return {
        name: rs.metadata.name ?? '',
        ...(revision !== undefined ? { revision } : {}),
        ...(rs.metadata.creationTimestamp ? { createdAt: rs.metadata.creationTimestamp } : {}),
        replicas: rs.status?.replicas ?? 0,
        readyReplicas: rs.status?.readyReplicas ?? 0,
        ...(image ? { image } : {}),
      };
    },
    { ...(selector ? { labelSelector: selector } : {}), maxPages: 4 },
  );
  const revisions = replicaSets.ok
    ? replicaSets.data.items.sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))
    : [];
  const lastRolloutAt = revisions
    .map((r) => r.createdAt)
    .filter((t): t is string => !!t)
    .sort()
    .at(-1);
  const concurrency: OperatorDeployment['concurrency'] = {};
  const kubeApi: OperatorDeployment['kubeApi'] = {};
  const set = <T extends object>(target: T, key: keyof T, value: number | undefined) => {
    if (value !== undefined) (target as Record<keyof T, number>)[key] = value;
  };
  set(concurrency, 'tenant', number(flags['tenant-concurrency']));
  set(concurrency, 'registry', number(flags['registry-concurrency']));
  set(concurrency, 'template', number(flags['template-concurrency']));
  set(kubeApi, 'qps', number(flags['kube-api-qps']));
  set(kubeApi, 'burst', number(flags['kube-api-burst']));
  const deployment: OperatorDeployment = {
    name: operator.deployment,
    replicas: {
      desired: raw.spec?.replicas ?? 1,
      ready: raw.status?.readyReplicas ?? 0,
      available: raw.status?.availableReplicas ?? 0,
      updated: raw.status?.updatedReplicas ?? 0,
    },
    args,
    flags,
    concurrency,
    kubeApi,
    envNames: (container?.env ?? []).map((e) => e.name ?? '').filter(Boolean),
    requests: parseResources(container?.resources?.requests),
    limits: parseResources(container?.resources?.limits),
    conditions: (raw.status?.conditions ?? []).map((c) => ({
      type: c.type ?? '',
      status: c.status ?? '',
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    })),
    replicaSets: revisions,
    ...(lastRolloutAt ? { lastRolloutAt } : {}),
    ...(container?.image ? { image: container.image } : {}),
  };
  return succeeded(deployment, result.elapsedMs + replicaSets.elapsedMs);
}
