/**
 * The cluster's own plumbing the runbook's infrastructure causes hinge on (`dns-failure`,
 * `network-instability`): kube-system's pods as `kubectl get pods -n kube-system` shows them (CoreDNS,
 * aws-node, kube-proxy, the CSI drivers), the kube-dns Service's endpoints, and CoreDNS's own errors.
 * Only the pod list is essential: endpoints and logs that cannot be read are said so, not fatal.
 */

import type { KubeSystemSummary, SystemPod } from '../../model/snapshot.js';
import { failed, type SourceResult, succeeded } from '../../model/source.js';
import type { CollectContext } from '../context.js';
import { LogSummarizer } from '../log-parser.js';
import { listAll } from '../paging.js';
import { readServiceEndpoints } from './endpoints.js';

export const KUBE_SYSTEM = 'kube-system';
/** Pages of 500 pods read at most (kube-system holds a few per node). */
const MAX_PAGES = 4;
/** CoreDNS pods whose logs are read, and lines per pod. */
export const DNS_LOG_PODS = 3;
export const DNS_LOG_LINES = 300;
const DNS_LOG_BYTES = 1024 * 1024;

interface RawTerminated {
  reason?: string;
  exitCode?: number;
  finishedAt?: string;
}

interface RawPod {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { nodeName?: string; containers?: { name?: string }[] };
  status?: {
    phase?: string;
    startTime?: string;
    conditions?: { type?: string; status?: string }[];
    containerStatuses?: {
      name?: string;
      restartCount?: number;
      state?: { waiting?: { reason?: string }; running?: { startedAt?: string }; terminated?: RawTerminated };
      lastState?: { terminated?: RawTerminated };
    }[];
  };
}

/** The app a kube-system pod belongs to: `k8s-app`, else `app.kubernetes.io/name`, else `app`. */
export function systemApp(labels: Record<string, string> | undefined): string {
  return labels?.['k8s-app'] || labels?.['app.kubernetes.io/name'] || labels?.app || '';
}

export function readSystemPod(raw: RawPod): (SystemPod & { containers: string[] }) | undefined {
  const name = raw.metadata?.name;
  if (!name) return undefined;
  const statuses = Array.isArray(raw.status?.containerStatuses) ? raw.status.containerStatuses : [];
  const pod: SystemPod & { containers: string[] } = {
    name,
    app: systemApp(raw.metadata?.labels),
    phase: raw.status?.phase ?? 'Unknown',
    ready: raw.status?.conditions?.some((c) => c?.type === 'Ready' && c.status === 'True') ?? false,
    restartCount: statuses.reduce(
      (n, s) => n + (typeof s?.restartCount === 'number' ? s.restartCount : 0),
      0,
    ),
    containers: (raw.spec?.containers ?? []).map((c) => c?.name ?? '').filter(Boolean),
  };
  if (raw.spec?.nodeName) pod.nodeName = raw.spec.nodeName;
  const waiting = statuses.find((s) => s?.state?.waiting?.reason)?.state?.waiting?.reason;
  if (waiting) pod.waitingReason = waiting;
  // The most recent end of a run: the last termination of any container (or a current one).
  const ends = statuses
    .flatMap((s) => [s?.lastState?.terminated, s?.state?.terminated])
    .filter(
      (t): t is RawTerminated => !!t && typeof t === 'object' && (!!t.reason || t.exitCode !== undefined),
    );
  const last = ends.sort((a, b) => (b.finishedAt ?? '').localeCompare(a.finishedAt ?? ''))[0];
  if (last) {
    pod.lastTerminated = {
      ...(last.reason ? { reason: last.reason } : {}),
      ...(typeof last.exitCode === 'number' ? { exitCode: last.exitCode } : {}),
      ...(last.finishedAt ? { finishedAt: last.finishedAt } : {}),
    };
  }
  // When the pod's containers last started: the latest running start, else the pod's start.
  const started = statuses
    .map((s) => s?.state?.running?.startedAt)
    .filter((t): t is string => typeof t === 'string')
    .sort()
    .at(-1);
  const startedAt = started ?? raw.status?.startTime;
  if (startedAt) pod.startedAt = startedAt;
  return pod;
}

