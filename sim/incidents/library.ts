/**
 * The incident library: one scenario per cause of the runbook, plus healthy, healthy-but-busy and
 * alert-blind. Each starts from a healthy production-like cluster with its everyday noise (update
 * conflicts in the logs, a crash-looping workload's BackOff events, a readiness probe flapping) and
 * changes what that incident changes, with the messages Kubernetes, client-go and controller-runtime
 * really print. The checks must find the signal, not the fixture.
 */
import type { CauseId } from '../../lambda/model/causes.js';
import type { OperatorPreset } from '../../lambda/presets.js';
import {
  ago,
  event,
  healthyCluster,
  klogTime,
  networkPolicy,
  node,
  operatorNames,
  operatorPod,
  quota,
  reconcilerError,
  reconcileSuccess,
  registry,
  setFixtureClock,
  tenant,
  workloadPod,
} from '../kube/fixtures.js';
import type { ClusterFixture } from '../kube/server.js';
import {
  ALERT_BLIND_RATES,
  BASELINE_RATES,
  type MetricScenario,
  openMetricsBackfill,
  type Rates,
  SCENARIO_SPACING_SECONDS,
} from '../metrics/scenarios.js';
import { type PrometheusServer, startPrometheus } from '../prometheus.js';

export interface Incident {
  name: string;
  /** The top cause the checker must name (`none` when healthy). */
  cause: CauseId | 'none';
  /** The alert state after one cycle. */
  alert: 'inactive' | 'firing';
  /** The operator's alerting rules that fire and page at the first cycle (none when absent). */
  pages?: string[];
  description: string;
  metrics: Omit<MetricScenario, 'name' | 'expected'>;
  fixture: () => ClusterFixture;
  /**
   * Set when the trouble is the checker's own access, not the cluster: `forbidden` when the checker is
   * authenticated but allowed nothing beyond /livez, /readyz and /healthz (an EKS access entry whose group
   * no role is bound to: k8s/checker-rbac.yaml not applied), `unreachable` when it cannot reach the API
   * server at all. The report must say that the checker is not allowed (or cannot reach), with the remedy,
   * and name none of the runbook's causes: `cause` is then `none`.
   */
  checker?: 'forbidden' | 'unreachable';
  /**
   * The operator's flavour when it is not the default tenant-operator (names from lambda/presets.ts): the
   * checker must be configured with this preset, and the metrics carry this preset's reconcile metric.
   */
  preset?: OperatorPreset;
}

export const NS = operatorNames().namespace;
export const POD = operatorPod('tenant-operator', 'x7k2p').metadata.name;
export const LOG_KEY = `${NS}/${POD}/manager`;

const BASE = BASELINE_RATES;
export const FIRING: Rates = {
  success: 8,
  error: 2,
  crTotal: 10,
  crErrors: 2,
  rest200: 20,
  workqueueDepth: 60,
};
export const firing = (extra: Rates = {}): Incident['metrics'] => ({
  phases: [
    { from: -3600, rates: BASE },
    { from: -40 * 60, rates: { ...FIRING, ...extra } },
  ],
});

/** The operator's log: everyday successes and conflicts, with the incident's lines woven in. */
function operatorLog(incident: string[], encoding: 'console' | 'json' = 'console'): string {
  const lines: string[] = [];
  for (let i = 0; i < 300; i++) {
    lines.push(reconcileSuccess(encoding, 900 - i * 2, `customer-${String(i % 40).padStart(5, '0')}`));
    if (i % 60 === 13) {
      lines.push(
        reconcilerError(
          encoding,
          900 - i * 2,
          `customer-${String(i % 40).padStart(5, '0')}`,
          `Operation cannot be fulfilled on tenants.operator.kubernetes-tenants.org "customer-${String(i % 40).padStart(5, '0')}": the object has been modified; please apply your changes to the latest version and try again`,
        ),
      );
    }
    const extra = incident[i];
    if (extra) lines.push(extra);
  }
  return `${lines.join('\n')}\n`;
}

/** `count` "Reconciler error" lines with this error, for different tenants. */
function reconcileErrors(
  count: number,
  error: (tenant: string) => string,
  encoding: 'console' | 'json' = 'console',
): string[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `customer-${String(i % 40).padStart(5, '0')}`;
    return reconcilerError(encoding, 600 - i * 5, name, error(name));
  });
}

