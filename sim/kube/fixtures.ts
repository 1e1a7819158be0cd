/**
 * Builders for a realistic cluster running the operator, from its real manifests
 * (shared/reference/tenant-operator/manifests, kustomize prefix "tenant-operator-"): the deployment
 * and its pods with the real labels, tenants, registries and templates, nodes, workload pods,
 * quotas, network policies, events, pod and node metrics, and operator logs in controller-runtime's
 * zap encodings. Scenarios start from `healthyCluster()` and change what their incident changes.
 */
import { OPERATOR_PRESETS, type OperatorPreset } from '../../lambda/presets.js';
import { BASELINE_RATES, exposition } from '../metrics/scenarios.js';
import type { AccessRule, ClusterFixture, KubeObject } from './server.js';

/**
 * The fixtures' "now": the wall clock (to the minute) unless a test sets it, so that what kubectl and the
 * checker compute from the real clock (AGE, how old a restart is) agrees with the fixtures on any date.
 * An incident evaluated at a past instant sets it to that instant before building its fixture.
 */
let clock = Math.floor(Date.now() / 60_000) * 60_000;
export const fixtureNow = (): Date => new Date(clock);
export function setFixtureClock(at: Date | number): void {
  clock = typeof at === 'number' ? at : at.getTime();
}
export const ago = (seconds: number) => new Date(clock - seconds * 1000).toISOString();
/** A klog header's time (`MMDD hh:mm:ss.uuuuuu`, no year, UTC) `seconds` before the fixtures' now. */
export function klogTime(seconds: number): string {
  const t = new Date(clock - seconds * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(t.getUTCMonth() + 1)}${two(t.getUTCDate())} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}:${two(t.getUTCSeconds())}.412345`;
}

export interface OperatorClusterOptions {
  preset?: OperatorPreset;
  tenants?: number;
  operatorReplicas?: number;
  nodes?: number;
  logEncoding?: 'console' | 'json';
  logLines?: string[];
}

export function operatorNames(preset: OperatorPreset = 'tenant-operator') {
  return OPERATOR_PRESETS[preset];
}

function labelsFor(preset: OperatorPreset) {
  return Object.fromEntries(
    operatorNames(preset)
      .podSelector.split(',')
      .map((kv) => kv.split('=') as [string, string]),
  );
}

export function operatorDeployment(preset: OperatorPreset, args: string[]): KubeObject {
  const names = operatorNames(preset);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: names.deployment,
      namespace: names.namespace,
      labels: { ...labelsFor(preset), 'app.kubernetes.io/managed-by': 'kustomize' },
      annotations: { 'deployment.kubernetes.io/revision': '3' },
      creationTimestamp: ago(30 * 86_400),
      generation: 3,
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: labelsFor(preset) },
      template: {
        metadata: {
          labels: labelsFor(preset),
          annotations: { 'kubectl.kubernetes.io/default-container': 'manager' },
        },
        spec: {
          serviceAccountName: names.serviceAccount,
          containers: [
            {
              name: 'manager',
              image: 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.8',
              command: ['/manager'],
              args,
              ports: [{ containerPort: 8443, name: 'https', protocol: 'TCP' }],
              resources: {
                limits: { cpu: '500m', memory: '128Mi' },
                requests: { cpu: '10m', memory: '64Mi' },
              },
            },
          ],
        },
      },
    },
    status: {
      replicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      updatedReplicas: 1,
      observedGeneration: 3,
    },
  };
}

export const DEFAULT_ARGS = [
  '--metrics-bind-address=:8443',
  '--leader-elect',
  '--health-probe-bind-address=:8081',
  '--tenant-concurrency=10',
  '--registry-concurrency=3',
  '--template-concurrency=5',
];

export function operatorReplicaSets(
  preset: OperatorPreset,
  revisions: { hash: string; revision: number; createdSecondsAgo: number; replicas: number }[],
): KubeObject[] {
  const names = operatorNames(preset);
  return revisions.map((r) => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${names.deployment}-${r.hash}`,
      namespace: names.namespace,
      labels: { ...labelsFor(preset), 'pod-template-hash': r.hash },
      annotations: { 'deployment.kubernetes.io/revision': String(r.revision) },
      creationTimestamp: ago(r.createdSecondsAgo),
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: names.deployment, controller: true },
      ],
    },
    spec: {
      replicas: r.replicas,
      selector: { matchLabels: { ...labelsFor(preset), 'pod-template-hash': r.hash } },
    },
    status: { replicas: r.replicas, readyReplicas: r.replicas },
  }));
}

