/** Cluster infrastructure and resource constraints: nodes, capacity, quotas, and what recent events say. */
import type { CauseId } from '../model/causes.js';
import type { Finding } from '../model/finding.js';
import { mebibytes, percent } from '../model/format.js';
import { classifyMessage } from './classify.js';
import { finding } from './finding.js';
import type { Check } from './types.js';

export const clusterResources: Check = (snapshot) => {
  const out: Finding[] = [];
  if (snapshot.nodes.ok) {
    const { nodes } = snapshot.nodes.data;
    const notReady = nodes.filter((n) => n.ready !== 'True');
    const pressured = nodes.filter((n) => n.pressures.some((p) => p !== 'NetworkUnavailable'));
    const network = nodes.filter((n) => n.pressures.includes('NetworkUnavailable'));
    if (notReady.length > 0) {
      out.push(
        finding(
          snapshot,
          'cluster-resources',
          notReady.length / nodes.length > 0.3 ? 'fail' : 'warn',
          'cluster-capacity',
          `${notReady.length} of ${nodes.length} nodes not ready`,
          notReady.map((n) => `${n.name}: Ready=${n.ready}`),
          0.5,
        ),
      );
    }
    if (pressured.length > 0)
      out.push(
        finding(
          snapshot,
          'cluster-resources',
          'warn',
          'cluster-capacity',
          `${pressured.length} nodes under pressure`,
          pressured.map((n) => `${n.name}: ${n.pressures.join(', ')}`),
          0.5,
        ),
      );
    if (network.length > 0)
      out.push(
        finding(
          snapshot,
          'cluster-resources',
          'fail',
          'network-instability',
          `${network.length} nodes report NetworkUnavailable`,
          network.map((n) => n.name),
          0.7,
        ),
      );
    const full = nodes.filter(
      (n) => n.ready === 'True' && n.allocatable.cpu && (n.requested.cpu ?? 0) / n.allocatable.cpu >= 0.95,
    );
    const fullMem = nodes.filter(
      (n) =>
        n.ready === 'True' &&
        n.allocatable.memory &&
        (n.requested.memory ?? 0) / n.allocatable.memory >= 0.95,
    );
    const schedulable = nodes.filter((n) => n.ready === 'True' && !n.unschedulable);
    if (
      schedulable.length > 0 &&
      (full.length === schedulable.length || fullMem.length === schedulable.length)
    ) {
      out.push(
        finding(
          snapshot,
          'cluster-resources',
          'fail',
          'cluster-capacity',
          'every schedulable node is fully requested',
          [...full, ...fullMem]
            .slice(0, 5)
            .map(
              (n) =>
                `${n.name}: cpu ${percent((n.requested.cpu ?? 0) / (n.allocatable.cpu ?? 1))}, memory ${percent((n.requested.memory ?? 0) / (n.allocatable.memory ?? 1))} requested`,
            ),
          0.7,
        ),
      );
    }
  }
  if (snapshot.resourceQuotas.ok && snapshot.resourceQuotas.data.atLimit > 0) {
    const q = snapshot.resourceQuotas.data;
    const namespaces = new Set(q.nearLimit.filter((u) => u.used >= u.hard).map((u) => u.namespace));
    out.push(
      finding(
        snapshot,
        'cluster-resources',
        namespaces.size > 1 ? 'fail' : 'warn',
        'quota-exceeded',
        `quotas at their limit in ${namespaces.size} namespaces`,
        q.nearLimit
          .filter((u) => u.used >= u.hard)
          .slice(0, 5)
          .map((u) => `${u.namespace}/${u.name}: ${u.resource} used ${u.usedText} of ${u.hardText}`),
        namespaces.size > 1 ? 0.6 : 0.3,
      ),
    );
  }
  if (snapshot.events.ok) {
    const byCause = new Map<CauseId, { count: number; weight: number; evidence: string[] }>();
    for (const e of snapshot.events.data.recent.filter((r) => r.type === 'Warning')) {
      const c = classifyMessage(`${e.reason ?? ''} ${e.message ?? ''}`);
      if (!c?.cause) continue;
      const entry = byCause.get(c.cause) ?? { count: 0, weight: c.weight, evidence: [] };
      entry.count += e.count;
      if (entry.evidence.length < 4)
        entry.evidence.push(
          `${e.reason} ${e.namespace}/${e.name}: ${e.message} (×${e.count}, last ${e.lastTime})`,
        );
      byCause.set(c.cause, entry);
    }
    for (const [cause, entry] of byCause) {
      const strong = entry.count >= 5;
      out.push(
        finding(
          snapshot,
          'cluster-resources',
          strong ? 'fail' : 'warn',
          cause,
          `${entry.count} warning events point at ${cause}`,
          entry.evidence,
          entry.weight * (strong ? 0.6 : 0.2),
        ),
      );
    }
  }
  if (out.length === 0 && snapshot.nodes.ok)
    out.push(
      finding(
        snapshot,
        'cluster-resources',
        'ok',
        null,
        `${snapshot.nodes.data.nodes.length} nodes ready, capacity and quotas fine`,
        [],
      ),
    );
  return out;
};
