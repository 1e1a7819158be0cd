/** Every collector against the simulator: normal data, both presets, both log encodings, 10,000 tenants. */
import { afterEach, expect, it } from 'vitest';
import type { ClusterState as ClusterSnapshot } from '../lambda/collect/collect-cluster.js';
import {
  ago,
  event,
  healthyCluster,
  operatorPod,
  reconcilerError,
  reconcileSuccess,
  tenant,
} from '../sim/kube/fixtures.js';
import { type ClusterFixture, type Simulator, startSimulator } from '../sim/kube/server.js';
import { collectFrom } from './helpers/collect.js';
import { describeNeeding } from './helpers/requirements.js';

const describe = describeNeeding('openssl');

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function collect(
  fixture: ClusterFixture,
  options: Parameters<typeof collectFrom>[1] = {},
): Promise<ClusterSnapshot> {
  sim = await startSimulator(fixture);
  return collectFrom(sim, options);
}

function data<T>(result: { ok: true; data: T } | { ok: false; error: unknown }): T {
  if (!result.ok) throw new Error(`expected data, got ${JSON.stringify(result.error)}`);
  return result.data;
}

describe('collecting a healthy tenant-operator cluster', () => {
  it('reads every source, with the real names', async () => {
    const snapshot = await collect(healthyCluster({ tenants: 40 }));
    for (const [name, value] of Object.entries(snapshot)) {
      if (value && typeof value === 'object' && 'ok' in value)
        expect(value.ok, `${name}: ${JSON.stringify((value as { error?: unknown }).error)}`).toBe(true);
    }
    const pods = data(snapshot.operatorPods);
    expect(pods.selector).toBe('control-plane=controller-manager,app.kubernetes.io/name=tenant-operator');
    expect(pods.runbookSelector).toEqual({ selector: 'app=tenant-operator', matched: 0 });
    expect(pods.pods).toHaveLength(1);
    expect(pods.pods[0]).toMatchObject({
      name: 'tenant-operator-controller-manager-7d9f8b6c5d-x7k2p',
      phase: 'Running',
      ready: true,
      replicaSet: 'tenant-operator-controller-manager-7d9f8b6c5d',
      containers: [
        {
          name: 'manager',
          ready: true,
          restartCount: 0,
          current: { state: 'running' },
          requests: { cpu: 0.01, memory: 64 * 2 ** 20 },
          limits: { cpu: 0.5, memory: 128 * 2 ** 20 },
        },
      ],
    });
    expect(data(snapshot.podMetrics)).toEqual([
      {
        pod: 'tenant-operator-controller-manager-7d9f8b6c5d-x7k2p',
        container: 'manager',
        usage: { cpu: 0.042, memory: 71 * 2 ** 20 },
      },
    ]);

    const logs = data(snapshot.operatorLogs);
    expect(logs.streams).toHaveLength(1);
    expect(logs.unread).toEqual([]);
    expect(logs.summary.reconcileErrors).toBe(4);
    expect(logs.summary.reconcileOther).toBe(196);
    expect(logs.summary.patterns[0]).toMatchObject({ count: 4, controller: 'tenant', tags: ['conflict'] });

    const deployment = data(snapshot.operatorDeployment);
    expect(deployment.concurrency).toEqual({ tenant: 10, registry: 3, template: 5 });
    expect(deployment.flags).toMatchObject({ 'metrics-bind-address': ':8443', 'leader-elect': 'true' });
    expect(deployment.replicaSets.map((r) => r.revision)).toEqual([3, 2]);
    expect(deployment.lastRolloutAt).toBe(ago(2 * 86_400));

    const metrics = data(snapshot.apiServerMetrics);
    expect(metrics.requestsByCode).toEqual({ '200': 138_333, '409': 310 });
    expect(metrics.requestDuration).toEqual({ sum: 2410.5, count: 48_211 });
    expect(metrics.etcdRequestDuration).toEqual({ sum: 120.25, count: 60_125 });
    expect(metrics.inflight).toEqual({ mutating: 3, readOnly: 11 });
    expect(metrics.text).toContain('apiserver_request_total{code="409"');
    expect(metrics.text).not.toContain('process_resident_memory_bytes');
    expect(metrics.text).not.toContain('_bucket');

    const health = data(snapshot.apiServerHealth);
    expect(health.probes.map((p) => ('status' in p ? [p.path, p.status] : [p.path, p.error]))).toEqual([
      ['/livez?verbose', 200],
      ['/readyz?verbose', 200],
      ['/healthz', 200],
    ]);

    const tenants = data(snapshot.tenants);
    expect(tenants).toMatchObject({
      kind: 'Tenant',
      total: 40,
      byReady: { True: 40, False: 0, Unknown: 0, Missing: 0 },
      notReady: [],
      namespaces: 4,
    });
    expect(data(snapshot.registries)).toEqual([
      expect.objectContaining({
        name: 'customers',
        desired: 40,
        ready: 40,
        failed: 0,
        readyCondition: expect.objectContaining({ status: 'True', reason: 'SyncSucceeded' }),
      }),
    ]);
    expect(data(snapshot.templates)).toEqual([
      { namespace: 'tenants-0', name: 'web-app', ready: 'True', reason: 'Valid' },
    ]);

    const rbac = data(snapshot.rbacChecks);
    expect(rbac.user).toBe('system:serviceaccount:tenant-operator-system:tenant-operator-controller-manager');
    expect(rbac.checks.map((c) => [c.id, c.allowed])).toEqual([
      ['list-tenants', true],
      ['update-tenants-status', true],
      ['update-tenants-named-status', true],
      ['create-deployments', true],
      ['create-services', true],
      ['create-configmaps', true],
      ['create-secrets', true],
    ]);

    const nodes = data(snapshot.nodes);
    expect(nodes.nodes).toHaveLength(3);
    expect(nodes.nodes[0]).toMatchObject({
      ready: 'True',
      pressures: [],
      allocatable: { cpu: 3.92, pods: 58 },
      usage: { cpu: 0.812 },
    });
    // 4 workload pods of 250m per node, and the operator's 10m on the first.
    expect(nodes.nodes.map((n) => n.requested.cpu)).toEqual([1.01, 1, 1]);
    expect(data(snapshot.resourceQuotas)).toEqual({ quotas: 1, nearLimit: [], atLimit: 0 });
    expect(data(snapshot.networkPolicies)).toEqual([
      expect.objectContaining({
        name: 'allow-metrics-traffic',
        selectsOperator: true,
        restrictsEgress: false,
      }),
    ]);
    const events = data(snapshot.events);
    expect(events.recent.map((e) => e.type)).toEqual(['Warning', 'Normal']);
    expect(events.warningsByReason).toEqual({ BackOff: 1 });
  });

  it('follows the paths a failure takes: DNS, the datasource, egress, and when events began', async () => {
    const snapshot = await collect(healthyCluster({ tenants: 40 }));
    const system = data(snapshot.kubeSystem);
    expect(system.dnsEndpoints).toEqual({ ready: 2, notReady: 0 });
    const byApp: Record<string, number> = {};
    for (const pod of system.pods) byApp[pod.app] = (byApp[pod.app] ?? 0) + 1;
    expect(byApp).toEqual({ 'kube-dns': 2, 'aws-node': 3, 'kube-proxy': 3 });
    expect(system.pods.every((p) => p.ready && p.phase === 'Running' && p.restartCount === 0)).toBe(true);
    expect(system.pods.find((p) => p.app === 'kube-dns')).toMatchObject({
      name: 'coredns-5b9dfbf96-r8fkd',
      nodeName: 'ip-10-0-1-11.eu-west-1.compute.internal',
      startedAt: ago(20 * 86_400),
    });
    expect(system.pods.some((p) => p.waitingReason || p.lastTerminated)).toBe(false);
    expect(system.dnsLogs).toMatchObject({ byLevel: { error: 0, warn: 0, info: 2 }, patterns: [] });
    expect(system.dnsLogsUnread).toBeUndefined();

    expect(data(snapshot.registries)[0]?.datasource).toEqual({
      type: 'mysql',
      host: 'mysql.tenant-db.svc.cluster.local',
      port: 3306,
      scope: 'cluster',
      service: {
        namespace: 'tenant-db',
        name: 'mysql',
        exists: true,
        readyEndpoints: 1,
        notReadyEndpoints: 0,
      },
    });

    // An ingress-only policy: no egress rules to read.
    expect(data(snapshot.networkPolicies)[0]).toMatchObject({ egress: [], egressRules: 0 });

    const events = data(snapshot.events);
    // The fixture's events began five minutes before they were last seen.
    expect(events.recent.map((e) => [e.reason, e.firstTime, e.lastTime])).toEqual([
      ['BackOff', ago(600), ago(300)],
      ['Scheduled', ago(3900), ago(3600)],
    ]);
  });

  it('asks the API server for the real SubjectAccessReviews, with the service account groups', async () => {
    await collect(healthyCluster());
    const reviews = (sim as Simulator).requests.filter(
      (r) => r.path === '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    );
    expect(reviews).toHaveLength(7);
    const specs = reviews.map((r) => JSON.parse(r.body ?? '{}').spec);
    expect(specs[0].groups).toEqual([
      'system:serviceaccounts',
      'system:serviceaccounts:tenant-operator-system',
      'system:authenticated',
    ]);
    expect(specs.map((s) => s.resourceAttributes)).toContainEqual({
      verb: 'update',
      group: 'operator.kubernetes-tenants.org',
      resource: 'tenants',
      subresource: 'status',
    });
  });

  it('tells the status subresource denied apart from the runbook literal that says yes', async () => {
    const fixture = healthyCluster();
    fixture.accessRules = fixture.accessRules?.map((r) =>
      r.subresource === 'status' ? { ...r, allowed: false } : r,
    );
    const rbac = data((await collect(fixture)).rbacChecks);
    expect(rbac.checks.find((c) => c.id === 'update-tenants-status')).toMatchObject({
      allowed: false,
      runbookCommand: 'kubectl auth can-i update tenants --subresource=status',
    });
    expect(rbac.checks.find((c) => c.id === 'update-tenants-named-status')).toMatchObject({
      allowed: true,
      misleading: true,
    });
  });
});

describe('the operator as it really fails', () => {
  it('reads a crash-looping pod, its last termination and the previous container log', async () => {
    const fixture = healthyCluster();
    const names = 'tenant-operator-system';
    const crashing = operatorPod('tenant-operator', 'x7k2p', {
      ready: false,
      restartCount: 7,
      state: {
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=manager' },
      },
      lastState: {
        terminated: {
          reason: 'OOMKilled',
          exitCode: 137,
          finishedAt: ago(120),
          startedAt: ago(600),
        },
      },
    });
    fixture.objects = fixture.objects.map((o) =>
      o.kind === 'Pod' && o.metadata.name === crashing.metadata.name ? crashing : o,
    );
    fixture.logs = {
      ...fixture.logs,
      [`${names}/${crashing.metadata.name}/manager/previous`]: `${reconcileSuccess('console', 200, 'a')}\n${reconcilerError('console', 130, 'b', 'failed to list tenants: context deadline exceeded')}\n`,
    };
    const snapshot = await collect(fixture);
    const pod = data(snapshot.operatorPods).pods[0];
    expect(pod?.containers[0]).toMatchObject({
      ready: false,
      restartCount: 7,
      current: { state: 'waiting', reason: 'CrashLoopBackOff' },
      last: { state: 'terminated', reason: 'OOMKilled', exitCode: 137, finishedAt: ago(120) },
    });
    const logs = data(snapshot.operatorLogs);
    expect(logs.streams.map((s) => [s.previous, s.lines])).toEqual([
      // 200 entries, four of them "Reconciler error" with a four-line stack trace
      [false, 216],
      [true, 6],
    ]);
    expect(logs.summary.tags.timeout).toBe(1);
  });

  it('reads the JSON log encoding as well as the console one', async () => {
    const lines = Array.from({ length: 100 }, (_, i) =>
      i % 4 === 0
        ? reconcilerError(
            'json',
            300 - i,
            `t-${i}`,
            'the server rejected our request due to an error in our request (429 Too Many Requests)',
          )
        : reconcileSuccess('json', 300 - i, `t-${i}`),
    );
    const logs = data((await collect(healthyCluster({ logEncoding: 'json', logLines: lines }))).operatorLogs);
    expect(logs.summary.reconcileErrors).toBe(25);
    expect(logs.summary.reconcileOther).toBe(75);
    expect(logs.summary.tags.throttling).toBe(25);
    expect(logs.summary.patterns[0]).toMatchObject({ count: 25, controller: 'tenant' });
  });

  it('tails the configured number of lines', async () => {
    const logs = data((await collect(healthyCluster(), { logTailLines: 50 })).operatorLogs);
    expect(logs.streams[0]?.lines).toBe(50);
    expect(logs.tailLines).toBe(50);
  });

  it('counts not-ready tenants by reason and keeps their names', async () => {
    const fixture = healthyCluster({ tenants: 0 });
    fixture.objects.push(
      ...Array.from({ length: 30 }, (_, i) =>
        tenant('tenant-operator', { namespace: 't', name: `ok-${i}`, ready: 'True' }),
      ),
      ...Array.from({ length: 6 }, (_, i) =>
        tenant('tenant-operator', {
          namespace: 't',
          name: `bad-${i}`,
          ready: 'False',
          reason: 'ResourcesFailed',
          message: 'deployment app: exceeded quota',
        }),
      ),
      tenant('tenant-operator', {
        namespace: 't',
        name: 'unknown-1',
        ready: 'Unknown',
        reason: 'Reconciling',
      }),
      event({
        namespace: 't',
        type: 'Warning',
        reason: 'FailedCreate',
        message: 'exceeded quota',
        kind: 'ReplicaSet',
        name: 'x',
        secondsAgo: 10,
      }),
    );
    const tenants = data((await collect(fixture)).tenants);
    expect(tenants.byReady).toEqual({ True: 30, False: 6, Unknown: 1, Missing: 0 });
    expect(tenants.notReadyByReason).toEqual({ ResourcesFailed: 6, Reconciling: 1 });
    expect(tenants.notReady[0]).toEqual({
      namespace: 't',
      name: 'bad-0',
      ready: 'False',
      reason: 'ResourcesFailed',
      message: 'deployment app: exceeded quota',
    });
  });
});

describe('both operator presets', () => {
  it('reads a Lynq cluster with the Lynq names (LynqNode, LynqHub, LynqForm, operator.lynq.sh)', async () => {
    const snapshot = await collect(healthyCluster({ preset: 'lynq', tenants: 12 }), { preset: 'lynq' });
    expect(data(snapshot.operatorPods).pods[0]?.name).toMatch(/^lynq-controller-manager-/);
    expect(data(snapshot.tenants)).toMatchObject({ kind: 'LynqNode', total: 12 });
    expect(data(snapshot.registries)[0]?.name).toBe('customers');
    expect(data(snapshot.rbacChecks).checks[0]).toMatchObject({
      id: 'list-lynqnodes',
      group: 'operator.lynq.sh',
      allowed: true,
    });
    expect(data(snapshot.operatorDeployment).name).toBe('lynq-controller-manager');
  });

  it('says when the CRDs of the configured preset are not served', async () => {
    const snapshot = await collect(healthyCluster({ preset: 'lynq' }), { preset: 'tenant-operator' });
    expect(snapshot.tenants).toMatchObject({ ok: false, error: { kind: 'bad-response', status: 404 } });
    expect(!snapshot.tenants.ok && snapshot.tenants.error.message).toMatch(
      /tenants.operator.kubernetes-tenants.org is not served by this cluster .*operator.preset/,
    );
  });
});

describe('10,000 tenants', () => {
  it('pages through them 500 at a time and keeps counts exact and names bounded', async () => {
    const fixture = healthyCluster({ tenants: 0 });
    fixture.objects.push(
      ...Array.from({ length: 10_000 }, (_, i) =>
        tenant('tenant-operator', {
          namespace: `ns-${i % 250}`,
          name: `customer-${String(i).padStart(5, '0')}`,
          ready: i % 20 === 0 ? 'False' : 'True',
          reason: i % 20 === 0 ? 'ReconcileError' : 'Reconciled',
        }),
      ),
    );
    const snapshot = await collect(fixture);
    const tenants = data(snapshot.tenants);
    expect(tenants.total).toBe(10_000);
    expect(tenants.byReady).toEqual({ True: 9500, False: 500, Unknown: 0, Missing: 0 });
    expect(tenants.pages).toBe(20);
    expect(tenants.namespaces).toBe(250);
    expect(tenants.notReady).toHaveLength(200);
    const pages = (sim as Simulator).requests.filter(
      (r) => r.path === '/apis/operator.kubernetes-tenants.org/v1/tenants',
    );
    expect(pages).toHaveLength(20);
    expect(pages.every((r) => r.query.get('limit') === '500')).toBe(true);
    expect(pages.slice(1).every((r) => r.query.get('continue'))).toBe(true);
  });
});