export interface ContainerState {
  ready?: boolean;
  restartCount?: number;
  state?: Record<string, unknown>;
  lastState?: Record<string, unknown>;
}

export function operatorPod(
  preset: OperatorPreset,
  suffix: string,
  container: ContainerState = {},
  hash = '7d9f8b6c5d',
): KubeObject {
  const names = operatorNames(preset);
  const ready = container.ready ?? true;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${names.deployment}-${hash}-${suffix}`,
      namespace: names.namespace,
      labels: { ...labelsFor(preset), 'pod-template-hash': hash },
      annotations: { 'kubectl.kubernetes.io/default-container': 'manager' },
      creationTimestamp: ago(2 * 86_400),
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${names.deployment}-${hash}`, controller: true },
      ],
    },
    spec: {
      nodeName: 'ip-10-0-1-11.eu-west-1.compute.internal',
      serviceAccountName: names.serviceAccount,
      containers: [
        {
          name: 'manager',
          image: 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.8',
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '10m', memory: '64Mi' } },
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: '10.0.1.57',
      startTime: ago(2 * 86_400),
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False' },
        { type: 'ContainersReady', status: ready ? 'True' : 'False' },
      ],
      containerStatuses: [
        {
          name: 'manager',
          ready,
          restartCount: container.restartCount ?? 0,
          image: 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.8',
          state: container.state ?? { running: { startedAt: ago(2 * 86_400) } },
          lastState: container.lastState ?? {},
        },
      ],
    },
  };
}

export interface TenantSpec {
  namespace: string;
  name: string;
  ready: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  degraded?: boolean;
}

export function tenant(preset: OperatorPreset, t: TenantSpec): KubeObject {
  const crds = operatorNames(preset).crds;
  const conditions = [
    {
      type: 'Ready',
      status: t.ready,
      reason: t.reason ?? (t.ready === 'True' ? 'Reconciled' : 'ReconcileError'),
      message: t.message ?? '',
      lastTransitionTime: ago(600),
    },
    { type: 'Progressing', status: 'False', reason: 'ReconcileComplete', lastTransitionTime: ago(600) },
    { type: 'Conflicted', status: 'False', reason: 'NoConflict', lastTransitionTime: ago(86_400) },
    {
      type: 'Degraded',
      status: t.degraded ? 'True' : 'False',
      reason: t.degraded ? 'ResourceFailures' : 'Healthy',
      lastTransitionTime: ago(600),
    },
  ];
  return {
    apiVersion: `${crds.group}/${crds.version}`,
    kind: crds.tenant.kind,
    metadata: {
      name: t.name,
      namespace: t.namespace,
      labels: {
        'operator.kubernetes-tenants.org/registry': 'customers',
        'operator.kubernetes-tenants.org/template': 'web-app',
      },
      creationTimestamp: ago(10 * 86_400),
      generation: 4,
    },
    spec: {
      uid: t.name,
      templateRef: 'web-app',
      registryId: 'customers',
      deployments: [
        { id: 'app', spec: { apiVersion: 'apps/v1', kind: 'Deployment', spec: { replicas: 1 } } },
      ],
      services: [{ id: 'svc', spec: { apiVersion: 'v1', kind: 'Service' } }],
    },
    status: {
      observedGeneration: 4,
      desiredResources: 3,
      readyResources: t.ready === 'True' ? 3 : 1,
      failedResources: t.ready === 'True' ? 0 : 2,
      conditions,
    },
  };
}

