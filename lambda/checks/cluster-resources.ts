/**
 * Cluster infrastructure and resource constraints: nodes, capacity, quotas, DNS, the CNI, and what
 * the scheduler and the provisioners say. A FailedScheduling is where capacity, storage and placement
 * problems all surface: the scheduler's own message says which (Insufficient cpu: capacity; unbound
 * claims: storage; affinity and taints: placement). Evidence that stopped before the errors began is
 * history.
 */
import type { CauseId } from '../model/causes.js';
import type { Finding } from '../model/finding.js';
import { percent } from '../model/format.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import { directCause, volume } from './error-patterns.js';
import { coreDnsTrouble, type ErrorGroup, type Evidence, evidenceOf, quote, shareOf } from './evidence.js';
import { type Findings, findings } from './finding.js';
import type { Check } from './types.js';

const CHECK = 'cluster-resources';

/** `0/6 nodes are available: 3 Insufficient cpu, 3 node(s) had untolerated taint ...`: which kind of refusal. */
export function schedulingCause(message: string): CauseId | undefined {
  if (
    /unbound immediate PersistentVolumeClaims|volume node affinity conflict|ProvisioningFailed|failed to provision volume|FailedAttachVolume|FailedMount|waiting for a volume|persistentvolumeclaim "[^"]+" not found|ExternalProvisioning/i.test(
      message,
    )
  )
    return 'storage-provisioning';
  const counts = { capacity: 0, placement: 0 };
  for (const m of message.matchAll(/(\d+) ([^,.]+)/g)) {
    const n = Number(m[1]);
    const text = m[2] ?? '';
    if (/Insufficient|Too many pods|max node group size|exceed max/i.test(text)) counts.capacity += n;
    else if (
      /affinity|selector|taint|anti-affinity|spread constraint|didn't match|unschedulable|port/i.test(text)
    )
      counts.placement += n;
  }
  if (counts.capacity > 0) return 'cluster-capacity';
  if (
    /Insufficient (cpu|memory|pods|ephemeral-storage)|max node group size reached|NotTriggerScaleUp/i.test(
      message,
    )
  )
    return 'cluster-capacity';
  if (
    counts.placement > 0 ||
    /didn't match Pod's node affinity|untolerated taint|node\(s\) didn't match/i.test(message)
  )
    return 'pod-scheduling';
  return undefined;
}

function nodeFindings(snapshot: ClusterSnapshot, f: Findings): Finding[] {
  if (!snapshot.nodes.ok) return [];
  const out: Finding[] = [];
  const { nodes } = snapshot.nodes.data;
  const notReady = nodes.filter((n) => n.ready !== 'True');
  const pressured = nodes.filter((n) => n.pressures.some((p) => p !== 'NetworkUnavailable'));
  const network = nodes.filter((n) => n.pressures.includes('NetworkUnavailable'));
  if (notReady.length > 0) {
    const share = notReady.length / nodes.length;
    out.push(
      (share > 0.5 ? f.fail : f.warn)('network-instability', {
        summary: `${notReady.length} of ${nodes.length} nodes not ready`,
        evidence: notReady.map((n) => `${n.name}: Ready=${n.ready}`),
        weight: share > 0.5 ? 0.4 : 0.2,
      }),
    );
  }
  if (pressured.length > 0)
    out.push(
      f.warn('cluster-capacity', {
        summary: `${pressured.length} nodes under pressure`,
        evidence: pressured.map((n) => `${n.name}: ${n.pressures.join(', ')}`),
        weight: 0.35,
      }),
    );
  if (network.length > 0)
    out.push(
      f.fail('network-instability', {
        summary: `${network.length} nodes report NetworkUnavailable`,
        evidence: network.map((n) => n.name),
        weight: 0.7,
      }),
    );
  const schedulable = nodes.filter((n) => n.ready === 'True' && !n.unschedulable);
  const full = schedulable.filter(
    (n) =>
      (n.allocatable.cpu && (n.requested.cpu ?? 0) / n.allocatable.cpu >= 0.95) ||
      (n.allocatable.memory && (n.requested.memory ?? 0) / n.allocatable.memory >= 0.95),
  );
  if (schedulable.length > 0 && full.length === schedulable.length) {
    out.push(
      // Full is a constraint, not a failure: FailedScheduling (eventFindings) says it bites.
      f.warn('cluster-capacity', {
        summary: 'every schedulable node is fully requested',
        evidence: full
          .slice(0, 5)
          .map(
            (n) =>
              `${n.name}: cpu ${percent((n.requested.cpu ?? 0) / (n.allocatable.cpu ?? 1))}, memory ${percent((n.requested.memory ?? 0) / (n.allocatable.memory ?? 1))} requested`,
          ),
        weight: 0.35,
      }),
    );
  }
  return out;
}