const isCoreDns = (pod: SystemPod) =>
  pod.app === 'kube-dns' || pod.app === 'coredns' || /^coredns-/.test(pod.name);

/** The leader-election leases of the control plane's controllers (EKS shows them in kube-system). */
const CONTROL_PLANE_LEASES = ['kube-controller-manager', 'kube-scheduler'];

async function readLease(
  reader: CollectContext['reader'],
  name: string,
): Promise<NonNullable<KubeSystemSummary['controlPlaneLeases']>[number] | undefined> {
  const result = await reader.getJson<{
    spec?: { holderIdentity?: string; renewTime?: string; leaseDurationSeconds?: number };
  }>(`/apis/coordination.k8s.io/v1/namespaces/${KUBE_SYSTEM}/leases/${name}`, { timeoutMs: 5000 });
  if (!result.ok) return undefined;
  const spec = result.data.spec ?? {};
  return {
    name,
    ...(spec.holderIdentity ? { holder: spec.holderIdentity } : {}),
    ...(spec.renewTime ? { renewTime: spec.renewTime } : {}),
    ...(spec.leaseDurationSeconds !== undefined ? { durationSeconds: spec.leaseDurationSeconds } : {}),
  };
}

export async function collectKubeSystem({
  reader,
}: CollectContext): Promise<SourceResult<KubeSystemSummary>> {
  const started = Date.now();
  const [listed, dns, leases] = await Promise.all([
    listAll(reader, `/api/v1/namespaces/${KUBE_SYSTEM}/pods`, readSystemPod, { maxPages: MAX_PAGES }),
    readServiceEndpoints(reader, KUBE_SYSTEM, 'kube-dns'),
    Promise.all(CONTROL_PLANE_LEASES.map((name) => readLease(reader, name))),
  ]);
  if (!listed.ok) return failed(listed.error, Date.now() - started);
  const pods = listed.data.items;

  let dnsEndpoints: KubeSystemSummary['dnsEndpoints'];
  if ('error' in dns) dnsEndpoints = { error: dns.error };
  else if (!dns.exists)
    dnsEndpoints = {
      error: `${KUBE_SYSTEM}/kube-dns has neither Endpoints nor EndpointSlices (no kube-dns Service?)`,
    };
  else dnsEndpoints = { ready: dns.ready, notReady: dns.notReady };

  // CoreDNS's own account: ready pods first (they answer queries), then the others, at most three.
  const coreDns = pods
    .filter(isCoreDns)
    .filter((p) => p.phase === 'Running' || p.ready)
    .sort((a, b) => Number(b.ready) - Number(a.ready) || a.name.localeCompare(b.name))
    .slice(0, DNS_LOG_PODS);
  const logs = await Promise.all(
    coreDns.map(async (pod) => ({
      pod: pod.name,
      result: await reader.getText(
        `/api/v1/namespaces/${KUBE_SYSTEM}/pods/${encodeURIComponent(pod.name)}/log`,
        {
          query: {
            ...(pod.containers.includes('coredns') || pod.containers.length !== 1
              ? { container: 'coredns' }
              : {}),
            tailLines: DNS_LOG_LINES,
            limitBytes: DNS_LOG_BYTES,
          },
          maxBytes: DNS_LOG_BYTES + 65_536,
          timeoutMs: 10_000,
        },
      ),
    })),
  );
  const summary: KubeSystemSummary = {
    pods: pods.map(({ containers: _containers, ...pod }) => pod),
    dnsEndpoints,
  };
  const readLeases = leases.filter((l): l is NonNullable<typeof l> => l !== undefined);
  if (readLeases.length > 0) summary.controlPlaneLeases = readLeases;
  const read = logs.filter((l) => l.result.ok);
  if (read.length > 0) {
    const summarizer = new LogSummarizer();
    for (const { result } of read) if (result.ok) summarizer.addText(result.data);
    summary.dnsLogs = summarizer.result();
  }
  const unread = logs.filter((l) => !l.result.ok);
  if (unread.length > 0) {
    summary.dnsLogsUnread = unread.map((l) => ({
      pod: l.pod,
      error: l.result.ok ? '' : l.result.error.message,
    }));
  }
  return succeeded(summary, Date.now() - started);
}