function withLogs(
  fixture: ClusterFixture,
  lines: string[],
  encoding: 'console' | 'json' = 'console',
): ClusterFixture {
  fixture.logs = { ...fixture.logs, [LOG_KEY]: operatorLog(lines, encoding) };
  return fixture;
}

/** Everyday noise every scenario carries. */
export function noisy(fixture: ClusterFixture): ClusterFixture {
  fixture.objects.push(
    event({
      namespace: 'kube-system',
      type: 'Warning',
      reason: 'Unhealthy',
      message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
      kind: 'Pod',
      name: 'ebs-csi-controller-7c9d8-abcde',
      secondsAgo: 420,
      count: 3,
    }),
    event({
      namespace: 'tenants-2',
      type: 'Normal',
      reason: 'Pulled',
      message: 'Container image "nginx:1.27" already present on machine',
      kind: 'Pod',
      name: 'web-22-5f6d7c',
      secondsAgo: 200,
    }),
  );
  return fixture;
}

export function replaceObject(
  fixture: ClusterFixture,
  kind: string,
  name: string,
  replacement: ClusterFixture['objects'][number],
) {
  fixture.objects = fixture.objects.map((o) =>
    o.kind === kind && o.metadata.name === name ? replacement : o,
  );
}

function notReadyTenants(fixture: ClusterFixture, count: number, reason: string, message: string) {
  for (let i = 0; i < count; i++) {
    replaceObject(
      fixture,
      'Tenant',
      `customer-${String(i).padStart(5, '0')}`,
      tenant('tenant-operator', {
        namespace: `tenants-${i % 4}`,
        name: `customer-${String(i).padStart(5, '0')}`,
        ready: 'False',
        reason,
        message,
        degraded: true,
      }),
    );
  }
}

const base = () => noisy(healthyCluster({ tenants: 40 }));