function quotaFindings(snapshot: ClusterSnapshot, f: Findings): Finding[] {
  if (!snapshot.resourceQuotas.ok || snapshot.resourceQuotas.data.atLimit === 0) return [];
  const q = snapshot.resourceQuotas.data;
  const full = q.nearLimit.filter((u) => u.used >= u.hard);
  const namespaces = new Set(full.map((u) => u.namespace));
  // A full quota is a constraint, not yet a failure: the apply errors (error-patterns) say it bites.
  return [
    f.warn('quota-exceeded', {
      summary: `quotas at their limit in ${namespaces.size} namespaces`,
      evidence: full
        .slice(0, 5)
        .map((u) => `${u.namespace}/${u.name}: ${u.resource} used ${u.usedText} of ${u.hardText}`),
      weight: namespaces.size > 1 ? 0.3 : 0.15,
      hints: { quotas: full.slice(0, 5).map((u) => `${u.namespace}/${u.name}`) },
    }),
  ];
}

/** CoreDNS and the resolver failures in the logs: the cluster's DNS. */
function dnsFindings(snapshot: ClusterSnapshot, evidence: Evidence, f: Findings): Finding[] {
  const logs = evidence.groups.filter((g) => g.source === 'logs');
  // Resolver failures on the API server's or the cluster's names; the datasource's go to external-dependencies.
  const resolver = logs.filter(
    (g) =>
      g.timing !== 'past' &&
      g.reading.signals.includes('dns-resolver') &&
      !g.reading.database &&
      g.reading.destination?.scope !== 'external',
  );
  const why = coreDnsTrouble(snapshot, evidence);
  if (resolver.length === 0 && why.length === 0) return [];
  const size = resolver.length > 0 ? Math.max(...resolver.map(volume)) : 0;
  const share = Math.min(
    1,
    resolver.reduce((n, g) => n + shareOf(g, evidence, logs), 0),
  );
  const weight =
    resolver.length > 0
      ? (why.length > 0 ? 0.95 : 0.85) * size * (0.4 + 0.6 * share)
      : Math.min(0.45, 0.2 * why.length);
  const parts = {
    summary:
      resolver.length > 0
        ? `the cluster's DNS fails: lookups time out or the resolver misbehaves`
        : "CoreDNS is unhealthy (the operator's logs show no failed lookups)",
    evidence: [...why, ...resolver.slice(0, 3).map((g) => quote(g, evidence))],
    weight,
  };
  return [weight >= 0.5 ? f.fail('dns-failure', parts) : f.warn('dns-failure', parts)];
}

/**
 * What the scheduler, the provisioners, the controllers and the autoscaler say, read for which
 * constraint refuses. Events where the failing tenants live weigh more than a bystander's.
 */
