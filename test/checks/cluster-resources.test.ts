/**
 * Cluster infrastructure and resource constraints. A FailedScheduling is read for which constraint
 * refuses (capacity, storage, placement); a full quota without quota errors is weak; history is history.
 */
import { describe, expect, it } from 'vitest';
import { clusterResources, schedulingCause } from '../../lambda/checks/cluster-resources.js';
import type { ClusterSnapshot, EventRecord, NodeStatus, SystemPod } from '../../lambda/model/snapshot.js';
import { before as ago, healthySnapshot, reconcileErrors, withLogs } from '../unit/snapshot.js';
import { causesOf, firing, named, ok, THRESHOLD, top } from './incident.js';

const check = (s: ClusterSnapshot) => clusterResources(s, THRESHOLD);

const event = (reason: string, message: string, o: Partial<EventRecord> = {}): EventRecord => ({
  namespace: 'acme',
  kind: 'Pod',
  name: 'web-0',
  type: 'Warning',
  reason,
  message,
  count: 12,
  firstTime: ago(1500),
  lastTime: ago(60),
  ...o,
});
const withEvents = (s: ClusterSnapshot, recent: EventRecord[]): ClusterSnapshot => ({
  ...s,
  events: ok({ recent, warningsByReason: {}, total: recent.length, truncated: false }),
});
const three = (reason: string, message: string) =>
  [0, 1, 2].map((i) => event(reason, message, { name: `web-${i}` }));

const node = (i: number, o: Partial<NodeStatus> = {}): NodeStatus => ({
  name: `ip-10-0-1-${10 + i}.eu-west-1.compute.internal`,
  ready: 'True',
  pressures: [],
  unschedulable: false,
  allocatable: { cpu: 4, memory: 16 * 2 ** 30, pods: 58 },
  requested: { cpu: 2, memory: 8 * 2 ** 30, pods: 20 },
  ...o,
});
const withNodes = (s: ClusterSnapshot, nodes: NodeStatus[]): ClusterSnapshot => ({
  ...s,
  nodes: ok({ nodes, listElapsedMs: 40, podsCounted: 60 }),
});
const withCoreDns = (s: ClusterSnapshot, pods: SystemPod[], ready = 2): ClusterSnapshot => ({
  ...s,
  kubeSystem: ok({ pods, dnsEndpoints: { ready, notReady: 0 } }),
});

describe('schedulingCause: the scheduler message says which constraint', () => {
  it.each([
    [
      '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      'cluster-capacity',
    ],
    ['0/3 nodes are available: 3 Too many pods.', 'cluster-capacity'],
    ["pod didn't trigger scale-up: 1 max node group size reached", 'cluster-capacity'],
    [
      '0/3 nodes are available: 3 pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      'storage-provisioning',
    ],
    ['0/3 nodes are available: 3 node(s) had volume node affinity conflict.', 'storage-provisioning'],
    [
      'failed to provision volume with StorageClass "gp3": rpc error: code = Internal desc = Could not create volume',
      'storage-provisioning',
    ],
    [
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      'pod-scheduling',
    ],
    ['0/3 nodes are available: 3 node(s) had untolerated taint {dedicated: gpu}.', 'pod-scheduling'],
    ["0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.", 'pod-scheduling'],
  ])('%s → %s', (message, cause) => {
    expect(schedulingCause(message)).toBe(cause);
  });

  it('a message about something else says nothing', () => {
    expect(schedulingCause('Back-off restarting failed container')).toBeUndefined();
  });
});