export function registry(
  preset: OperatorPreset,
  r: {
    namespace: string;
    name: string;
    desired: number;
    ready: number;
    failed: number;
    readyStatus?: 'True' | 'False';
    reason?: string;
    message?: string;
  },
): KubeObject {
  const crds = operatorNames(preset).crds;
  return {
    apiVersion: `${crds.group}/${crds.version}`,
    kind: crds.registry.kind,
    metadata: { name: r.name, namespace: r.namespace, creationTimestamp: ago(30 * 86_400) },
    spec: {
      source: {
        type: 'mysql',
        mysql: {
          host: 'mysql.data.svc.cluster.local',
          port: 3306,
          username: 'tenants',
          passwordRef: { name: 'mysql-credentials', key: 'password' },
          database: 'tenants',
          table: 'tenants',
        },
        syncInterval: '1m',
      },
      valueMappings: { uid: 'id', hostOrUrl: 'url', activate: 'active' },
    },
    status: {
      observedGeneration: 1,
      referencingTemplates: 1,
      desired: r.desired,
      ready: r.ready,
      failed: r.failed,
      conditions: [
        {
          type: 'Ready',
          status: r.readyStatus ?? 'True',
          reason: r.reason ?? 'SyncSucceeded',
          message: r.message ?? '',
          lastTransitionTime: ago(900),
        },
      ],
    },
  };
}

export function template(preset: OperatorPreset, namespace: string, name: string): KubeObject {
  const crds = operatorNames(preset).crds;
  return {
    apiVersion: `${crds.group}/${crds.version}`,
    kind: crds.template.kind,
    metadata: { name, namespace, creationTimestamp: ago(30 * 86_400) },
    spec: { registryId: 'customers' },
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Valid' }] },
  };
}

export function node(
  index: number,
  overrides: { conditions?: Record<string, string>; unschedulable?: boolean } = {},
): KubeObject {
  const conditions = {
    Ready: 'True',
    MemoryPressure: 'False',
    DiskPressure: 'False',
    PIDPressure: 'False',
    NetworkUnavailable: 'False',
    ...overrides.conditions,
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: `ip-10-0-${index}-11.eu-west-1.compute.internal`,
      labels: { 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': 'm6i.xlarge' },
      creationTimestamp: ago(40 * 86_400),
    },
    spec: overrides.unschedulable ? { unschedulable: true } : {},
    status: {
      capacity: { cpu: '4', memory: '16077232Ki', pods: '58' },
      allocatable: { cpu: '3920m', memory: '15021488Ki', pods: '58' },
      conditions: Object.entries(conditions).map(([type, s]) => ({
        type,
        status: s,
        reason: type === 'Ready' && s === 'True' ? 'KubeletReady' : `Kubelet${type}`,
        lastTransitionTime: ago(3600),
      })),
      nodeInfo: { kubeletVersion: 'v1.31.2-eks-7f9249a' },
    },
  };
}

export function workloadPod(
  namespace: string,
  name: string,
  nodeName: string,
  requests: { cpu: string; memory: string },
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: { app: name.replace(/-[a-z0-9]+$/, '') },
      creationTimestamp: ago(86_400),
    },
    spec: { nodeName, containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests } }] },
    status: {
      phase: 'Running',
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
    },
  };
}