function eventFindings(evidence: Evidence, f: Findings): Finding[] {
  const out: Finding[] = [];
  const byCause = new Map<CauseId, { weight: number; groups: ErrorGroup[] }>();
  const history: ErrorGroup[] = [];
  const tenants = evidence.tenantNamespaces;
  for (const g of evidence.groups) {
    if (g.source !== 'events' && g.source !== 'tenants') continue;
    const cause =
      g.reading.signals.includes('scheduling') || g.reading.signals.includes('storage')
        ? schedulingCause(g.sample)
        : g.source === 'events'
          ? directCause(g)?.cause
          : undefined;
    if (!cause) continue;
    if (g.timing === 'past') {
      history.push(g);
      continue;
    }
    const namespace = g.event?.namespace;
    // Where the failing tenants live; with none failing, only while something fails at all.
    const relevant =
      g.source === 'tenants' ||
      (tenants.size > 0 ? namespace !== undefined && tenants.has(namespace) : evidence.failing);
    const weight =
      (relevant ? 1 : 0.45) * Math.min(0.9, 0.25 + 0.12 * g.subjects + Math.min(0.15, 0.01 * g.count));
    const entry = byCause.get(cause) ?? { weight: 0, groups: [] };
    entry.weight = 1 - (1 - entry.weight) * (1 - weight);
    entry.groups.push(g);
    byCause.set(cause, entry);
  }
  for (const [cause, { weight, groups }] of byCause) {
    const objects = groups.reduce((n, g) => n + g.subjects, 0);
    const parts = {
      summary: `${objects} object${objects === 1 ? '' : 's'} cannot be created, placed or provisioned: ${
        cause === 'cluster-capacity'
          ? 'the cluster is out of room'
          : cause === 'storage-provisioning'
            ? 'their volumes cannot be provisioned'
            : cause === 'pod-scheduling'
              ? 'no node satisfies their placement rules'
              : `the events state ${cause}`
      }`,
      evidence: groups.slice(0, 4).map((g) => quote(g, evidence)),
      weight: Math.min(0.92, weight),
    };
    out.push(weight >= 0.5 ? f.fail(cause, parts) : f.warn(cause, parts));
  }
  if (history.length > 0)
    out.push(
      f.ok({
        summary: `${history.length} warning event(s) stopped before the errors began: history`,
        evidence: history.slice(0, 3).map((g) => quote(g, evidence)),
      }),
    );
  return out;
}

/** A CSI driver that is down is why volumes wait. */
function csiFindings(snapshot: ClusterSnapshot, evidence: Evidence, f: Findings): Finding[] {
  if (!snapshot.kubeSystem?.ok) return [];
  const down = snapshot.kubeSystem.data.pods.filter(
    (p) => /csi/i.test(`${p.app} ${p.name}`) && (!p.ready || p.waitingReason),
  );
  const waiting = evidence.groups.some((g) => g.timing !== 'past' && g.reading.signals.includes('storage'));
  if (down.length === 0 || !waiting) return [];
  return [
    f.fail('storage-provisioning', {
      summary: `the CSI driver is down while volumes wait to be provisioned`,
      evidence: down
        .slice(0, 3)
        .map(
          (p) =>
            `${p.name}: ${p.ready ? 'ready' : 'not ready'}${p.waitingReason ? `, ${p.waitingReason}` : ''}, ${p.restartCount} restarts`,
        ),
      weight: 0.6,
    }),
  ];
}

export const clusterResources: Check = (snapshot) => {
  const f = findings(snapshot, CHECK);
  const evidence = evidenceOf(snapshot);
  const out: Finding[] = [
    ...nodeFindings(snapshot, f),
    ...quotaFindings(snapshot, f),
    ...dnsFindings(snapshot, evidence, f),
    ...eventFindings(evidence, f),
    ...csiFindings(snapshot, evidence, f),
  ];
  if (out.length === 0 && snapshot.nodes.ok)
    out.push(
      f.ok({ summary: `${snapshot.nodes.data.nodes.length} nodes ready, capacity, quotas and DNS fine` }),
    );
  return out;
};