export const INCIDENTS: Incident[] = [
  {
    name: 'healthy',
    cause: 'none',
    alert: 'inactive',
    description: '1% errors, everything ready: the checker must not page',
    metrics: { phases: [{ from: -3600, rates: BASE }] },
    fixture: () => withLogs(base(), []),
  },
  {
    name: 'healthy-busy',
    cause: 'none',
    alert: 'inactive',
    description: '100 reconciles/s with 2% errors (conflicts and a few timeouts): busy, not broken',
    metrics: {
      tenants: 40,
      phases: [
        {
          from: -3600,
          rates: { success: 98, error: 2, crTotal: 100, crErrors: 2, rest200: 180, workqueueDepth: 40 },
        },
      ],
    },
    fixture: () =>
      withLogs(
        base(),
        reconcileErrors(
          3,
          () =>
            'failed to update status: Put "https://172.20.0.1:443/apis/operator.kubernetes-tenants.org/v1/namespaces/tenants-1/tenants/x/status": context deadline exceeded',
        ),
      ),
  },
  {
    name: 'alert-blind',
    cause: 'quota-exceeded',
    alert: 'inactive',
    pages: ['RegistryManyTenantsFailure', 'TenantDegraded', 'TenantNotReady', 'TenantResourcesFailed'],
    description:
      '30% of reconciles end partial_failure on exhausted quotas; result="error" stays at 0.5%: the runbook\'s alert never fires',
    metrics: {
      // 12 of the 40 tenants have failed resources (the quota refuses their Deployments): the
      // operator's own rules (TenantResourcesFailed, …) fire where the runbook's alert is blind.
      tenants: 40,
      phases: [
        { from: -3600, rates: BASE },
        {
          from: -50 * 60,
          rates: { ...ALERT_BLIND_RATES, failingTenants: 12 },
        },
      ],
    },
    fixture: () => {
      const f = withLogs(
        base(),
        reconcileErrors(
          40,
          (t) =>
            `failed to apply Deployment ${t}-app: deployments.apps "${t}-app" is forbidden: exceeded quota: compute, requested: requests.cpu=250m, used: requests.cpu=8, limited: requests.cpu=8`,
        ),
      );
      f.objects.push(
        ...[1, 2, 3].map((i) =>
          quota(
            `tenants-${i}`,
            'compute',
            { 'requests.cpu': '8', pods: '40' },
            { 'requests.cpu': '8', pods: '31' },
          ),
        ),
      );
      return f;
    },
  },
  {
    name: 'apiserver-unavailable',
    cause: 'apiserver-unavailable',
    alert: 'firing',
    description: 'the API server times out and /readyz fails',
    metrics: firing(),
    fixture: () => {
      const f = withLogs(
        base(),
        reconcileErrors(
          60,
          (t) =>
            `failed to get Deployment ${t}-app: Get "https://172.20.0.1:443/apis/apps/v1/namespaces/tenants-1/deployments/${t}-app": context deadline exceeded`,
        ),
      );
      f.raw = {
        ...f.raw,
        '/readyz': {
          status: 500,
          body: '[+]ping ok\n[+]etcd ok\n[-]poststarthook/start-service-ip-repair-controllers failed: reason withheld\nreadyz check failed\n',
        },
      };
      return f;
    },
  },
  {
    name: 'apiserver-throttling',
    cause: 'apiserver-throttling',
    alert: 'firing',
    description: 'client-side throttling and 429s from API Priority and Fairness',
    metrics: firing({ rest200: 15, rest429: 5 }),
    fixture: () =>
      withLogs(base(), [
        ...Array.from(
          { length: 30 },
          (_, i) =>
            `I${klogTime(600 - i * 17)}       1 request.go:697] Waited for ${(1 + (i % 5) * 0.7).toFixed(2)}s due to client-side throttling, not priority and fairness, request: GET:https://172.20.0.1:443/apis/apps/v1/namespaces/tenants-${i % 4}/deployments`,
        ),
        ...reconcileErrors(
          40,
          () =>
            'the server has received too many requests and has asked us to try again later (get deployments.apps)',
        ),
      ]),
  },
  {
    name: 'apiserver-network',
    cause: 'apiserver-network',
    alert: 'firing',
    description: 'connections to the API server service are refused',
    metrics: firing(),
    fixture: () =>
      withLogs(
        base(),
        reconcileErrors(
          50,
          () =>
            'failed to list TenantTemplates: Get "https://172.20.0.1:443/apis/operator.kubernetes-tenants.org/v1/tenanttemplates": dial tcp 172.20.0.1:443: connect: connection refused',
        ),
      ),
  },
  {
    name: 'apiserver-auth',
    cause: 'apiserver-auth',
    alert: 'firing',
    description: "the operator's credentials are refused",
    metrics: firing(),
    fixture: () =>
      withLogs(base(), [
        ...reconcileErrors(40, () => 'Unauthorized'),
        ...Array.from(
          { length: 10 },
          () =>
            `E${klogTime(119)}       1 reflector.go:158] "Unhandled Error" err="failed to list *v1.Tenant: Unauthorized"`,
        ),
      ]),
  },
  {
    name: 'controller-bug',
    cause: 'controller-bug',
    alert: 'firing',
    description: "reconciles fail in the operator's own template rendering, with nothing wrong around it",
    metrics: firing(),
    fixture: () =>
      withLogs(
        base(),
        reconcileErrors(
          60,
          (t) =>
            `failed to render resources for ${t}: template: deployment:14:22: executing "deployment" at <.extraValues.tier>: map has no entry for key "tier"`,
        ),
      ),
  },
  {
    name: 'controller-crash',
    cause: 'controller-crash',
    alert: 'firing',
    description: 'the manager panics on a nil pointer and crash-loops',
    metrics: firing(),
    fixture: () => {
      const f = withLogs(base(), []);
      const pod = operatorPod('tenant-operator', 'x7k2p', {
        ready: false,
        restartCount: 9,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 5m0s restarting failed container=manager pod=${POD}`,
          },
        },
        lastState: {
          terminated: {
            reason: 'Error',
            exitCode: 2,
            startedAt: ago(290),
            finishedAt: ago(259),
          },
        },
      });
      replaceObject(f, 'Pod', POD, pod);
      f.logs = {
        ...f.logs,
        [`${LOG_KEY}/previous`]: `${reconcileSuccess('console', 400, 'customer-00001')}\npanic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x28 pc=0x1a6f0c4]\n\ngoroutine 412 [running]:\ngithub.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).applyResources(0xc0004a2000, {0x2a1b3c0, 0xc00138e0f0})\n\t/workspace/internal/controller/tenant_controller.go:412 +0x64\n`,
      };
      return f;
    },
  },
  {
    name: 'controller-resource-exhaustion',
    cause: 'controller-resource-exhaustion',
    alert: 'firing',
    description: 'the manager is OOMKilled at its 128Mi limit',
    metrics: firing(),
    fixture: () => {
      const f = withLogs(base(), []);
      replaceObject(
        f,
        'Pod',
        POD,
        operatorPod('tenant-operator', 'x7k2p', {
          ready: true,
          restartCount: 4,
          lastState: {
            terminated: {
              reason: 'OOMKilled',
              exitCode: 137,
              startedAt: ago(1200),
              finishedAt: ago(467),
            },
          },
        }),
      );
      f.objects = f.objects.map((o) =>
        o.kind === 'PodMetrics'
          ? { ...o, containers: [{ name: 'manager', usage: { cpu: '480m', memory: '126Mi' } }] }
          : o,
      );
      f.logs = {
        ...f.logs,
        [`${LOG_KEY}/previous`]: `${reconcileSuccess('console', 500, 'customer-00002')}\n`,
      };
      return f;
    },
  },
  {
    name: 'controller-deadlock',
    cause: 'controller-deadlock',
    alert: 'firing',
    description: 'a worker is stuck for 30 minutes while the queue grows',
    metrics: firing({
      workqueueDepth: 900,
      longestRunning: 1800,
      success: 0.8,
      error: 0.2,
      crTotal: 1,
      crErrors: 0.2,
    }),
    fixture: () =>
      withLogs(
        base(),
        reconcileErrors(8, () => 'timed out waiting for cache to be synced'),
      ),
  },
  {
    name: 'etcd-degraded',
    cause: 'etcd-degraded',
    alert: 'firing',
    description: 'etcd is slow and failing its health check',
    metrics: firing(),
    fixture: () => {
      const f = withLogs(
        base(),
        reconcileErrors(40, () => 'etcdserver: request timed out'),
      );
      f.raw = {
        ...f.raw,
        '/readyz': {
          status: 500,
          body: '[+]ping ok\n[-]etcd failed: reason withheld\n[+]log ok\nreadyz check failed\n',
        },
      };
      return f;
    },
  },
  {
    name: 'control-plane-degraded',
    cause: 'control-plane-degraded',
    alert: 'firing',
    description: 'the API server answers, but slowly (p95 near 3 s)',
    metrics: { ...firing(), apiServerSlow: true },
    fixture: () =>
      withLogs(
        base(),
        reconcileErrors(
          10,
          () =>
            'failed to update status: Timeout: request did not complete within requested timeout - context deadline exceeded',
        ),
      ),
  },
  {
    name: 'network-instability',
    cause: 'network-instability',
    alert: 'firing',
    description: 'connections reset and a node reports NetworkUnavailable',
    metrics: firing(),
    fixture: () => {
      const f = withLogs(
        base(),
        reconcileErrors(
          40,
          () =>
            'failed to watch Deployments: read tcp 10.0.1.57:43122->172.20.0.1:443: read: connection reset by peer',
        ),
      );
      replaceObject(
        f,
        'Node',
        'ip-10-0-2-11.eu-west-1.compute.internal',
        node(2, { conditions: { NetworkUnavailable: 'True' } }),
      );
      return f;
    },
  },
  {
    name: 'dns-failure',
    cause: 'dns-failure',
    alert: 'firing',
    description: 'cluster DNS does not answer',
    metrics: firing(),
    fixture: () =>
      withLogs(
        base(),
        reconcileErrors(
          40,
          () =>
            'Get "https://kubernetes.default.svc.cluster.local:443/api": dial tcp: lookup kubernetes.default.svc.cluster.local on 172.20.0.10:53: read udp 10.0.1.57:51234->172.20.0.10:53: i/o timeout',
        ),
      ),
  },
  {
    name: 'rbac-denied',
    cause: 'rbac-denied',
    alert: 'firing',
    description: "the operator's ClusterRole lost tenants/status",
    metrics: firing(),
    fixture: () => {
      const f = withLogs(
        base(),
        reconcileErrors(
          50,
          (t) =>
            `failed to update status: tenants.operator.kubernetes-tenants.org "${t}" is forbidden: User "system:serviceaccount:tenant-operator-system:tenant-operator-controller-manager" cannot update resource "tenants/status" in API group "operator.kubernetes-tenants.org" in the namespace "tenants-1"`,
        ),
      );
      f.accessRules = f.accessRules?.map((r) => (r.subresource === 'status' ? { ...r, allowed: false } : r));
      return f;
    },
  },
  {
    name: 'admission-webhook-denied',
    cause: 'admission-webhook-denied',
    alert: 'firing',
    description: 'a policy webhook denies the Deployments the operator creates',
    metrics: firing(),
    fixture: () => {
      const message = (t: string) =>
        `admission webhook "validate.kyverno.svc-fail" denied the request: resource Deployment/tenants-1/${t}-app was blocked due to the following policies require-run-as-nonroot: autogen-run-as-non-root: 'validation error: Running as root is not allowed.'`;
      const f = withLogs(
        base(),
        reconcileErrors(45, (t) => `failed to apply Deployment ${t}-app: ${message(t)}`),
      );
      f.objects.push(
        event({
          namespace: 'tenants-1',
          type: 'Warning',
          reason: 'PolicyViolation',
          message: message('customer-00003'),
          kind: 'Tenant',
          name: 'customer-00003',
          secondsAgo: 60,
          count: 12,
        }),
      );
      return f;
    },
  },
  {
    name: 'quota-exceeded',
    cause: 'quota-exceeded',
    alert: 'firing',
    description: 'namespace quotas are exhausted across many tenant namespaces',
    metrics: firing(),
    fixture: () => {
      const f = withLogs(
        base(),
        reconcileErrors(
          50,
          (t) =>
            `failed to apply Deployment ${t}-app: deployments.apps "${t}-app" is forbidden: exceeded quota: compute, requested: requests.cpu=250m, used: requests.cpu=8, limited: requests.cpu=8`,
        ),
      );
      f.objects.push(
        ...[1, 2, 3].map((i) =>
          quota(
            `tenants-${i}`,
            'compute',
            { 'requests.cpu': '8', pods: '40' },
            { 'requests.cpu': '8', pods: '32' },
          ),
        ),
      );
      notReadyTenants(f, 8, 'ResourcesFailed', 'Deployment app: exceeded quota: compute');
      return f;
    },
  },
  {
    name: 'cluster-capacity',
    cause: 'cluster-capacity',
    alert: 'firing',
    description: 'every node is fully requested and under memory pressure',
    metrics: firing(),
    fixture: () => {
      const f = withLogs(
        base(),
        reconcileErrors(20, (t) => `Deployment ${t}-app not ready: 0/1 replicas available`),
      );
      const nodes = [1, 2, 3].map((i) =>
        node(i, { conditions: { MemoryPressure: i < 3 ? 'True' : 'False' } }),
      );
      for (const n of nodes) replaceObject(f, 'Node', n.metadata.name, n);
      f.objects.push(
        ...nodes.map((n, i) =>
          workloadPod('batch', `big-${i}-7c8d9`, n.metadata.name, { cpu: '3800m', memory: '14Gi' }),
        ),
      );
      f.objects.push(
        event({
          namespace: 'tenants-2',
          type: 'Warning',
          reason: 'FailedScheduling',
          message:
            '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
          kind: 'Pod',
          name: 'customer-00011-app-6b7c8',
          secondsAgo: 30,
          count: 4,
        }),
      );
      return f;
    },
  },
  {
    name: 'storage-provisioning',
    cause: 'storage-provisioning',
    alert: 'firing',
    description: 'the EBS CSI driver cannot create volumes',
    metrics: firing(),
    fixture: () => {
      const f = withLogs(
        base(),
        reconcileErrors(
          20,
          (t) =>
            `PersistentVolumeClaim ${t}-data is Pending: waiting for a volume to be created, either by external provisioner "ebs.csi.aws.com" or manually created by system administrator`,
        ),
      );
      f.objects.push(
        ...[0, 1, 2].map((i) =>
          event({
            namespace: `tenants-${i}`,
            type: 'Warning',
            reason: 'ProvisioningFailed',
            message: `failed to provision volume with StorageClass "gp3": rpc error: code = Internal desc = Could not create volume "pvc-${i}a1b2": UnauthorizedOperation: You are not authorized to perform this operation.`,
            kind: 'PersistentVolumeClaim',
            name: `customer-0000${i}-data`,
            secondsAgo: 40 + i,
            count: 9,
          }),
        ),
      );
      return f;
    },
  },
  {
    name: 'pod-scheduling',
    cause: 'pod-scheduling',
    alert: 'firing',
    description: 'tenant pods cannot be scheduled: their node selector matches no node',
    metrics: firing(),
    fixture: () => {
      const f = withLogs(
        base(),
        reconcileErrors(20, (t) => `Deployment ${t}-app not ready: 0/1 replicas available`),
      );
      f.objects.push(
        ...[0, 1, 2, 3].map((i) =>
          event({
            namespace: `tenants-${i}`,
            type: 'Warning',
            reason: 'FailedScheduling',
            message:
              "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
            kind: 'Pod',
            name: `customer-0000${i}-app-6b7c8`,
            secondsAgo: 20 + i,
            count: 15,
          }),
        ),
      );
      return f;
    },
  },
  {
    name: 'datasource-unavailable',
    cause: 'datasource-unavailable',
    alert: 'firing',
    description: "the registry's MySQL is down",
    metrics: firing(),
    fixture: () => {
      const f = withLogs(
        base(),
        reconcileErrors(
          40,
          () => 'failed to sync registry customers: dial tcp 10.0.3.7:3306: connect: connection refused',
        ),
      );
      replaceObject(
        f,
        'TenantRegistry',
        'customers',
        registry('tenant-operator', {
          namespace: 'tenants-0',
          name: 'customers',
          desired: 40,
          ready: 12,
          failed: 28,
          readyStatus: 'False',
          reason: 'DatabaseConnectionFailed',
          message:
            'failed to connect to MySQL mysql.data.svc.cluster.local:3306: dial tcp 10.0.3.7:3306: connect: connection refused',
        }),
      );
      return f;
    },
  },
  {
    name: 'external-api-timeout',
    cause: 'external-api-timeout',
    alert: 'firing',
    description: 'an external billing API the templates call times out',
    metrics: firing(),
    fixture: () =>
      withLogs(
        base(),
        reconcileErrors(
          45,
          (t) =>
            `failed to run post-apply hook for ${t}: Post "https://billing.example.com/api/v2/tenants": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        ),
      ),
  },
  {
    name: 'external-dns',
    cause: 'external-dns',
    alert: 'firing',
    description: 'an external hostname does not resolve',
    metrics: firing(),
    fixture: () =>
      withLogs(
        base(),
        reconcileErrors(
          45,
          () =>
            'failed to run post-apply hook: Post "https://billing.example.com/api/v2/tenants": dial tcp: lookup billing.example.com on 172.20.0.10:53: no such host',
        ),
      ),
  },
  {
    name: 'network-policy-blocking',
    cause: 'network-policy-blocking',
    alert: 'firing',
    description: 'a new NetworkPolicy lets the operator reach only MySQL: not the API server, not DNS',
    metrics: firing(),
    fixture: () => {
      const f = withLogs(
        base(),
        reconcileErrors(40, () => 'failed to sync registry customers: dial tcp 10.0.3.7:3306: i/o timeout'),
      );
      f.objects.push(
        networkPolicy(NS, 'restrict-egress', {
          podSelector: { matchLabels: { 'control-plane': 'controller-manager' } },
          policyTypes: ['Egress'],
          egress: [{ ports: [{ port: 3306, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '10.0.9.0/24' } }] }],
        }),
      );
      return f;
    },
  },
];

/** The instant each incident's metrics end at, in one TSDB: two hours ago, then every 8 hours before. */
export function incidentTimes(now = Date.now()): (i: number) => number {
  const t0 = Math.floor(now / 60_000) * 60 - 2 * 3600;
  return (i) => t0 - i * SCENARIO_SPACING_SECONDS;
}

/** The incident's cluster as it stands at `at` (the instant the cycle evaluates): its times line up with its metrics. */
export function incidentFixture(incident: Incident, at: Date | number): ClusterFixture {
  setFixtureClock(at);
  return incident.fixture();
}

/** The real Prometheus with every incident's metrics backfilled, each ending at `timeOf(i)`. */
export function startIncidentPrometheus(
  timeOf: (i: number) => number,
  incidents: Incident[] = INCIDENTS,
): Promise<PrometheusServer> {
  return startPrometheus(
    openMetricsBackfill(
      incidents.map((incident, i) => ({
        scenario: { name: incident.name, expected: { verdict: 'ok', blind: false }, ...incident.metrics },
        t: timeOf(i),
      })),
    ),
  );
}