describe('cluster-resources', () => {
  it('healthy: ok, no cause', () => {
    const findings = check(healthySnapshot());
    expect(findings.map((f) => [f.status, f.cause])).toEqual([['ok', null]]);
    expect(findings[0]?.summary).toMatch(/3 nodes ready/);
  });

  it('the incident: FailedScheduling for Insufficient cpu is the cluster out of room', () => {
    const s = withEvents(
      firing(),
      three(
        'FailedScheduling',
        '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      ),
    );
    const f = check(s)[0];
    expect(f?.status).toBe('fail');
    expect(f?.cause).toBe('cluster-capacity');
    expect(f?.summary).toMatch(/out of room/);
    expect(top(s)).toBe('cluster-capacity');
  });

  it('the incident: FailedScheduling for unbound claims, with ProvisioningFailed beside it, is storage', () => {
    const s = withEvents(firing(), [
      ...three(
        'FailedScheduling',
        '0/3 nodes are available: 3 pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      ),
      event(
        'ProvisioningFailed',
        'failed to provision volume with StorageClass "gp3": rpc error: code = Internal desc = Could not create volume',
        { kind: 'PersistentVolumeClaim', name: 'data-web-0' },
      ),
    ]);
    expect(named(check(s))).toEqual(['storage-provisioning']);
    expect(top(s)).toBe('storage-provisioning');
  });

  it('the incident: FailedScheduling for affinity and taints is placement', () => {
    const s = withEvents(
      firing(),
      three(
        'FailedScheduling',
        "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 node(s) didn't match Pod's node affinity/selector.",
      ),
    );
    expect(named(check(s))).toEqual(['pod-scheduling']);
    expect(top(s)).toBe('pod-scheduling');
  });

  it('decoy: FailedScheduling days before the onset is history', () => {
    const s = withEvents(firing(), [
      event('FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu.', {
        firstTime: ago(3 * 86_400),
        lastTime: ago(2 * 86_400),
      }),
    ]);
    const findings = check(s);
    expect(named(findings)).toEqual([]);
    expect(findings.some((f) => f.status === 'ok' && /history/.test(f.summary))).toBe(true);
  });

  it('Normal events are not warnings', () => {
    const s = withEvents(
      firing(),
      three('FailedScheduling', '0/3 nodes are available: 3 Insufficient cpu.').map((e) => ({
        ...e,
        type: 'Normal',
      })),
    );
    expect(named(check(s))).toEqual([]);
  });

  it('decoy: a full quota without quota errors is only a weak warning, never the top cause', () => {
    const s = firing({
      resourceQuotas: ok({
        quotas: 3,
        atLimit: 2,
        nearLimit: [
          {
            namespace: 'acme',
            name: 'compute',
            resource: 'requests.cpu',
            used: 2,
            hard: 2,
            usedText: '2',
            hardText: '2',
          },
          {
            namespace: 'beta',
            name: 'compute',
            resource: 'pods',
            used: 10,
            hard: 10,
            usedText: '10',
            hardText: '10',
          },
        ],
      }),
    });
    const f = check(s).find((x) => x.cause === 'quota-exceeded');
    expect(f?.status).toBe('warn');
    expect(f?.weight).toBeLessThanOrEqual(0.3);
    expect(f?.evidence).toContain('acme/compute: requests.cpu used 2 of 2');
    expect(causesOf(s)).not.toContain('quota-exceeded');
  });

  it('a full quota with the apply errors that say it bites is the cause', () => {
    const s = withLogs(
      firing({
        resourceQuotas: ok({
          quotas: 1,
          atLimit: 1,
          nearLimit: [
            {
              namespace: 'acme',
              name: 'compute',
              resource: 'requests.cpu',
              used: 2,
              hard: 2,
              usedText: '2',
              hardText: '2',
            },
          ],
        }),
      }),
      [
        reconcileErrors(
          40,
          'pods "web" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=2, limited: requests.cpu=2',
        ),
      ],
    );
    expect(top(s)).toBe('quota-exceeded');
  });

  it('a node reporting NetworkUnavailable is network instability', () => {
    const s = withNodes(firing(), [node(1, { pressures: ['NetworkUnavailable'] }), node(2), node(3)]);
    expect(check(s).find((f) => f.cause === 'network-instability')?.status).toBe('fail');
  });

  it('a node under memory pressure is a weak capacity warning', () => {
    const s = withNodes(firing(), [node(1, { pressures: ['MemoryPressure'] }), node(2), node(3)]);
    const f = check(s).find((x) => x.cause === 'cluster-capacity');
    expect(f?.status).toBe('warn');
    expect(f?.weight).toBeLessThan(0.5);
  });

  it('the incident: CoreDNS crash-looping and lookups timing out is the cluster DNS', () => {
    const s = withLogs(
      withCoreDns(
        firing(),
        [
          {
            name: 'coredns-a',
            app: 'kube-dns',
            phase: 'Running',
            ready: false,
            restartCount: 6,
            waitingReason: 'CrashLoopBackOff',
          },
          {
            name: 'coredns-b',
            app: 'kube-dns',
            phase: 'Running',
            ready: false,
            restartCount: 5,
            waitingReason: 'CrashLoopBackOff',
          },
        ],
        0,
      ),
      [
        reconcileErrors(
          40,
          'failed to get Deployment: Get "https://kubernetes.default.svc:443/apis/apps/v1/namespaces/t/deployments/x": dial tcp: lookup kubernetes.default.svc on 172.20.0.10:53: read udp 10.0.1.5:4821->172.20.0.10:53: i/o timeout',
        ),
      ],
    );
    const f = check(s).find((x) => x.cause === 'dns-failure');
    expect(f?.status).toBe('fail');
    expect(f?.evidence.join('\n')).toMatch(/2 of 2 CoreDNS pods not ready \(CrashLoopBackOff\)/);
    expect(f?.evidence.join('\n')).toMatch(/no ready endpoints/);
    expect(top(s)).toBe('dns-failure');
  });

  it('CoreDNS unhealthy while no lookup fails is only a warning', () => {
    const s = withCoreDns(firing(), [
      {
        name: 'coredns-a',
        app: 'kube-dns',
        phase: 'Running',
        ready: false,
        restartCount: 9,
        waitingReason: 'CrashLoopBackOff',
      },
    ]);
    const f = check(s).find((x) => x.cause === 'dns-failure');
    expect(f?.status).toBe('warn');
    expect(f?.weight).toBeLessThan(0.5);
  });

  it('decoy: CoreDNS restarts days ago are history', () => {
    const s = withCoreDns(firing(), [
      {
        name: 'coredns-a',
        app: 'kube-dns',
        phase: 'Running',
        ready: true,
        restartCount: 9,
        lastTerminated: { reason: 'OOMKilled', finishedAt: ago(4 * 86_400) },
      },
    ]);
    expect(named(check(s))).toEqual([]);
  });
});
