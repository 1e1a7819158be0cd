/**
 * The collection of what a failure's path runs through, against the simulator: kube-system (CoreDNS,
 * its endpoints and logs, aws-node, kube-proxy), the registries' datasources, the network policies'
 * egress rules and when events began; and each of these read in part when part cannot be read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterState } from '../lambda/collect/collect-cluster.js';
import {
  ago,
  coreDnsError,
  DATASOURCE,
  endpointSlice,
  endpoints,
  event,
  healthyCluster,
  networkPolicy,
  registry,
  service,
  systemPod,
} from '../sim/kube/fixtures.js';
import { type ClusterFixture, type KubeObject, type Simulator, startSimulator } from '../sim/kube/server.js';
import { collectFrom } from './helpers/collect.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function collect(fixture: ClusterFixture): Promise<ClusterState> {
  sim = await startSimulator(fixture);
  return collectFrom(sim);
}

function data<T>(result: { ok: true; data: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw new Error(`expected data, got ${JSON.stringify(result.error)}`);
  return result.data;
}

const replace = (fixture: ClusterFixture, kind: string, name: string, by: KubeObject) => {
  fixture.objects = fixture.objects.map((o) => (o.kind === kind && o.metadata.name === name ? by : o));
};
const remove = (fixture: ClusterFixture, kind: string, name: string) => {
  fixture.objects = fixture.objects.filter((o) => !(o.kind === kind && o.metadata.name === name));
};
const NODE_1 = 'ip-10-0-1-11.eu-west-1.compute.internal';
const NODE_2 = 'ip-10-0-2-11.eu-west-1.compute.internal';

describe('kube-system', () => {
  it('reads a failing CoreDNS: a crash-looping pod, a not-ready endpoint and the upstream timeouts it logs', async () => {
    const fixture = healthyCluster();
    const crashing = systemPod('coredns', 'w2lx9', NODE_2, {
      ready: false,
      restartCount: 6,
      state: {
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' },
      },
      lastState: {
        terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(90), startedAt: ago(400) },
      },
      podIP: '10.0.2.23',
    });
    replace(fixture, 'Pod', crashing.metadata.name, crashing);
    replace(
      fixture,
      'Endpoints',
      'kube-dns',
      endpoints('kube-system', 'kube-dns', 1, 1, { port: 53, ips: ['10.0.1.23', '10.0.2.23'] }),
    );
    fixture.logs = {
      ...fixture.logs,
      'kube-system/coredns-5b9dfbf96-r8fkd/coredns': `${[
        '[INFO] plugin/reload: Running configuration SHA512 = 8a7d',
        ...Array.from({ length: 12 }, () => coreDnsError('mysql.prod.internal')),
        coreDnsError('billing.example.com', 'read udp 10.0.1.23:41877->10.0.0.2:53: i/o timeout', 'AAAA'),
        '[WARNING] No files matching import glob pattern: custom/*.override',
      ].join('\n')}\n`,
    };
    const system = data((await collect(fixture)).kubeSystem);
    expect(system.dnsEndpoints).toEqual({ ready: 1, notReady: 1 });
    expect(system.pods.find((p) => p.name === crashing.metadata.name)).toEqual({
      name: 'coredns-5b9dfbf96-w2lx9',
      app: 'kube-dns',
      phase: 'Running',
      ready: false,
      nodeName: NODE_2,
      restartCount: 6,
      waitingReason: 'CrashLoopBackOff',
      lastTerminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: ago(90) },
      startedAt: ago(20 * 86_400),
    });
    const logs = system.dnsLogs;
    expect(logs?.byLevel).toMatchObject({ error: 13, warn: 1, info: 2 });
    expect(logs?.tags).toMatchObject({ dns: 13, timeout: 13 });
    expect(logs?.patterns[0]).toMatchObject({
      count: 12,
      level: 'error',
      pattern: 'plugin/errors: <n> mysql.prod.internal. A: read udp <ip>-><ip>: i/o timeout',
      reconcileErrors: 0,
      subjects: 0,
    });
    expect(logs?.patterns[0]?.tags).toEqual(expect.arrayContaining(['dns', 'timeout']));
    // Both CoreDNS pods' logs were asked for, the coredns container, the last 300 lines.
    const reads = (sim as Simulator).requests.filter((r) =>
      /^\/api\/v1\/namespaces\/kube-system\/pods\/coredns-.*\/log$/.test(r.path),
    );
    expect(reads).toHaveLength(2);
    expect(
      reads.every((r) => r.query.get('container') === 'coredns' && r.query.get('tailLines') === '300'),
    ).toBe(true);
  });

  it('reads at most three CoreDNS pods, ready ones first, and a pod that is not running not at all', async () => {
    const fixture = healthyCluster();
    fixture.objects.push(
      systemPod('coredns', 'aaaa1', NODE_1, { ready: false }),
      systemPod('coredns', 'bbbb2', NODE_2),
      systemPod('coredns', 'cccc3', NODE_2, {
        ready: false,
        phase: 'Pending',
        state: { waiting: { reason: 'ContainerCreating' } },
      }),
    );
    const system = data((await collect(fixture)).kubeSystem);
    expect(system.pods.filter((p) => p.app === 'kube-dns')).toHaveLength(5);
    const reads = (sim as Simulator).requests
      .filter((r) => /^\/api\/v1\/namespaces\/kube-system\/pods\/.*\/log$/.test(r.path))
      .map((r) => r.path.split('/')[6]);
    expect(reads.sort()).toEqual([
      'coredns-5b9dfbf96-bbbb2',
      'coredns-5b9dfbf96-r8fkd',
      'coredns-5b9dfbf96-w2lx9',
    ]);
    // The pods without a log in the fixture answer with an empty log: read, and nothing in it.
    expect(system.dnsLogsUnread).toBeUndefined();
  });

  it('falls back to the EndpointSlices when kube-dns has no Endpoints object', async () => {
    const fixture = healthyCluster();
    remove(fixture, 'Endpoints', 'kube-dns');
    fixture.objects.push(
      endpointSlice('kube-system', 'kube-dns', 1, 2, { port: 53 }),
      endpointSlice('kube-system', 'other', 5, 0, { port: 53 }),
    );
    const system = data((await collect(fixture)).kubeSystem);
    expect(system.dnsEndpoints).toEqual({ ready: 1, notReady: 2 });
    const sliceRead = (sim as Simulator).requests.find((r) => r.path.endsWith('/endpointslices'));
    expect(sliceRead?.query.get('labelSelector')).toBe('kubernetes.io/service-name=kube-dns');
  });

  it('says so when kube-dns has neither, and when its endpoints or logs cannot be read, without failing the source', async () => {
    const none = healthyCluster();
    remove(none, 'Endpoints', 'kube-dns');
    const missing = data((await collect(none)).kubeSystem);
    expect(missing.dnsEndpoints).toEqual({
      error: expect.stringMatching(/kube-dns has neither Endpoints nor EndpointSlices/),
    });
    await sim?.close();

    const denied = healthyCluster();
    denied.faults = [
      { path: '/api/v1/namespaces/kube-system/endpoints/kube-dns', status: 403 },
      { path: /^\/api\/v1\/namespaces\/kube-system\/pods\/coredns-5b9dfbf96-r8fkd\/log/, status: 403 },
    ];
    const system = data((await collect(denied)).kubeSystem);
    expect(system.dnsEndpoints).toEqual({ error: expect.stringMatching(/HTTP 403/) });
    expect(system.pods.length).toBe(8);
    expect(system.dnsLogsUnread).toEqual([
      { pod: 'coredns-5b9dfbf96-r8fkd', error: expect.stringMatching(/HTTP 403/) },
    ]);
    expect(system.dnsLogs?.lines).toBeGreaterThan(0);
  });

  it('fails as a source when its pods cannot be listed', async () => {
    const fixture = healthyCluster();
    fixture.faults = [{ path: '/api/v1/namespaces/kube-system/pods', status: 403 }];
    const snapshot = await collect(fixture);
    expect(snapshot.kubeSystem).toMatchObject({ ok: false, error: { kind: 'forbidden', status: 403 } });
    expect(snapshot.operatorPods.ok).toBe(true);
  });

  it('names pods by k8s-app, then app.kubernetes.io/name, then app; and pages through kube-system', async () => {
    const fixture = healthyCluster();
    const csi = systemPod('kube-proxy', 'csi01', NODE_1);
    csi.metadata.name = 'ebs-csi-node-csi01';
    csi.metadata.labels = { 'app.kubernetes.io/name': 'aws-ebs-csi-driver', app: 'ebs-csi-node' };
    const plain = systemPod('kube-proxy', 'plain', NODE_1);
    plain.metadata.name = 'metrics-server-6d94bc8694-plain';
    plain.metadata.labels = { app: 'metrics-server' };
    fixture.objects.push(csi, plain);
    const system = data((await collect(fixture)).kubeSystem);
    expect(system.pods.find((p) => p.name === 'ebs-csi-node-csi01')?.app).toBe('aws-ebs-csi-driver');
    expect(system.pods.find((p) => p.name === 'metrics-server-6d94bc8694-plain')?.app).toBe('metrics-server');
    const list = (sim as Simulator).requests.find((r) => r.path === '/api/v1/namespaces/kube-system/pods');
    expect(list?.query.get('limit')).toBe('500');
  });
});

describe("the registries' datasources", () => {
  const withRegistries = (hosts: { name: string; namespace?: string; host: string; port?: number }[]) => {
    const fixture = healthyCluster();
    fixture.objects.push(
      ...hosts.map((h) =>
        registry('tenant-operator', {
          namespace: h.namespace ?? 'tenants-1',
          name: h.name,
          desired: 1,
          ready: 1,
          failed: 0,
          datasource: { host: h.host, ...(h.port ? { port: h.port } : {}) },
        }),
      ),
    );
    return fixture;
  };
  const datasources = (snapshot: ClusterState) =>
    Object.fromEntries(data(snapshot.registries).map((r) => [r.name, r.datasource]));

  it('tells a Service of this cluster from an external address, as a pod resolver would, and reads its endpoints', async () => {
    const fixture = withRegistries([
      { name: 'bare', namespace: 'tenant-db', host: 'mysql' },
      { name: 'short', host: 'mysql.tenant-db', port: 3307 },
      { name: 'svc', host: 'mysql.tenant-db.svc' },
      { name: 'fqdn-dot', host: 'MySQL.tenant-db.svc.cluster.local.' },
      { name: 'gone', host: 'mysql-old.tenant-db.svc.cluster.local' },
      { name: 'degraded', host: 'replica.tenant-db.svc.cluster.local' },
      { name: 'ip', host: '10.0.9.9' },
      { name: 'rds', host: 'tenants.cluster-abc123.eu-west-1.rds.amazonaws.com' },
      { name: 'two-labels', host: 'db.example' },
      { name: 'public', host: 'db.example.com' },
    ]);
    fixture.objects.push(
      service(DATASOURCE.namespace, 'replica', { ports: [{ port: 3306 }] }),
      endpoints(DATASOURCE.namespace, 'replica', 0, 2, { port: 3306 }),
    );
    const sources = datasources(await collect(fixture));
    const healthy = {
      namespace: 'tenant-db',
      name: 'mysql',
      exists: true,
      readyEndpoints: 1,
      notReadyEndpoints: 0,
    };
    expect(sources.bare).toEqual({
      type: 'mysql',
      host: 'mysql',
      port: 3306,
      scope: 'cluster',
      service: healthy,
    });
    expect(sources.short).toMatchObject({ port: 3307, scope: 'cluster', service: healthy });
    expect(sources.svc).toMatchObject({ scope: 'cluster', service: healthy });
    expect(sources['fqdn-dot']).toMatchObject({ scope: 'cluster', service: healthy });
    expect(sources.gone).toMatchObject({
      scope: 'cluster',
      service: {
        namespace: 'tenant-db',
        name: 'mysql-old',
        exists: false,
        readyEndpoints: 0,
        notReadyEndpoints: 0,
      },
    });
    expect(sources.degraded?.service).toEqual({
      namespace: 'tenant-db',
      name: 'replica',
      exists: true,
      readyEndpoints: 0,
      notReadyEndpoints: 2,
    });
    expect(sources.ip).toEqual({ type: 'mysql', host: '10.0.9.9', port: 3306, scope: 'external' });
    expect(sources.rds).toMatchObject({ scope: 'external' });
    expect(sources.rds?.service).toBeUndefined();
    // `db.example` would be Service db of namespace example; there is none, so the name leaves the cluster.
    expect(sources['two-labels']).toEqual({
      type: 'mysql',
      host: 'db.example',
      port: 3306,
      scope: 'external',
    });
    expect(sources.public).toMatchObject({ scope: 'external' });
    // Each Service once: mysql, mysql-old, replica, example/db.
    const reads = (sim as Simulator).requests.filter(
      (r) => /\/endpoints\/[^/]+$/.test(r.path) && !r.path.includes('kube-system'),
    );
    expect(reads.map((r) => r.path).sort()).toEqual([
      '/api/v1/namespaces/example/endpoints/db',
      '/api/v1/namespaces/tenant-db/endpoints/mysql',
      '/api/v1/namespaces/tenant-db/endpoints/mysql-old',
      '/api/v1/namespaces/tenant-db/endpoints/replica',
    ]);
  });

  it('defaults the port to 3306, reads at most 20 Services, and records an endpoint read that failed', async () => {
    const fixture = withRegistries(
      Array.from({ length: 24 }, (_, i) => ({
        name: `r${String(i).padStart(2, '0')}`,
        host: `db-${String(i).padStart(2, '0')}.shard`,
      })),
    );
    const raw = fixture.objects.find((o) => o.metadata.name === 'r00') as KubeObject;
    delete ((raw.spec as { source: { mysql: Record<string, unknown> } }).source.mysql as { port?: number })
      .port;
    fixture.faults = [{ path: '/api/v1/namespaces/tenant-db/endpoints/mysql', status: 500 }];
    const snapshot = await collect(fixture);
    const sources = datasources(snapshot);
    expect(sources.r00).toMatchObject({ port: 3306 });
    const unread = Object.values(sources).filter(
      (s) => s?.service && 'error' in s.service && /not read/.test(s.service.error),
    );
    // 25 distinct Services (the default registry's and 24 shards): 20 read, 5 not.
    expect(unread).toHaveLength(5);
    expect(sources.customers).toMatchObject({
      scope: 'cluster',
      service: { namespace: 'tenant-db', name: 'mysql', error: expect.stringMatching(/HTTP 500/) },
    });
    const reads = (sim as Simulator).requests.filter(
      (r) => /\/endpoints\/[^/]+$/.test(r.path) && !r.path.includes('kube-system'),
    );
    // Twenty Services read (the one answering 500 is retried within the budget, as reads are).
    expect(new Set(reads.map((r) => r.path)).size).toBe(20);
    expect(snapshot.registries.ok).toBe(true);
  });
});

describe('network policies', () => {
  it("reads egress rules as written, and evaluates the pod selector against the operator's labels", async () => {
    const ns = 'tenant-operator-system';
    const fixture = healthyCluster();
    fixture.objects.push(
      networkPolicy(ns, 'default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] }),
      networkPolicy(ns, 'allow-dns-and-db', {
        podSelector: {
          matchExpressions: [
            { key: 'control-plane', operator: 'In', values: ['controller-manager', 'other'] },
            { key: 'app.kubernetes.io/name', operator: 'Exists' },
          ],
        },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
              },
            ],
            ports: [
              { port: 53, protocol: 'UDP' },
              { port: 53, protocol: 'TCP' },
            ],
          },
          {
            to: [
              { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.5.0/24'] } },
              { namespaceSelector: { matchLabels: { name: 'tenant-db' } } },
              { podSelector: { matchLabels: { app: 'mysql' } } },
            ],
            ports: [{ port: 3306 }],
          },
          { to: [{ ipBlock: { cidr: '172.20.0.1/32' } }] },
          { ports: [{ port: 443, protocol: 'TCP' }] },
        ],
      }),
      networkPolicy(ns, 'webhook-only', {
        podSelector: {
          matchExpressions: [{ key: 'control-plane', operator: 'NotIn', values: ['controller-manager'] }],
        },
        policyTypes: ['Egress'],
        egress: [],
      }),
      networkPolicy(ns, 'other-app', {
        podSelector: { matchLabels: { app: 'webhook' } },
        policyTypes: ['Ingress', 'Egress'],
      }),
    );
    const policies = Object.fromEntries(
      data((await collect(fixture)).networkPolicies).map((p) => [p.name, p]),
    );
    expect(policies['default-deny-egress']).toMatchObject({
      selectsOperator: true,
      restrictsEgress: true,
      egressRules: 0,
      egress: [],
    });
    expect(policies['allow-dns-and-db']).toMatchObject({
      selectsOperator: true,
      restrictsEgress: true,
      egressRules: 4,
    });
    expect(policies['allow-dns-and-db']?.egress).toEqual([
      {
        ports: ['UDP/53', 'TCP/53'],
        peers: ['namespace:{kubernetes.io/metadata.name=kube-system}+pod:{k8s-app=kube-dns}'],
      },
      {
        ports: ['TCP/3306'],
        peers: ['cidr:10.0.0.0/16 except 10.0.5.0/24', 'namespace:{name=tenant-db}', 'pod:{app=mysql}'],
      },
      { ports: [], peers: ['cidr:172.20.0.1/32'] },
      { ports: ['TCP/443'], peers: [] },
    ]);
    expect(policies['webhook-only']).toMatchObject({ selectsOperator: false, restrictsEgress: false });
    expect(policies['other-app']).toMatchObject({ selectsOperator: false, restrictsEgress: false });
  });
});

describe('events', () => {
  it('takes when an event began from firstTimestamp, else eventTime, else its creation', async () => {
    const fixture = healthyCluster();
    const modern = event({
      namespace: 't',
      type: 'Warning',
      reason: 'FailedScheduling',
      message: 'm',
      kind: 'Pod',
      name: 'a',
      secondsAgo: 100,
    });
    modern.firstTimestamp = null;
    modern.lastTimestamp = null;
    modern.eventTime = ago(700);
    modern.series = { count: 4, lastObservedTime: ago(100) };
    const bare = event({
      namespace: 't',
      type: 'Warning',
      reason: 'FailedMount',
      message: 'm',
      kind: 'Pod',
      name: 'b',
      secondsAgo: 50,
    });
    delete bare.firstTimestamp;
    fixture.objects.push(modern, bare);
    const recent = data((await collect(fixture)).events).recent;
    expect(recent.find((e) => e.reason === 'FailedScheduling')).toMatchObject({
      firstTime: ago(700),
      lastTime: ago(100),
      count: 4,
    });
    expect(recent.find((e) => e.reason === 'FailedMount')).toMatchObject({
      firstTime: ago(50),
      lastTime: ago(50),
    });
  });
});
