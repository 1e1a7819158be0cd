/** The datasource's path, followed on plain snapshots: the first broken link is the cause. */
import { describe, expect, it } from 'vitest';
import { decideVerdict } from '../../lambda/alert/verdict.js';
import { externalDependencies } from '../../lambda/checks/external-dependencies.js';
import { runChecks } from '../../lambda/checks/index.js';
import type { ClusterSnapshot } from '../../lambda/model/snapshot.js';
import { succeeded } from '../../lambda/model/source.js';
import { firingMetrics, healthySnapshot, reconcileErrors, withLogs } from '../unit/snapshot.js';

const ping = (error: string) => `failed to create datasource: failed to ping MySQL: ${error}`;

function incident(
  error: string,
  change: (s: ClusterSnapshot) => ClusterSnapshot = (s) => s,
): ClusterSnapshot {
  const base = healthySnapshot({ metrics: succeeded(firingMetrics(), 5) });
  return change(withLogs(base, [reconcileErrors(40, ping(error))]));
}

function top(snapshot: ClusterSnapshot): string | undefined {
  return decideVerdict(snapshot, runChecks(snapshot, { threshold: 0.1 }), 0.1).causes[0]?.id;
}

const unhealthyDns = (s: ClusterSnapshot): ClusterSnapshot => ({
  ...s,
  kubeSystem: succeeded(
    {
      pods: [
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
      dnsEndpoints: { ready: 0, notReady: 2 },
    },
    5,
  ),
});

describe('following the datasource path', () => {
  it('a resolver that times out is the cluster DNS, not the database', () => {
    const s = incident(
      'dial tcp: lookup mysql.tenant-db.svc.cluster.local on 172.20.0.10:53: read udp 10.0.1.5:48213->172.20.0.10:53: i/o timeout',
      unhealthyDns,
    );
    expect(top(s)).toBe('dns-failure');
    expect(externalDependencies(s, { threshold: 0.1 })[0]?.evidence.join('\n')).toMatch(
      /CoreDNS pods not ready/,
    );
  });

  it('a name that does not exist outside the cluster, with a healthy resolver, is external DNS', () => {
    const s = incident('dial tcp: lookup db.customers.example.com on 172.20.0.10:53: no such host', (x) => ({
      ...x,
      registries: succeeded(
        [
          {
            namespace: 'tenant-operator-system',
            name: 'customers',
            readyCondition: { status: 'False', reason: 'DatabaseConnectionFailed' },
            datasource: {
              type: 'mysql',
              host: 'db.customers.example.com',
              port: 3306,
              scope: 'external' as const,
            },
          },
        ],
        5,
      ),
    }));
    expect(top(s)).toBe('external-dns');
  });

  it('a NetworkPolicy that confines egress and allows nothing to the database blocks it, while the database is up', () => {
    const s = incident('dial tcp 10.0.3.7:3306: i/o timeout', (x) => ({
      ...x,
      networkPolicies: succeeded(
        [
          {
            name: 'default-deny-egress',
            policyTypes: ['Egress'],
            selectsOperator: true,
            ingressRules: 0,
            egressRules: 1,
            restrictsEgress: true,
            egressPorts: ['UDP/53', 'TCP/443'],
            egress: [{ ports: ['UDP/53', 'TCP/443'], peers: [] }],
          },
        ],
        5,
      ),
    }));
    expect(top(s)).toBe('network-policy-blocking');
    const finding = externalDependencies(s, { threshold: 0.1 })[0];
    expect(finding?.remediation.join('\n')).toMatch(/default-deny-egress/);
    expect(finding?.remediation.join('\n')).toMatch(/mysql\.tenant-db\.svc\.cluster\.local on TCP\/3306/);
  });

  it('a policy that allows the database port is not the cause', () => {
    const s = incident('dial tcp 10.0.3.7:3306: connect: connection refused', (x) => ({
      ...x,
      networkPolicies: succeeded(
        [
          {
            name: 'allow-db',
            policyTypes: ['Egress'],
            selectsOperator: true,
            ingressRules: 0,
            egressRules: 1,
            restrictsEgress: true,
            egressPorts: ['TCP/3306'],
            egress: [{ ports: ['TCP/3306'], peers: [] }],
          },
        ],
        5,
      ),
    }));
    expect(top(s)).toBe('datasource-unavailable');
  });

  it('failures to several destinations with a node NetworkUnavailable are the network', () => {
    const s = incident('dial tcp 10.0.3.7:3306: i/o timeout', (x) => {
      const nodes = x.nodes.ok ? x.nodes.data : undefined;
      return {
        ...withLogs(x, [
          reconcileErrors(30, ping('dial tcp 10.0.3.7:3306: i/o timeout')),
          reconcileErrors(
            25,
            'failed to get Deployment: Get "https://172.20.0.1:443/apis/apps/v1/namespaces/t/deployments/x": dial tcp 172.20.0.1:443: i/o timeout',
          ),
        ]),
        nodes: succeeded(
          {
            ...(nodes as NonNullable<typeof nodes>),
            nodes: (nodes?.nodes ?? []).map((n, i) =>
              i === 0 ? { ...n, pressures: ['NetworkUnavailable'] } : n,
            ),
          },
          5,
        ),
      };
    });
    expect(top(s)).toBe('network-instability');
  });

  it('an outside host that connects but answers slowly is an external API timeout', () => {
    const base = healthySnapshot({ metrics: succeeded(firingMetrics(), 5) });
    const s = withLogs(base, [
      reconcileErrors(
        40,
        'failed to run post-apply hook: Post "https://billing.example.com/api/v2/tenants": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
      ),
    ]);
    expect(top(s)).toBe('external-api-timeout');
  });

  it('a Service without ready endpoints is the datasource itself', () => {
    const s = incident('dial tcp 172.20.44.12:3306: connect: connection refused', (x) => ({
      ...x,
      registries: succeeded(
        [
          {
            namespace: 'tenant-operator-system',
            name: 'customers',
            readyCondition: { status: 'False', reason: 'DatabaseConnectionFailed' },
            datasource: {
              type: 'mysql',
              host: 'mysql.tenant-db.svc.cluster.local',
              port: 3306,
              scope: 'cluster' as const,
              service: {
                namespace: 'tenant-db',
                name: 'mysql',
                exists: true,
                readyEndpoints: 0,
                notReadyEndpoints: 1,
              },
            },
          },
        ],
        5,
      ),
    }));
    expect(top(s)).toBe('datasource-unavailable');
    const finding = externalDependencies(s, { threshold: 0.1 })[0];
    expect(finding?.remediation.join('\n')).toContain('nc -zv mysql.tenant-db.svc.cluster.local 3306');
    expect(finding?.remediation.join('\n')).not.toContain('<database-host>');
  });

  it('a database outage that ended before the errors began is history', () => {
    const base = healthySnapshot({ metrics: succeeded(firingMetrics(30 * 60), 5) });
    const s = withLogs(base, [
      reconcileErrors(60, ping('dial tcp 10.0.3.7:3306: connect: connection refused'), {
        firstSecondsAgo: 7 * 3600,
        lastSecondsAgo: 6 * 3600,
      }),
    ]);
    expect(externalDependencies(s, { threshold: 0.1 }).map((f) => f.status)).toEqual(['ok']);
    expect(decideVerdict(s, runChecks(s, { threshold: 0.1 }), 0.1).causes.map((c) => c.id)).not.toContain(
      'datasource-unavailable',
    );
  });
});