export function event(e: {
  namespace: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  kind: string;
  name: string;
  secondsAgo: number;
  count?: number;
}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${e.name}.${(e.secondsAgo * 7919).toString(16)}`,
      namespace: e.namespace,
      creationTimestamp: ago(e.secondsAgo),
    },
    involvedObject: { kind: e.kind, name: e.name, namespace: e.namespace },
    reason: e.reason,
    message: e.message,
    type: e.type,
    count: e.count ?? 1,
    firstTimestamp: ago(e.secondsAgo + 300),
    lastTimestamp: ago(e.secondsAgo),
    source: { component: 'tenant-operator' },
  };
}

export function quota(
  namespace: string,
  name: string,
  hard: Record<string, string>,
  used: Record<string, string>,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name, namespace, creationTimestamp: ago(86_400) },
    spec: { hard },
    status: { hard, used },
  };
}

export function networkPolicy(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, creationTimestamp: ago(3600) },
    spec,
  };
}

/** A line as controller-runtime's zap logger prints it, in the console (default) or JSON encoding. */
export function logLine(
  encoding: 'console' | 'json',
  entry: {
    secondsAgo: number;
    level: 'info' | 'error' | 'debug';
    msg: string;
    logger?: string;
    fields?: Record<string, unknown>;
    stacktrace?: boolean;
  },
): string {
  const ts = ago(entry.secondsAgo);
  if (encoding === 'json') {
    return JSON.stringify({
      level: entry.level,
      ts: Date.parse(ts) / 1000,
      logger: entry.logger,
      msg: entry.msg,
      ...entry.fields,
      ...(entry.stacktrace
        ? {
            stacktrace:
              'sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).reconcileHandler\n\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/internal/controller/controller.go:316',
          }
        : {}),
    });
  }
  const fields = entry.fields
    ? `\t${JSON.stringify(entry.fields).replace(/,"/g, ', "').replace(/":/g, '": ')}`
    : '';
  const line = `${ts}\t${entry.level.toUpperCase()}\t${entry.logger ? `${entry.logger}\t` : ''}${entry.msg}${fields}`;
  return entry.stacktrace
    ? `${line}\nsigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).reconcileHandler\n\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/internal/controller/controller.go:316\nsigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).processNextWorkItem\n\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/internal/controller/controller.go:263`
    : line;
}

/** A "Reconciler error" line for a tenant, as controller-runtime logs a failed reconcile. */
export function reconcilerError(
  encoding: 'console' | 'json',
  secondsAgo: number,
  tenantName: string,
  error: string,
  preset: OperatorPreset = 'tenant-operator',
): string {
  const crds = operatorNames(preset).crds;
  return logLine(encoding, {
    secondsAgo,
    level: 'error',
    msg: 'Reconciler error',
    fields: {
      controller: crds.tenant.kind.toLowerCase(),
      controllerGroup: crds.group,
      controllerKind: crds.tenant.kind,
      [crds.tenant.kind]: { name: tenantName, namespace: 'tenants' },
      namespace: 'tenants',
      name: tenantName,
      reconcileID: `${(secondsAgo * 2654435761).toString(16).padStart(8, '0').slice(0, 8)}-4b1e-4c55-9a3e-1f2d3c4b5a69`,
      error,
    },
    stacktrace: true,
  });
}

export function reconcileSuccess(
  encoding: 'console' | 'json',
  secondsAgo: number,
  tenantName: string,
): string {
  return logLine(encoding, {
    secondsAgo,
    level: 'info',
    msg: 'Reconciling Tenant',
    fields: { controller: 'tenant', namespace: 'tenants', name: tenantName, result: 'success' },
  });
}

export function accessRulesFor(preset: OperatorPreset, allow = true): AccessRule[] {
  const names = operatorNames(preset);
  const user = `system:serviceaccount:${names.namespace}:${names.serviceAccount}`;
  const g = names.crds.group;
  return [
    { user, verb: 'list', group: g, resource: names.crds.tenant.plural, allowed: allow },
    { user, verb: 'update', group: g, resource: names.crds.tenant.plural, allowed: allow },
    {
      user,
      verb: 'update',
      group: g,
      resource: names.crds.tenant.plural,
      subresource: 'status',
      allowed: allow,
    },
    { user, verb: 'create', group: 'apps', resource: 'deployments', allowed: allow },
    { user, verb: 'create', resource: 'services', allowed: allow },
    { user, verb: 'create', resource: 'configmaps', allowed: allow },
    { user, verb: 'create', resource: 'secrets', allowed: allow },
  ];
}

/** A healthy production-like cluster: the baseline every scenario edits. */
export function healthyCluster(options: OperatorClusterOptions = {}): ClusterFixture {
  const preset = options.preset ?? 'tenant-operator';
  const names = operatorNames(preset);
  const encoding = options.logEncoding ?? 'console';
  const tenantCount = options.tenants ?? 40;
  const nodeCount = options.nodes ?? 3;
  const replicas = options.operatorReplicas ?? 1;

  const pods = Array.from({ length: replicas }, (_, i) =>
    operatorPod(preset, ['x7k2p', 'm4q8z', 'r2d2c'][i] ?? `p${i}`),
  );
  const tenants = Array.from({ length: tenantCount }, (_, i) =>
    tenant(preset, {
      namespace: `tenants-${i % 4}`,
      name: `customer-${String(i).padStart(5, '0')}`,
      ready: 'True',
    }),
  );
  const nodes = Array.from({ length: nodeCount }, (_, i) => node(i + 1));
  const workloads = nodes.flatMap((n, i) =>
    Array.from({ length: 4 }, (_, j) =>
      workloadPod(`tenants-${j}`, `web-${i}${j}-5f6d7c`, n.metadata.name, { cpu: '250m', memory: '256Mi' }),
    ),
  );
  const logLines =
    options.logLines ??
    Array.from({ length: 200 }, (_, i) =>
      i % 50 === 7
        ? reconcilerError(
            encoding,
            600 - i,
            `customer-${String(i).padStart(5, '0')}`,
            'Operation cannot be fulfilled on tenants.operator.kubernetes-tenants.org "customer-00007": the object has been modified; please apply your changes to the latest version and try again',
            preset,
          )
        : reconcileSuccess(encoding, 600 - i, `customer-${String(i % tenantCount).padStart(5, '0')}`),
    );
  const logs = Object.fromEntries(
    pods.map((p) => [`${names.namespace}/${p.metadata.name}/manager`, `${logLines.join('\n')}\n`]),
  );

  return {
    objects: [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: names.namespace, creationTimestamp: ago(40 * 86_400) },
      },
      ...Array.from({ length: 4 }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: `tenants-${i}`, creationTimestamp: ago(40 * 86_400) },
      })),
      operatorDeployment(preset, DEFAULT_ARGS),
      ...operatorReplicaSets(preset, [
        { hash: '5c4b3a2910', revision: 2, createdSecondsAgo: 20 * 86_400, replicas: 0 },
        { hash: '7d9f8b6c5d', revision: 3, createdSecondsAgo: 2 * 86_400, replicas },
      ]),
      ...pods,
      ...tenants,
      registry(preset, {
        namespace: 'tenants-0',
        name: 'customers',
        desired: tenantCount,
        ready: tenantCount,
        failed: 0,
      }),
      template(preset, 'tenants-0', 'web-app'),
      ...nodes,
      ...workloads,
      quota(
        'tenants-0',
        'compute',
        { 'requests.cpu': '8', 'requests.memory': '16Gi', pods: '40' },
        { 'requests.cpu': '1', 'requests.memory': '1Gi', pods: '4' },
      ),
      networkPolicy(names.namespace, 'allow-metrics-traffic', {
        podSelector: { matchLabels: { 'control-plane': 'controller-manager' } },
        policyTypes: ['Ingress'],
        ingress: [{ ports: [{ port: 8443, protocol: 'TCP' }] }],
      }),
      event({
        namespace: 'tenants-1',
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container app in pod web-11-5f6d7c',
        kind: 'Pod',
        name: 'web-11-5f6d7c',
        secondsAgo: 300,
      }),
      event({
        namespace: 'tenants-0',
        type: 'Normal',
        reason: 'Scheduled',
        message: 'Successfully assigned tenants-0/web-00-5f6d7c to ip-10-0-1-11',
        kind: 'Pod',
        name: 'web-00-5f6d7c',
        secondsAgo: 3600,
      }),
      ...pods.map((p) => ({
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'PodMetrics',
        metadata: {
          name: p.metadata.name,
          namespace: names.namespace,
          labels: p.metadata.labels,
          creationTimestamp: fixtureNow().toISOString(),
        },
        timestamp: fixtureNow().toISOString(),
        window: '15s',
        containers: [{ name: 'manager', usage: { cpu: '42m', memory: '71Mi' } }],
      })),
      ...nodes.map((n) => ({
        apiVersion: 'metrics.k8s.io/v1beta1',
        kind: 'NodeMetrics',
        metadata: { name: n.metadata.name, creationTimestamp: fixtureNow().toISOString() },
        timestamp: fixtureNow().toISOString(),
        window: '15s',
        usage: { cpu: '812m', memory: '5123Mi' },
      })),
    ],
    logs,
    accessRules: accessRulesFor(preset),
    // Each operator pod serves its metrics (HTTPS :8443) through the API server's pod proxy.
    raw: Object.fromEntries(
      pods.map((p) => [
        `/api/v1/namespaces/${names.namespace}/pods/https:${p.metadata.name}:${names.metricsPort}/proxy/metrics`,
        {
          body: exposition(
            {
              name: 'healthy',
              phases: [
                {
                  from: -4 * 3600,
                  rates: BASELINE_RATES,
                },
              ],
              expected: { verdict: 'ok', blind: false },
            },
            0,
            names.reconcileMetric,
          ),
          contentType: 'text/plain; version=0.0.4',
        },
      ]),
    ),
  };
}
