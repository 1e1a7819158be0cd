/**
 * Cluster capacity: nodes (conditions, pressure, allocatable), what the running pods request of each
 * (kubectl describe nodes' "Allocated resources") and, from metrics.k8s.io, what they use
 * (kubectl top nodes). The time the node list took is the runbook's `time kubectl get nodes`.
 */

import type { NodeStatus, NodeSummary } from '../../model/snapshot.js';
import { type SourceResult, succeeded } from '../../model/source.js';
import type { CollectContext } from '../context.js';
import { listAll } from '../paging.js';
import { parseQuantity, parseResources } from '../quantity.js';

interface RawNode {
  metadata?: { name?: string };
  spec?: { unschedulable?: boolean };
  status?: {
    allocatable?: Record<string, string>;
    conditions?: { type?: string; status?: string }[];
    nodeInfo?: { kubeletVersion?: string };
  };
}

interface RawPod {
  spec?: { nodeName?: string; containers?: { resources?: { requests?: Record<string, string> } }[] };
}

const PRESSURES = ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'NetworkUnavailable'];

export async function collectNodes({ reader }: CollectContext): Promise<SourceResult<NodeSummary>> {
  const nodes = await listAll<RawNode, NodeStatus>(reader, '/api/v1/nodes', (n) => {
    const conditions = n.status?.conditions ?? [];
    const allocatable: NodeStatus['allocatable'] = parseResources(n.status?.allocatable);
    const pods = parseQuantity(n.status?.allocatable?.pods);
    if (pods !== undefined) allocatable.pods = pods;
    return {
      name: n.metadata?.name ?? '',
      ready: conditions.find((c) => c.type === 'Ready')?.status ?? 'Unknown',
      pressures: conditions
        .filter((c) => PRESSURES.includes(c.type ?? '') && c.status === 'True')
        .map((c) => c.type ?? ''),
      unschedulable: n.spec?.unschedulable === true,
      allocatable,
      requested: { cpu: 0, memory: 0, pods: 0 },
      ...(n.status?.nodeInfo?.kubeletVersion ? { kubeletVersion: n.status.nodeInfo.kubeletVersion } : {}),
    };
  });
  if (!nodes.ok) return nodes;
  const byName = new Map(nodes.data.items.map((n) => [n.name, n]));
  const [pods, usage] = await Promise.all([
    listAll<RawPod, true>(
      reader,
      '/api/v1/pods',
      (pod) => {
        const node = byName.get(pod.spec?.nodeName ?? '');
        if (!node) return undefined;
        node.requested.pods++;
        for (const container of pod.spec?.containers ?? []) {
          node.requested.cpu =
            (node.requested.cpu ?? 0) + (parseQuantity(container.resources?.requests?.cpu) ?? 0);
          node.requested.memory =
            (node.requested.memory ?? 0) + (parseQuantity(container.resources?.requests?.memory) ?? 0);
        }
        return true;
      },
      { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed', maxPages: 200 },
    ),
    reader.getJson<{ items?: { metadata?: { name?: string }; usage?: Record<string, string> }[] }>(
      '/apis/metrics.k8s.io/v1beta1/nodes',
    ),
  ]);
  const summary: NodeSummary = {
    nodes: nodes.data.items,
    listElapsedMs: nodes.elapsedMs,
    podsCounted: pods.ok ? pods.data.items.length : 0,
  };
  if (!pods.ok) summary.requestsIncomplete = pods.error.message;
  else if (pods.data.truncated)
    summary.requestsIncomplete = `only the first ${pods.data.pages} pages of pods were read`;
  if (usage.ok) {
    for (const item of usage.data.items ?? []) {
      const node = byName.get(item.metadata?.name ?? '');
      if (node) node.usage = parseResources(item.usage);
    }
  } else {
    summary.usageUnavailable =
      usage.error.status === 404
        ? 'metrics.k8s.io is not served (is metrics-server installed?)'
        : usage.error.message;
  }
  return succeeded(summary, nodes.elapsedMs + Math.max(pods.elapsedMs, usage.elapsedMs));
}
