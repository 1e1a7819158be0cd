/**
 * Blind incidents: written blind on 2026-12-01, before the checker was run on them, without reading the
 * checker's judging code (lambda/checks, lambda/alert, the cycle, the reports, the log parser) nor the
 * scenario tests. Sources: the runbook (seed/reconciliation-errors-runbook.md), DESIGN.md and issue 15;
 * the operator's real source (reference/tenant-operator: internal/controller, internal/status,
 * internal/datasource, internal/apply, internal/metrics, cmd/main.go, its manifests) for its log lines,
 * events, condition reasons and error strings; and the messages the components involved really print:
 * Go's net package and resolver, go-sql-driver/mysql and MySQL 8, client-go (reflector, leader election,
 * the event recorder), controller-runtime (Reconciler error, Observed a panic, KubeAPIWarningLogger),
 * kube-apiserver (authorizer, API Priority and Fairness, etcd), kube-scheduler and the cluster-autoscaler,
 * the external-provisioner and the EBS CSI driver, CoreDNS, the VPC CNI, kube-proxy, Gatekeeper and the
 * AWS Load Balancer Controller.
 *
 * Each incident starts from the same production-like EKS cluster (the library's healthy cluster plus
 * what a real EKS cluster also shows: CoreDNS, kube-proxy, aws-node, the EBS CSI driver, the registry's
 * MySQL, Services with their Endpoints, leases, RBAC, storage classes) and changes what its failure
 * changes. Everyday noise is everywhere; each incident's decoys are listed in its description. The
 * error episode (the metrics) starts 40 minutes before the instant the incident is evaluated at.
 *
 * First run of the checker on them (commit of the rewritten diagnosis, 95dd32e), 2026-12-01: 29 of 41
 * right. Missed: alert-blind-rbac-patch, controller-bug-invalid-status, controller-cpu-starved,
 * control-plane-controller-manager-stalled, network-node-impaired, network-kube-proxy-stale-rules,
 * admission-lbc-webhook-down, quota-memory-rollout, storage-ebs-csi-controller-down,
 * external-rds-answers-too-slowly, external-dbaas-query-deadline, external-dns-externalname-target.
 */

import {
  accessRulesFor,
  ago,
  type ContainerSpec,
  clusterRole,
  configMap,
  type EndpointAddress,
  endpointsFor,
  eventOf,
  fixtureNow,
  healthyCluster,
  klogTime,
  lease,
  networkPolicy,
  node,
  operatorPod,
  operatorReplicaSets,
  type PolicyRule,
  persistentVolume,
  persistentVolumeClaim,
  pod,
  quota,
  registry,
  roleBinding,
  serviceObject,
  storageClass,
  tenant,
  webhookConfiguration,
  workload,
  workloadPod,
} from '../kube/fixtures.js';
import { type ClusterFixture, DEFAULT_APISERVER_METRICS, type KubeObject } from '../kube/server.js';
import { ALERT_BLIND_RATES, BASELINE_RATES } from '../metrics/scenarios.js';
import { firing, type Incident, LOG_KEY, NS, noisy, POD } from './library.js';

// ---------------------------------------------------------------------------------------------------
// Time, names and addresses
// ---------------------------------------------------------------------------------------------------

export const MIN = 60;
export const HOUR = 3600;
export const DAY = 86_400;
/** The error episode starts this many seconds before the evaluation instant. */
export const ONSET = 40 * MIN;

export const nodeName = (i: number) => `ip-10-0-${i}-11.eu-west-1.compute.internal`;
export const OP_NODE = nodeName(1);
export const OP_IP = '10.0.1.57';
export const SA = 'tenant-operator-controller-manager';
export const SA_USER = `system:serviceaccount:${NS}:${SA}`;
export const GROUP = 'operator.kubernetes-tenants.org';
export const LEASE = 'f2130106.kubernetes-tenants.org';
export const APISERVER = '172.20.0.1';
export const KUBE_DNS = '172.20.0.10';
export const MYSQL_HOST = 'mysql.data.svc.cluster.local';
export const MYSQL_VIP = '172.20.118.40';
export const MYSQL_POD_IP = '10.0.3.7';
export const CONTROL_PLANE_ENIS = ['10.0.45.12', '10.0.77.9'];
export const ECR = '602401143452.dkr.ecr.eu-west-1.amazonaws.com';

export interface TenantRef {
  name: string;
  namespace: string;
}
/** The i-th tenant of the healthy cluster (40 tenants, customer-0000i in tenants-(i % 4)). */
export const tenantAt = (i: number, count = 40): TenantRef => ({
  name: `customer-${String(i % count).padStart(5, '0')}`,
  namespace: `tenants-${(i % count) % 4}`,
});

/** A stable pseudo-random hex string for ids (reconcile IDs, request IDs, volume ids). */
export function hex(seed: string | number, length: number): string {
  let h = 2166136261;
  const text = String(seed);
  let out = '';
  for (let round = 0; out.length < length; round++) {
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    h = Math.imul(h ^ round, 2654435761);
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out.slice(0, length);
}
export const uuid = (seed: string | number) => {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

// ---------------------------------------------------------------------------------------------------
// Log lines: controller-runtime zap (console or JSON), klog headers, multi-line traces
// ---------------------------------------------------------------------------------------------------

export type Enc = 'console' | 'json';
/** One log entry `at` seconds before the evaluation instant (a multi-line entry stays in one piece). */
export interface Line {
  at: number;
  text: string;
}

export const CR = '/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/internal/controller/controller.go';
export const OP = '/workspace/internal';
export const frames = (...pairs: [string, string][]) => pairs.map(([fn, at]) => `${fn}\n\t${at}`).join('\n');
export const CR_HANDLER: [string, string][] = [
  ['sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).Reconcile', `${CR}:116`],
  ['sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).reconcileHandler', `${CR}:303`],
  ['sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).processNextWorkItem', `${CR}:263`],
];
export const TENANT_SPEC: [string, string][] = [
  [
    'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).reconcileSpec',
    `${OP}/controller/tenant_controller.go:1571`,
  ],
  [
    'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).Reconcile',
    `${OP}/controller/tenant_controller.go:166`,
  ],
  ...CR_HANDLER,
];
/** The stack zap (development mode: stack traces from warn up) prints under an error, by where it was logged. */
export const STACKS: Record<string, string> = {
  'Reconciler error': frames(
    ['sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).reconcileHandler', `${CR}:316`],
    ['sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).processNextWorkItem', `${CR}:263`],
    ['sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).Start.func2.2', `${CR}:224`],
  ),
  'Failed to apply resource': frames(
    [
      'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).applyResources',
      `${OP}/controller/tenant_controller.go:289`,
    ],
    ...TENANT_SPEC,
  ),
  'Failed to render resource': frames(
    [
      'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).applyResources',
      `${OP}/controller/tenant_controller.go:209`,
    ],
    ...TENANT_SPEC,
  ),
  'Template application completed with failures': frames(
    [
      'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).emitTemplateAppliedCompleteEvent',
      `${OP}/controller/tenant_controller.go:410`,
    ],
    ...TENANT_SPEC,
  ),
  'Failed to apply status update': frames(
    [
      'github.com/kubernetes-tenants/tenant-operator/internal/status.(*Manager).flushBatch',
      `${OP}/status/manager.go:241`,
    ],
    [
      'github.com/kubernetes-tenants/tenant-operator/internal/status.(*Manager).run',
      `${OP}/status/manager.go:203`,
    ],
  ),
  'Failed to query database': frames(
    [
      'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantRegistryReconciler).Reconcile',
      `${OP}/controller/tenantregistry_controller.go:130`,
    ],
    ...CR_HANDLER,
  ),
  'problem running manager': frames(
    ['main.main', '/workspace/cmd/main.go:294'],
    ['runtime.main', '/usr/local/go/src/runtime/proc.go:272'],
  ),
};

/** zap's console encoder: the fields as JSON with a space after each colon and comma (nested objects too). */
export function spaced(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(spaced).join(', ')}]`;
  return `{${Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${JSON.stringify(k)}: ${spaced(v)}`)
    .join(', ')}}`;
}

/**
 * A controller-runtime zap line as the operator prints it: the development console encoder (ISO time,
 * capital level, logger, message, fields, then the stack on its own lines) or, with --zap-encoder=json,
 * the production JSON encoder (epoch seconds, the stack in a "stacktrace" field).
 */
export function zap(
  enc: Enc,
  at: number,
  level: 'info' | 'error' | 'debug',
  msg: string,
  fields?: Record<string, unknown>,
  options: { logger?: string; stack?: boolean } = {},
): Line {
  const stack = options.stack ? STACKS[msg] : undefined;
  const ts = ago(at);
  if (enc === 'json') {
    return {
      at,
      text: JSON.stringify({
        level,
        ts: Date.parse(ts) / 1000,
        ...(options.logger ? { logger: options.logger } : {}),
        msg,
        ...fields,
        ...(stack ? { stacktrace: stack } : {}),
      }),
    };
  }
  const head = [
    ts,
    level.toUpperCase(),
    ...(options.logger ? [options.logger] : []),
    msg,
    ...(fields ? [spaced(fields)] : []),
  ];
  return { at, text: `${head.join('\t')}${stack ? `\n${stack}` : ''}` };
}

/** The fields controller-runtime puts on every line logged inside a reconcile. */
export function rc(kind: 'Tenant' | 'TenantRegistry', t: TenantRef, at: number): Record<string, unknown> {
  return {
    controller: kind.toLowerCase(),
    controllerGroup: GROUP,
    controllerKind: kind,
    [kind]: { name: t.name, namespace: t.namespace },
    namespace: t.namespace,
    name: t.name,
    reconcileID: uuid(`${kind}/${t.name}/${Math.round(at * 10)}`),
  };
}

export const REGISTRY: TenantRef = { name: 'customers', namespace: 'tenants-0' };

/** controller-runtime's "Reconciler error" for a reconcile that returned an error. */
export const reconcilerError = (
  enc: Enc,
  at: number,
  kind: 'Tenant' | 'TenantRegistry',
  t: TenantRef,
  error: string,
) => zap(enc, at, 'error', 'Reconciler error', { ...rc(kind, t, at), error }, { stack: true });

/** The operator's "Failed to apply resource" (internal/controller/tenant_controller.go), with its ApplyFailed cause. */
export const applyFailed = (enc: Enc, at: number, t: TenantRef, id: string, error: string) =>
  zap(enc, at, 'error', 'Failed to apply resource', { ...rc('Tenant', t, at), id, error }, { stack: true });

/** The status manager's "Failed to apply status update" (internal/status/manager.go). */
export const statusUpdateFailed = (enc: Enc, at: number, t: TenantRef, error: string) =>
  zap(
    enc,
    at,
    'error',
    'Failed to apply status update',
    { tenant: t.name, namespace: t.namespace, error: `failed to update tenant status: ${error}` },
    { logger: 'status-manager', stack: true },
  );

/** The registry's failed sync: "Failed to query database", then controller-runtime's Reconciler error. */
export function registrySyncFailed(enc: Enc, at: number, error: string): Line[] {
  return [
    zap(
      enc,
      at,
      'error',
      'Failed to query database',
      { ...rc('TenantRegistry', REGISTRY, at), error },
      { stack: true },
    ),
    reconcilerError(enc, at - 0.002, 'TenantRegistry', REGISTRY, error),
  ];
}

/** A klog line as client-go, kube-proxy and the EBS CSI driver print them: `E1201 10:00:00.412345       1 file.go:123] msg`. */
export const klog = (severity: 'I' | 'W' | 'E' | 'F', at: number, source: string, msg: string): Line => ({
  at,
  text: `${severity}${klogTime(at)}       1 ${source}] ${msg}`,
});

/** Spread `count` entries evenly from `from` seconds ago to `to` seconds ago. */
export function spread(
  count: number,
  from: number,
  to: number,
  make: (at: number, i: number) => Line | Line[],
): Line[] {
  const step = count > 1 ? (from - to) / (count - 1) : 0;
  return Array.from({ length: count }, (_, i) => make(Math.round((from - i * step) * 10) / 10, i)).flat();
}

/**
 * Everyday operator lines: status-only reconciles (debug, as the operator's development-mode logger
 * prints V(1)), now and then a full reconcile that applies a template change, the status manager's
 * flushes, and a rare optimistic-lock conflict.
 */
export function everyday(
  enc: Enc,
  options: { from?: number; to?: number; every?: number; tenants?: number; conflicts?: boolean } = {},
): Line[] {
  const from = options.from ?? 3300;
  const to = options.to ?? 3;
  const every = options.every ?? 6;
  const count = options.tenants ?? 40;
  const lines: Line[] = [];
  let k = 0;
  for (let at = from; at >= to; at -= every, k++) {
    const t = tenantAt(k * 7 + 3, count);
    lines.push(
      zap(enc, at, 'debug', 'Running status-only reconcile (fast path)', {
        ...rc('Tenant', t, at),
        tenant: t.name,
      }),
      zap(enc, at - 0.043, 'debug', 'Status-only reconcile completed', {
        ...rc('Tenant', t, at),
        tenant: t.name,
        ready: 3,
        failed: 0,
        conflicted: 0,
        duration: `${(21 + (k % 17) * 1.7).toFixed(1)}ms`,
      }),
    );
    if (k % 5 === 2) {
      lines.push(
        zap(
          enc,
          at - 1,
          'debug',
          'Batch flush completed',
          { success: 4 + (k % 6), failed: 0, total: 4 + (k % 6) },
          { logger: 'status-manager' },
        ),
      );
    }
    if (k % 45 === 11) {
      const u = tenantAt(k + 1, count);
      lines.push(
        zap(enc, at - 2, 'info', 'Using full reconcile path', {
          ...rc('Tenant', u, at - 2),
          tenant: u.name,
          generation: 5,
          observedGeneration: 4,
        }),
        zap(enc, at - 2.01, 'info', 'Running full reconcile with resource application', {
          ...rc('Tenant', u, at - 2),
          tenant: u.name,
        }),
        zap(enc, at - 2.3, 'info', 'Template application completed successfully', {
          ...rc('Tenant', u, at - 2),
          tenant: u.name,
          template: 'web-app',
          generation: '7',
          changed: 1,
          ready: 3,
          total: 3,
        }),
        zap(enc, at - 2.31, 'info', 'Reconciliation completed with changes', {
          ...rc('Tenant', u, at - 2),
          changed: 1,
          ready: 3,
          failed: 0,
          conflicted: 0,
        }),
      );
    }
    if (options.conflicts !== false && k % 70 === 37) {
      const u = tenantAt(k + 5, count);
      lines.push(
        reconcilerError(
          enc,
          at - 3,
          'Tenant',
          u,
          `Operation cannot be fulfilled on tenants.${GROUP} "${u.name}": the object has been modified; please apply your changes to the latest version and try again`,
        ),
      );
    }
  }
  return lines;
}

/** The manager starting, as cmd/main.go and controller-runtime log it (leader election by client-go's klog). */
export function startup(enc: Enc, at: number): Line[] {
  const c = (kind: string, extra: Record<string, unknown> = {}) => ({
    controller: kind.toLowerCase(),
    controllerGroup: GROUP,
    controllerKind: kind,
    ...extra,
  });
  return [
    zap(enc, at, 'info', 'disabling http/2', undefined, { logger: 'setup' }),
    zap(
      enc,
      at - 0.01,
      'info',
      'No webhook certificate path provided, cert-manager will provide certificates',
      undefined,
      { logger: 'setup' },
    ),
    zap(enc, at - 0.2, 'info', 'Setting up webhooks with TLS', undefined, { logger: 'setup' }),
    zap(enc, at - 0.21, 'info', 'starting manager', undefined, { logger: 'setup' }),
    zap(enc, at - 0.22, 'info', 'Starting metrics server', undefined, {
      logger: 'controller-runtime.metrics',
    }),
    zap(enc, at - 0.23, 'info', 'starting server', { name: 'health probe', addr: '[::]:8081' }),
    zap(enc, at - 0.24, 'info', 'Starting webhook server', undefined, {
      logger: 'controller-runtime.webhook',
    }),
    zap(
      enc,
      at - 0.3,
      'info',
      'Serving metrics server',
      { bindAddress: ':8443', secure: true },
      { logger: 'controller-runtime.metrics' },
    ),
    klog('I', at - 0.31, 'leaderelection.go:257', `attempting to acquire leader lease ${NS}/${LEASE}...`),
    klog('I', at - 1.2, 'leaderelection.go:271', `successfully acquired lease ${NS}/${LEASE}`),
    zap(enc, at - 1.21, 'info', 'Starting EventSource', c('Tenant', { source: 'kind source: *v1.Tenant' })),
    zap(
      enc,
      at - 1.22,
      'info',
      'Starting EventSource',
      c('TenantRegistry', { source: 'kind source: *v1.TenantRegistry' }),
    ),
    zap(enc, at - 1.23, 'info', 'Starting Controller', c('Tenant')),
    zap(enc, at - 1.24, 'info', 'Starting Controller', c('TenantRegistry')),
    zap(enc, at - 1.25, 'info', 'Starting Controller', c('TenantTemplate')),
    zap(
      enc,
      at - 1.3,
      'info',
      'Status manager started',
      { batchSize: 10, flushInterval: '1s' },
      { logger: 'status-manager' },
    ),
    zap(enc, at - 1.9, 'info', 'Starting workers', c('Tenant', { 'worker count': 10 })),
    zap(enc, at - 1.91, 'info', 'Starting workers', c('TenantRegistry', { 'worker count': 3 })),
    zap(enc, at - 1.92, 'info', 'Starting workers', c('TenantTemplate', { 'worker count': 5 })),
  ];
}

/** Log text, oldest first, as `kubectl logs` prints it. */
export function text(lines: Line[]): string {
  return `${[...lines]
    .sort((a, b) => b.at - a.at)
    .map((l) => l.text)
    .join('\n')}\n`;
}

export function setLogs(f: ClusterFixture, lines: Line[], previous?: Line[] | string) {
  f.logs = { ...f.logs, [LOG_KEY]: text(lines) };
  if (previous !== undefined) {
    f.logs[`${LOG_KEY}/previous`] = typeof previous === 'string' ? previous : text(previous);
  }
}

// ---------------------------------------------------------------------------------------------------
// Cluster objects
// ---------------------------------------------------------------------------------------------------

export const key = (o: KubeObject) =>
  `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

/** Adds objects, replacing any with the same kind, namespace and name. */
export function put(f: ClusterFixture, ...objects: KubeObject[]) {
  const keys = new Set(objects.map(key));
  f.objects = [...f.objects.filter((o) => !keys.has(key(o))), ...objects];
}

export function remove(f: ClusterFixture, kind: string, name: string, namespace?: string) {
  f.objects = f.objects.filter(
    (o) =>
      !(
        o.kind === kind &&
        o.metadata.name === name &&
        (namespace === undefined || o.metadata.namespace === namespace)
      ),
  );
}

export function find(f: ClusterFixture, kind: string, name: string): KubeObject {
  const found = f.objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`fixture has no ${kind} ${name}`);
  return found;
}

/** A shallow-merged copy of an object's top-level field (spec, status). */
export function patched(o: KubeObject, field: string, value: Record<string, unknown>): KubeObject {
  return { ...o, [field]: { ...(o[field] as Record<string, unknown>), ...value } };
}

/** The operator's pod with its container's history; `created` moves its creation (and start) time. */
export function operatorPodWith(
  container: Parameters<typeof operatorPod>[2],
  options: {
    createdSecondsAgo?: number;
    hash?: string;
    suffix?: string;
    limits?: Record<string, string>;
  } = {},
): KubeObject {
  const p = operatorPod(
    'tenant-operator',
    options.suffix ?? 'x7k2p',
    container,
    options.hash ?? '7d9f8b6c5d',
  );
  const created = options.createdSecondsAgo ?? 2 * DAY;
  const status = p.status as Record<string, unknown>;
  const spec = p.spec as { containers: { resources: Record<string, unknown> }[] };
  if (options.limits && spec.containers[0]) {
    spec.containers[0].resources = { ...spec.containers[0].resources, limits: options.limits };
  }
  const statuses = status.containerStatuses as { state: unknown }[];
  if (!container?.state && statuses[0]) statuses[0].state = { running: { startedAt: ago(created) } };
  return {
    ...p,
    metadata: { ...p.metadata, creationTimestamp: ago(created) },
    status: { ...status, startTime: ago(created) },
  };
}

/** Replaces the operator's pod by another (a new ReplicaSet): its logs and metrics endpoint move with it. */
export function replaceOperatorPod(f: ClusterFixture, next: KubeObject) {
  remove(f, 'Pod', POD, NS);
  put(f, next);
  const name = next.metadata.name;
  if (name === POD) return;
  const logs: Record<string, string> = {};
  for (const [k, v] of Object.entries(f.logs ?? {})) logs[k.replace(POD, name)] = v;
  f.logs = logs;
  const raw: NonNullable<ClusterFixture['raw']> = {};
  for (const [k, v] of Object.entries(f.raw ?? {})) raw[k.replace(POD, name)] = v;
  f.raw = raw;
  f.objects = f.objects.map((o) =>
    o.kind === 'PodMetrics' && o.metadata.name === POD
      ? { ...o, metadata: { ...o.metadata, name, labels: next.metadata.labels } }
      : o,
  );
}

/** `kubectl top pod` for the operator. */
export function operatorUsage(f: ClusterFixture, cpu: string, memory: string) {
  f.objects = f.objects.map((o) =>
    o.kind === 'PodMetrics' && o.metadata.namespace === NS
      ? { ...o, containers: [{ name: 'manager', usage: { cpu, memory } }] }
      : o,
  );
}

/** The operator's container limits, in its Deployment's pod template (set long ago). */
export function setOperatorLimits(f: ClusterFixture, limits: Record<string, string>) {
  const deployment = find(f, 'Deployment', 'tenant-operator-controller-manager');
  const spec = deployment.spec as {
    template: { spec: { containers: { resources: Record<string, unknown> }[] } };
  };
  for (const c of spec.template.spec.containers) c.resources = { ...c.resources, limits };
}

/** The operator's Deployment at a later revision (a rollout), with the ReplicaSets it leaves behind. */
export function operatorRollout(
  f: ClusterFixture,
  r: {
    hash: string;
    revision: number;
    secondsAgo: number;
    image?: string;
    args?: string[];
    limits?: Record<string, string>;
  },
) {
  const deployment = find(f, 'Deployment', 'tenant-operator-controller-manager');
  const spec = deployment.spec as { template: { spec: { containers: Record<string, unknown>[] } } };
  const container = spec.template.spec.containers[0] ?? {};
  put(f, {
    ...deployment,
    metadata: {
      ...deployment.metadata,
      generation: r.revision,
      annotations: { 'deployment.kubernetes.io/revision': String(r.revision) },
    },
    spec: {
      ...spec,
      template: {
        ...spec.template,
        spec: {
          ...spec.template.spec,
          containers: [
            {
              ...container,
              ...(r.image ? { image: r.image } : {}),
              ...(r.args ? { args: r.args } : {}),
              ...(r.limits ? { resources: { ...(container.resources as object), limits: r.limits } } : {}),
            },
          ],
        },
      },
    },
    status: { ...(deployment.status as object), observedGeneration: r.revision },
  });
  f.objects = f.objects.filter((o) => !(o.kind === 'ReplicaSet' && o.metadata.namespace === NS));
  put(
    f,
    ...operatorReplicaSets('tenant-operator', [
      { hash: '5c4b3a2910', revision: r.revision - 2, createdSecondsAgo: 20 * DAY, replicas: 0 },
      { hash: '7d9f8b6c5d', revision: r.revision - 1, createdSecondsAgo: 2 * DAY, replicas: 0 },
      { hash: r.hash, revision: r.revision, createdSecondsAgo: r.secondsAgo, replicas: 1 },
    ]),
  );
}

/** The registry as the real operator writes it: Ready DatabaseConnected, or DatabaseConnectionFailed with zero counts. */
export function registryState(
  f: ClusterFixture,
  state: 'connected' | 'failed',
  options: { host?: string; port?: number; tenants?: number; since?: number } = {},
) {
  const count = options.tenants ?? 40;
  const r = registry('tenant-operator', {
    namespace: REGISTRY.namespace,
    name: REGISTRY.name,
    desired: state === 'connected' ? count : 0,
    ready: state === 'connected' ? count : 0,
    failed: 0,
    readyStatus: state === 'connected' ? 'True' : 'False',
    reason: state === 'connected' ? 'DatabaseConnected' : 'DatabaseConnectionFailed',
    message:
      state === 'connected'
        ? 'Successfully connected to database and queried tenant data'
        : 'Failed to connect to database or query tenant data',
  });
  const spec = r.spec as { source: { mysql: Record<string, unknown> } };
  spec.source.mysql = { ...spec.source.mysql, host: options.host ?? MYSQL_HOST, port: options.port ?? 3306 };
  // The operator rewrites the whole condition at every sync, so its transition time is the last sync.
  const status = r.status as { conditions: { lastTransitionTime: string }[] };
  for (const c of status.conditions) c.lastTransitionTime = ago(options.since ?? 41);
  put(f, r);
}

/** Tenants no longer ready, with the real operator's reasons and messages. */
export function tenantsNotReady(
  f: ClusterFixture,
  indices: number[],
  reason: string,
  message: string,
  degraded = true,
) {
  for (const i of indices) {
    const t = tenantAt(i);
    put(f, tenant('tenant-operator', { ...t, ready: 'False', reason, message, degraded }));
  }
}

/** No status update has landed since then: every tenant condition keeps its old transition time. */
export function statusFrozenSince(f: ClusterFixture, secondsAgo: number) {
  f.objects = f.objects.map((o) => {
    if (o.kind !== 'Tenant') return o;
    const status = o.status as { conditions: { lastTransitionTime: string }[] };
    return {
      ...o,
      status: {
        ...status,
        conditions: status.conditions.map((c) => ({ ...c, lastTransitionTime: ago(secondsAgo) })),
      },
    };
  });
}

/** The API server's /metrics: the simulator's usual lines plus these. */
export function apiserverMetrics(f: ClusterFixture, extra: string[]) {
  f.raw = {
    ...f.raw,
    '/metrics': {
      body: `${DEFAULT_APISERVER_METRICS}${extra.join('\n')}\n`,
      contentType: 'text/plain; version=0.0.4',
    },
  };
}

export const processStart = (secondsAgo: number) =>
  `process_start_time_seconds ${Math.floor(fixtureNow().getTime() / 1000 - secondsAgo)}`;

// ---------------------------------------------------------------------------------------------------
// The EKS cluster around the operator
// ---------------------------------------------------------------------------------------------------

export const COREDNS_IMAGE = `${ECR}/eks/coredns:v1.11.3-eksbuild.2`;
export const COREDNS_LABELS = {
  'k8s-app': 'kube-dns',
  'eks.amazonaws.com/component': 'coredns',
  'pod-template-hash': '787cb67946',
};
export const COREDNS_PODS = [
  { name: 'coredns-787cb67946-8wxkq', node: 2, ip: '10.0.2.33' },
  { name: 'coredns-787cb67946-tq5vz', node: 3, ip: '10.0.3.41' },
];
export const COREFILE = `.:53 {
    errors
    health {
        lameduck 5s
      }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
      pods insecure
      fallthrough in-addr.arpa ip6.arpa
    }
    prometheus :9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
}
`;
export const COREDNS_BANNER = `.:53
[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908
CoreDNS-1.11.3
linux/amd64, go1.22.7, a6338e9
`;

export function corednsPod(
  p: { name: string; node: number; ip: string },
  container: Partial<ContainerSpec> = {},
  createdSecondsAgo = 9 * DAY,
): KubeObject {
  return pod({
    namespace: 'kube-system',
    name: p.name,
    labels: COREDNS_LABELS,
    owner: { kind: 'ReplicaSet', name: 'coredns-787cb67946' },
    nodeName: nodeName(p.node),
    podIP: p.ip,
    createdSecondsAgo,
    priorityClassName: 'system-cluster-critical',
    containers: [
      {
        name: 'coredns',
        image: COREDNS_IMAGE,
        args: ['-conf', '/etc/coredns/Corefile'],
        requests: { cpu: '100m', memory: '70Mi' },
        limits: { memory: '170Mi' },
        ports: [
          { containerPort: 53, name: 'dns', protocol: 'UDP' },
          { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
          { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
        ],
        ...container,
      },
    ],
  });
}

export function kubeDnsEndpoints(
  ready: EndpointAddress[],
  notReady: EndpointAddress[] = [],
  secondsAgo = 9 * DAY,
): KubeObject[] {
  return endpointsFor({
    namespace: 'kube-system',
    service: 'kube-dns',
    ready,
    notReady,
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      { name: 'metrics', port: 9153, protocol: 'TCP' },
    ],
    secondsAgo,
  });
}
export const corednsAddress = (p: { name: string; node: number; ip: string }): EndpointAddress => ({
  ip: p.ip,
  nodeName: nodeName(p.node),
  pod: p.name,
});

export function mysqlPod(
  container: Partial<ContainerSpec> = {},
  options: { node?: number; ip?: string; createdSecondsAgo?: number } = {},
) {
  return pod({
    namespace: 'data',
    name: 'mysql-0',
    labels: {
      app: 'mysql',
      'apps.kubernetes.io/pod-index': '0',
      'statefulset.kubernetes.io/pod-name': 'mysql-0',
    },
    owner: { kind: 'StatefulSet', name: 'mysql' },
    nodeName: nodeName(options.node ?? 3),
    podIP: options.ip ?? MYSQL_POD_IP,
    createdSecondsAgo: options.createdSecondsAgo ?? 12 * DAY,
    volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-mysql-0' } }],
    containers: [
      {
        name: 'mysql',
        image: 'mysql:8.0.40',
        requests: { cpu: '500m', memory: '1Gi' },
        limits: { memory: '2Gi' },
        ports: [{ containerPort: 3306, name: 'mysql' }],
        ...container,
      },
    ],
  });
}

export function mysqlEndpoints(
  ready: boolean,
  options: { ip?: string; node?: number; secondsAgo?: number } = {},
): KubeObject[] {
  const address = { ip: options.ip ?? MYSQL_POD_IP, nodeName: nodeName(options.node ?? 3), pod: 'mysql-0' };
  return endpointsFor({
    namespace: 'data',
    service: 'mysql',
    ready: ready ? [address] : [],
    notReady: ready ? [] : [address],
    ports: [{ name: 'mysql', port: 3306 }],
    secondsAgo: options.secondsAgo ?? 12 * DAY,
  });
}

export const daemonPod = (
  ds: string,
  i: number,
  image: string,
  extra: Partial<ContainerSpec> = {},
  more: ContainerSpec[] = [],
) =>
  pod({
    namespace: 'kube-system',
    name: `${ds}-${hex(`${ds}${i}`, 5).replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)] ?? 'x')}`,
    labels: { 'k8s-app': ds, 'controller-revision-hash': '6d4c8b9f7' },
    owner: { kind: 'DaemonSet', name: ds },
    nodeName: nodeName(i),
    podIP: `10.0.${i}.11`,
    hostNetwork: true,
    createdSecondsAgo: 40 * DAY,
    priorityClassName: 'system-node-critical',
    containers: [{ name: ds, image, requests: { cpu: '25m' }, ...extra }, ...more],
  });
export const awsNodePod = (i: number, extra: Partial<ContainerSpec> = {}) =>
  daemonPod('aws-node', i, `${ECR}/amazon-k8s-cni:v1.19.0-eksbuild.1`, extra, [
    {
      name: 'aws-eks-nodeagent',
      image: `${ECR}/amazon/aws-network-policy-agent:v1.1.5-eksbuild.1`,
      requests: { cpu: '25m' },
    },
  ]);
export const kubeProxyPod = (i: number, extra: Partial<ContainerSpec> = {}) =>
  daemonPod('kube-proxy', i, `${ECR}/eks/kube-proxy:v1.31.2-minimal-eksbuild.3`, {
    requests: { cpu: '100m' },
    ...extra,
  });

export const MANAGER_RULES: PolicyRule[] = [
  {
    apiGroups: [''],
    resources: [
      'configmaps',
      'secrets',
      'services',
      'serviceaccounts',
      'persistentvolumeclaims',
      'namespaces',
    ],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'statefulsets', 'daemonsets'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  {
    apiGroups: ['batch'],
    resources: ['jobs', 'cronjobs'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  {
    apiGroups: ['networking.k8s.io'],
    resources: ['ingresses', 'networkpolicies'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  {
    apiGroups: ['policy'],
    resources: ['poddisruptionbudgets'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  {
    apiGroups: ['autoscaling'],
    resources: ['horizontalpodautoscalers'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  {
    apiGroups: [GROUP],
    resources: ['tenants', 'tenantregistries', 'tenanttemplates'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  },
  {
    apiGroups: [GROUP],
    resources: ['tenants/status', 'tenantregistries/status', 'tenanttemplates/status'],
    verbs: ['get', 'patch', 'update'],
  },
  {
    apiGroups: [GROUP],
    resources: ['tenants/finalizers', 'tenantregistries/finalizers', 'tenanttemplates/finalizers'],
    verbs: ['update'],
  },
];

/**
 * The library's healthy cluster (with its everyday noise) and what every EKS cluster also has: the
 * system namespaces, CoreDNS and its kube-dns Service, kube-proxy and aws-node on every node, the EBS CSI
 * controller and storage classes, the `kubernetes` Service on the control plane's ENIs, the registry's
 * MySQL (a StatefulSet behind a ClusterIP Service), the operator's RBAC and leader-election lease, and
 * the everyday operator log.
 */
export function eks(
  options: { nodes?: number; tenants?: number; enc?: Enc; coredns?: boolean } = {},
): ClusterFixture {
  const nodes = options.nodes ?? 3;
  const f = noisy(healthyCluster({ tenants: options.tenants ?? 40, nodes }));
  const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { 'kubernetes.io/metadata.name': name, ...labels },
      creationTimestamp: ago(40 * DAY),
    },
    status: { phase: 'Active' },
  });
  f.objects = f.objects.map((o) =>
    o.kind === 'Namespace'
      ? { ...o, metadata: { ...o.metadata, labels: { 'kubernetes.io/metadata.name': o.metadata.name } } }
      : o,
  );
  put(
    f,
    ns('default'),
    ns('kube-system'),
    ns('kube-public'),
    ns('kube-node-lease'),
    ns('data'),
    ns('monitoring'),
    ns('batch'),
    ns('security'),
    ns('reporting'),
    // The control plane, as the cluster sees it.
    serviceObject({
      namespace: 'default',
      name: 'kubernetes',
      clusterIP: APISERVER,
      ports: [{ name: 'https', port: 443 }],
      labels: { component: 'apiserver', provider: 'kubernetes' },
    }),
    ...endpointsFor({
      namespace: 'default',
      service: 'kubernetes',
      ready: CONTROL_PLANE_ENIS.map((ip) => ({ ip })),
      ports: [{ name: 'https', port: 443 }],
      secondsAgo: 6 * DAY,
    }),
    lease({
      namespace: 'kube-system',
      name: 'kube-controller-manager',
      holder: 'ip-172-16-51-3.eu-west-1.compute.internal_4c0c5f1e-9a7d-4f7e-8d13-2b6f0f3c8a11',
      renewSecondsAgo: 1.4,
      durationSeconds: 15,
      transitions: 7,
    }),
    lease({
      namespace: 'kube-system',
      name: 'kube-scheduler',
      holder: 'ip-172-16-51-3.eu-west-1.compute.internal_b3a9e0d2-71c4-4a35-9f0e-5c2d8e1f7a64',
      renewSecondsAgo: 0.8,
      durationSeconds: 15,
      transitions: 6,
    }),
    lease({
      namespace: NS,
      name: LEASE,
      holder: `${POD}_${uuid('leader')}`,
      renewSecondsAgo: 2.1,
      durationSeconds: 15,
      transitions: 3,
    }),
    webhookConfiguration('MutatingWebhookConfiguration', 'pod-identity-webhook', [
      {
        name: 'iam-for-pods.amazonaws.com',
        url: 'https://127.0.0.1:23443/mutate',
        failurePolicy: 'Ignore',
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
      },
    ]),
    // CoreDNS, with its Service, Endpoints and Corefile.
    workload({
      kind: 'Deployment',
      namespace: 'kube-system',
      name: 'coredns',
      labels: { 'k8s-app': 'kube-dns', 'eks.amazonaws.com/component': 'coredns' },
      replicas: 2,
      ready: 2,
    }),
    ...COREDNS_PODS.map((p) => corednsPod(p)),
    serviceObject({
      namespace: 'kube-system',
      name: 'kube-dns',
      clusterIP: KUBE_DNS,
      selector: { 'k8s-app': 'kube-dns' },
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/name': 'CoreDNS' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53 },
        { name: 'metrics', port: 9153 },
      ],
    }),
    ...kubeDnsEndpoints(COREDNS_PODS.map(corednsAddress)),
    configMap(
      'kube-system',
      'coredns',
      { Corefile: COREFILE },
      { labels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' } },
    ),
    // The node agents.
    workload({
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'aws-node',
      labels: { 'k8s-app': 'aws-node' },
      replicas: nodes,
      ready: nodes,
    }),
    workload({
      kind: 'DaemonSet',
      namespace: 'kube-system',
      name: 'kube-proxy',
      labels: { 'k8s-app': 'kube-proxy' },
      replicas: nodes,
      ready: nodes,
    }),
    ...Array.from({ length: nodes }, (_, i) => awsNodePod(i + 1)),
    ...Array.from({ length: nodes }, (_, i) => kubeProxyPod(i + 1)),
    // Storage: the EBS CSI controller and the storage classes.
    workload({
      kind: 'Deployment',
      namespace: 'kube-system',
      name: 'ebs-csi-controller',
      labels: { app: 'ebs-csi-controller' },
      replicas: 2,
      ready: 2,
    }),
    ...['abcde', 'fghij'].map((suffix, i) =>
      pod({
        namespace: 'kube-system',
        name: `ebs-csi-controller-7c9d8-${suffix}`,
        labels: { app: 'ebs-csi-controller', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' },
        owner: { kind: 'ReplicaSet', name: 'ebs-csi-controller-7c9d8' },
        nodeName: nodeName(i + 2),
        podIP: `10.0.${i + 2}.52`,
        createdSecondsAgo: 15 * DAY,
        containers: [
          {
            name: 'ebs-plugin',
            image: 'public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.37.0',
            requests: { cpu: '10m', memory: '40Mi' },
          },
          {
            name: 'csi-provisioner',
            image: 'public.ecr.aws/eks-distro/kubernetes-csi/external-provisioner:v5.1.0-eks-1-31-5',
            requests: { cpu: '10m', memory: '40Mi' },
          },
          {
            name: 'csi-attacher',
            image: 'public.ecr.aws/eks-distro/kubernetes-csi/external-attacher:v4.7.0-eks-1-31-5',
            requests: { cpu: '10m', memory: '40Mi' },
          },
          {
            name: 'liveness-probe',
            image: 'public.ecr.aws/eks-distro/kubernetes-csi/livenessprobe:v2.14.0-eks-1-31-5',
            requests: { cpu: '10m', memory: '40Mi' },
          },
        ],
      }),
    ),
    storageClass({
      name: 'gp2',
      provisioner: 'kubernetes.io/aws-ebs',
      parameters: { type: 'gp2', fsType: 'ext4' },
    }),
    storageClass({
      name: 'gp3',
      provisioner: 'ebs.csi.aws.com',
      isDefault: true,
      parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
    }),
    // The registry's MySQL.
    workload({
      kind: 'StatefulSet',
      namespace: 'data',
      name: 'mysql',
      labels: { app: 'mysql' },
      replicas: 1,
      ready: 1,
      createdSecondsAgo: 30 * DAY,
    }),
    mysqlPod(),
    serviceObject({
      namespace: 'data',
      name: 'mysql',
      clusterIP: MYSQL_VIP,
      selector: { app: 'mysql' },
      ports: [{ name: 'mysql', port: 3306 }],
      createdSecondsAgo: 30 * DAY,
    }),
    ...mysqlEndpoints(true),
    persistentVolumeClaim({
      namespace: 'data',
      name: 'data-mysql-0',
      storageClassName: 'gp3',
      request: '50Gi',
      phase: 'Bound',
      volumeName: 'pvc-6f1c2a0e-3b7d-4c9e-a1f2-8d4e5b6c7a90',
      provisioner: 'ebs.csi.aws.com',
      createdSecondsAgo: 30 * DAY,
      labels: { app: 'mysql' },
    }),
    persistentVolume({
      name: 'pvc-6f1c2a0e-3b7d-4c9e-a1f2-8d4e5b6c7a90',
      claim: { namespace: 'data', name: 'data-mysql-0' },
      storageClassName: 'gp3',
      capacity: '50Gi',
      volumeHandle: 'vol-0a1b2c3d4e5f67890',
      zone: 'eu-west-1c',
    }),
    networkPolicy('data', 'mysql-allow-tenant-operator', {
      podSelector: { matchLabels: { app: 'mysql' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NS } } }],
          ports: [{ port: 3306, protocol: 'TCP' }],
        },
      ],
    }),
    // The operator's own RBAC, as kustomize installs it.
    clusterRole('tenant-operator-manager-role', MANAGER_RULES),
    roleBinding({
      kind: 'ClusterRoleBinding',
      name: 'tenant-operator-manager-rolebinding',
      role: { kind: 'ClusterRole', name: 'tenant-operator-manager-role' },
      subjects: [{ kind: 'ServiceAccount', name: SA, namespace: NS }],
    }),
    roleBinding({
      kind: 'RoleBinding',
      name: 'tenant-operator-leader-election-rolebinding',
      namespace: NS,
      role: { kind: 'Role', name: 'tenant-operator-leader-election-role' },
      subjects: [{ kind: 'ServiceAccount', name: SA, namespace: NS }],
    }),
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: SA,
        namespace: NS,
        creationTimestamp: ago(30 * DAY),
        uid: 'b8f1c3d2-5e6a-4b7c-9d8e-0f1a2b3c4d5e',
      },
    },
    // Everyday events elsewhere in the cluster.
    eventOf({
      namespace: 'monitoring',
      type: 'Warning',
      reason: 'Unhealthy',
      message:
        'Readiness probe failed: Get "http://10.0.2.71:9090/-/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
      kind: 'Pod',
      name: 'prometheus-k8s-0',
      lastSecondsAgo: 610,
      firstSecondsAgo: 2900,
      count: 4,
      component: 'kubelet',
      host: nodeName(2),
    }),
    eventOf({
      namespace: 'tenants-3',
      type: 'Normal',
      reason: 'SuccessfulCreate',
      message: 'Created pod: nightly-report-28911200-x8kqz',
      kind: 'Job',
      name: 'nightly-report-28911200',
      lastSecondsAgo: 1500,
      component: 'job-controller',
    }),
    eventOf({
      namespace: 'tenants-3',
      type: 'Normal',
      reason: 'Completed',
      message: 'Job completed',
      kind: 'Job',
      name: 'nightly-report-28911200',
      lastSecondsAgo: 1380,
      component: 'job-controller',
    }),
  );
  registryState(f, 'connected', { tenants: options.tenants ?? 40 });
  f.logs = {
    ...f.logs,
    ...(options.coredns === false
      ? {}
      : Object.fromEntries(COREDNS_PODS.map((p) => [`kube-system/${p.name}/coredns`, COREDNS_BANNER]))),
  };
  setLogs(f, everyday(options.enc ?? 'console', { tenants: options.tenants ?? 40 }));
  return f;
}

/** A tenant's application pod that cannot be scheduled (the scheduler's condition on it). */
export function pendingTenantPod(
  i: number,
  message: string,
  options: { createdSecondsAgo?: number; pvc?: boolean; cpu?: string } = {},
): KubeObject {
  const t = tenantAt(i);
  return pod({
    namespace: t.namespace,
    name: `${t.name}-app-7f9c6d5b8-${hex(`pending${i}`, 5).replace(/[0-9]/g, 'k')}`,
    labels: { app: `${t.name}-app`, 'pod-template-hash': '7f9c6d5b8' },
    owner: { kind: 'ReplicaSet', name: `${t.name}-app-7f9c6d5b8` },
    phase: 'Pending',
    createdSecondsAgo: options.createdSecondsAgo ?? ONSET - 60,
    conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
    ...(options.pvc
      ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: `${t.name}-data` } }] }
      : {}),
    containers: [
      {
        name: 'app',
        image: 'ghcr.io/acme/web-app:4.12.1',
        requests: { cpu: options.cpu ?? '250m', memory: '256Mi' },
      },
    ],
  });
}

/** A Warning event about a tenant (the operator's event recorder: source "tenant-controller"). */
export const tenantEvent = (
  t: TenantRef,
  reason: string,
  message: string,
  lastSecondsAgo: number,
  count = 1,
  firstSecondsAgo?: number,
) =>
  eventOf({
    namespace: t.namespace,
    type: 'Warning',
    reason,
    message,
    kind: 'Tenant',
    apiVersion: `${GROUP}/v1`,
    name: t.name,
    lastSecondsAgo,
    firstSecondsAgo: firstSecondsAgo ?? Math.min(ONSET - 30, lastSecondsAgo + 1800),
    count,
    component: 'tenant-controller',
  });

export const registryEvent = (
  message: string,
  lastSecondsAgo: number,
  count: number,
  firstSecondsAgo = ONSET - 20,
) =>
  eventOf({
    namespace: REGISTRY.namespace,
    type: 'Warning',
    reason: 'DatabaseQueryFailed',
    message: `Failed to query database: ${message}`,
    kind: 'TenantRegistry',
    apiVersion: `${GROUP}/v1`,
    name: REGISTRY.name,
    lastSecondsAgo,
    firstSecondsAgo,
    count,
    component: 'tenantregistry-controller',
  });

/** The registry failing at every sync since the onset (controller-runtime's backoff, then the watch re-triggers). */
export function registryFailures(enc: Enc, error: (i: number) => string, count = 24): Line[] {
  return spread(count, ONSET - 15, 25, (at, i) => registrySyncFailed(enc, at, error(i)));
}

// ---------------------------------------------------------------------------------------------------
// Decoys shared by several incidents
// ---------------------------------------------------------------------------------------------------

/** The operator was OOMKilled 3 days ago, once; it has run since. */
export function oomKilledThreeDaysAgo(f: ClusterFixture) {
  put(
    f,
    operatorPodWith(
      {
        restartCount: 1,
        state: { running: { startedAt: ago(3 * DAY - 20) } },
        lastState: {
          terminated: {
            reason: 'OOMKilled',
            exitCode: 137,
            startedAt: ago(8 * DAY),
            finishedAt: ago(3 * DAY - 12),
          },
        },
      },
      { createdSecondsAgo: 8 * DAY },
    ),
  );
}

/** MySQL crashed 6 hours ago and was back 4 minutes later: the pod's last state and the registry's old event. */
export function mysqlOutageSixHoursAgo(f: ClusterFixture) {
  put(
    f,
    mysqlPod({
      restartCount: 1,
      state: { running: { startedAt: ago(6 * HOUR - 240) } },
      lastState: {
        terminated: { reason: 'Error', exitCode: 1, startedAt: ago(12 * DAY), finishedAt: ago(6 * HOUR) },
      },
    }),
    registryEvent(
      `failed to create datasource: failed to ping MySQL: dial tcp ${MYSQL_VIP}:3306: connect: connection refused`,
      6 * HOUR - 230,
      9,
      6 * HOUR,
    ),
  );
}

/** A CoreDNS pod restarted 3 days ago (its node was replaced); both have been ready since. */
export function corednsRestartedDaysAgo(f: ClusterFixture) {
  const p = COREDNS_PODS[0] as (typeof COREDNS_PODS)[number];
  put(
    f,
    corednsPod(p, {
      restartCount: 1,
      state: { running: { startedAt: ago(3 * DAY) } },
      lastState: {
        terminated: {
          reason: 'Error',
          exitCode: 255,
          startedAt: ago(9 * DAY),
          finishedAt: ago(3 * DAY + 30),
        },
      },
    }),
  );
}

/**
 * A quota that was exhausted and lifted before the errors began: the ReplicaSet's FailedCreate events
 * stopped 52 minutes ago, when the quota was raised (it is at 45% now).
 */
export function quotaLiftedBeforeOnset(f: ClusterFixture) {
  put(
    f,
    quota(
      'tenants-2',
      'compute',
      { 'requests.cpu': '16', 'requests.memory': '32Gi', pods: '60' },
      { 'requests.cpu': '7250m', 'requests.memory': '14848Mi', pods: '29' },
    ),
    eventOf({
      namespace: 'tenants-2',
      type: 'Warning',
      reason: 'FailedCreate',
      message:
        'Error creating: pods "customer-00006-app-5d8f7c9b4-" is forbidden: exceeded quota: compute, requested: requests.cpu=250m, used: requests.cpu=8, limited: requests.cpu=8',
      kind: 'ReplicaSet',
      apiVersion: 'apps/v1',
      name: 'customer-00006-app-5d8f7c9b4',
      lastSecondsAgo: 52 * MIN,
      firstSecondsAgo: 59 * MIN,
      count: 17,
      component: 'replicaset-controller',
    }),
  );
}

/** One tenant's template value is broken: many lines, one tenant, since long before the onset. */
export function oneTenantRenderLoop(enc: Enc, count = 90): Line[] {
  const t = tenantAt(17);
  return spread(count, 3250, 8, (at) => [
    zap(
      enc,
      at,
      'error',
      'Failed to render resource',
      {
        ...rc('Tenant', t, at),
        id: 'ingress',
        error: 'template: ingress:9:31: executing "ingress" at <.host>: map has no entry for key "host"',
      },
      { stack: true },
    ),
  ]);
}

/** controller-runtime's KubeAPIWarningLogger: warnings the API server returns on successful applies. */
export function apiWarnings(enc: Enc, count = 80, from = 3250, to = 6): Line[] {
  return spread(count, from, to, (at) => [
    zap(
      enc,
      at,
      'info',
      'spec.template.spec.containers[0].env[3]: hides previous definition of "LOG_LEVEL", which may be dropped when using apply',
      undefined,
      { logger: 'KubeAPIWarningLogger' },
    ),
  ]);
}

/** Big API server counters that have been counting for 41 days (not rising now). */
export const OLD_429_TOTALS = [
  'apiserver_request_total{code="429",component="apiserver",dry_run="",group="operator.kubernetes-tenants.org",resource="tenants",scope="namespace",subresource="status",verb="UPDATE",version="v1"} 182331',
  'apiserver_request_total{code="429",component="apiserver",dry_run="",group="apps",resource="deployments",scope="namespace",subresource="",verb="PATCH",version="v1"} 40512',
  '# TYPE apiserver_flowcontrol_rejected_requests_total counter',
  'apiserver_flowcontrol_rejected_requests_total{flow_schema="service-accounts",priority_level="workload-low",reason="queue-full"} 90112',
  'apiserver_flowcontrol_rejected_requests_total{flow_schema="service-accounts",priority_level="workload-low",reason="time-out"} 3127',
  'apiserver_flowcontrol_current_inqueue_requests{flow_schema="service-accounts",priority_level="workload-low"} 0',
  processStart(41 * DAY),
];

// ---------------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------------

export const QUIET: Incident['metrics'] = { phases: [{ from: -3600, rates: BASELINE_RATES }] };

export function logs(
  f: ClusterFixture,
  enc: Enc,
  lines: Line[],
  options: Parameters<typeof everyday>[1] = {},
) {
  setLogs(f, [...everyday(enc, options), ...lines]);
}

// ---------------------------------------------------------------------------------------------------
// Healthy, busy and alert-blind
// ---------------------------------------------------------------------------------------------------

export const healthyLoud: Incident = {
  name: 'blind-healthy-loud',
  cause: 'none',
  alert: 'inactive',
  description:
    'healthy and chatty: INFO/DEBUG lines with "error" and "failed" in their fields (a tenant named error-pages, failed=0 counts, an orphan-marker debug line), 14 optimistic-lock conflicts at ERROR level, API warnings on applies, a readiness probe flapping in monitoring. Decoys: the words, the conflicts',
  metrics: QUIET,
  fixture: () => {
    const f = eks();
    const errorPages: TenantRef = { name: 'error-pages-eu', namespace: 'tenants-2' };
    put(f, tenant('tenant-operator', { ...errorPages, ready: 'True' }));
    const lines: Line[] = [
      ...spread(60, 3200, 20, (at, i) => [
        zap('console', at, 'info', 'Using full reconcile path', {
          ...rc('Tenant', errorPages, at),
          tenant: errorPages.name,
          generation: 12 + i,
          observedGeneration: 11 + i,
        }),
        zap('console', at - 0.2, 'info', 'Skipping resource (CreationPolicy=Once, already created)', {
          ...rc('Tenant', errorPages, at),
          id: 'error-page-config',
          name: 'error-pages-eu-error-page-config',
        }),
        zap('console', at - 0.4, 'debug', 'Failed to remove orphan markers, continuing anyway', {
          error: `configmaps "error-pages-eu-legacy" not found`,
        }),
        zap('console', at - 0.5, 'info', 'Reconciliation completed with changes', {
          ...rc('Tenant', errorPages, at),
          changed: 1,
          ready: 4,
          failed: 0,
          conflicted: 0,
        }),
      ]),
      ...spread(14, 3100, 50, (at, i) => {
        const t = tenantAt(i * 3 + 1);
        return reconcilerError(
          'console',
          at,
          'Tenant',
          t,
          `Operation cannot be fulfilled on tenants.${GROUP} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      }),
      ...apiWarnings('console', 40),
      klog('I', 1900, 'leaderelection.go:281', `successfully renewed lease ${NS}/${LEASE}`),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

export const healthyHistory: Incident = {
  name: 'blind-healthy-history',
  cause: 'none',
  alert: 'inactive',
  description:
    'healthy now, with a past: the operator was OOMKilled 3 days ago, MySQL crashed 6 hours ago and recovered in 4 minutes (DatabaseQueryFailed event, restart), a quota in tenants-2 was exhausted and lifted 52 minutes ago, CoreDNS restarted 3 days ago. JSON logs. Decoys: all of it is history',
  metrics: QUIET,
  fixture: () => {
    const f = eks({ enc: 'json' });
    oomKilledThreeDaysAgo(f);
    mysqlOutageSixHoursAgo(f);
    quotaLiftedBeforeOnset(f);
    corednsRestartedDaysAgo(f);
    logs(f, 'json', apiWarnings('json', 20), {});
    f.logs = {
      ...f.logs,
      [`${LOG_KEY}/previous`]: text([
        ...everyday('json', { from: 3 * DAY + 900, to: 3 * DAY - 10, every: 9 }),
      ]),
    };
    return f;
  },
};

export const busy429History: Incident = {
  name: 'blind-busy-429-history',
  cause: 'none',
  alert: 'inactive',
  description:
    '200 tenants at 120 reconciles/s with 1% errors (conflicts, a few deadline-exceeded status updates); the API server has answered 222,843 requests with 429 and rejected 93,239 in APF since it started 41 days ago, but the operator sees no 429 now; three client-side throttling waits during a resync. Decoys: the counters since start, the waits',
  metrics: {
    phases: [
      {
        from: -3600,
        rates: { success: 118.8, error: 1.2, crTotal: 120, crErrors: 1.2, rest200: 260, workqueueDepth: 45 },
      },
    ],
  },
  fixture: () => {
    const f = eks({ tenants: 200 });
    registryState(f, 'connected', { tenants: 200 });
    apiserverMetrics(f, OLD_429_TOTALS);
    const lines: Line[] = [
      ...spread(30, 1700, 15, (at, i) => {
        const t = tenantAt(i * 11 + 2, 200);
        return reconcilerError(
          'console',
          at,
          'Tenant',
          t,
          `Operation cannot be fulfilled on tenants.${GROUP} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      }),
      ...spread(4, 1500, 200, (at, i) =>
        statusUpdateFailed(
          'console',
          at,
          tenantAt(i * 37, 200),
          `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${tenantAt(i * 37, 200).namespace}/tenants/${tenantAt(i * 37, 200).name}/status": context deadline exceeded`,
        ),
      ),
      ...[1204, 1203, 1201].map((at, i) =>
        klog(
          'I',
          at,
          'request.go:700',
          `Waited for ${(1.02 + i * 0.31).toFixed(2)}s due to client-side throttling, not priority and fairness, request: GET:https://${APISERVER}:443/apis/apps/v1/namespaces/tenants-${i}/deployments/customer-0000${i}-app`,
        ),
      ),
    ];
    logs(f, 'console', lines, { from: 1750, every: 1.5, tenants: 200 });
    return f;
  },
};

export const busyLeaderHandover: Incident = {
  name: 'blind-busy-leader-handover',
  cause: 'none',
  alert: 'inactive',
  description:
    'a routine operator rollout 22 minutes ago: the new leader resyncs every tenant (140 reconciles/s, queue at 850) and drains in 8 minutes; 1.7% errors, all optimistic-lock conflicts; old pod Killing events. Decoys: the queue depth, the new pod, the conflicts',
  metrics: {
    phases: [
      { from: -3600, rates: BASELINE_RATES },
      {
        from: -22 * MIN,
        rates: { success: 140, error: 2.4, crTotal: 142.4, crErrors: 2.4, rest200: 300, workqueueDepth: 850 },
      },
      {
        from: -14 * MIN,
        rates: { success: 9.9, error: 0.1, crTotal: 10, crErrors: 0.1, rest200: 20, workqueueDepth: 3 },
      },
    ],
    resetAt: -22 * MIN,
  },
  fixture: () => {
    const f = eks();
    operatorRollout(f, {
      hash: '6c8d5f7b9e',
      revision: 4,
      secondsAgo: 22 * MIN,
      image: 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.8',
    });
    const next = operatorPodWith({}, { createdSecondsAgo: 22 * MIN, hash: '6c8d5f7b9e', suffix: 'q9w2t' });
    put(
      f,
      lease({
        namespace: NS,
        name: LEASE,
        holder: `${next.metadata.name}_${uuid('leader2')}`,
        renewSecondsAgo: 1.7,
        acquiredSecondsAgo: 22 * MIN - 20,
        transitions: 4,
      }),
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled up replica set tenant-operator-controller-manager-6c8d5f7b9e to 1',
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        name: 'tenant-operator-controller-manager',
        lastSecondsAgo: 22 * MIN,
        component: 'deployment-controller',
      }),
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled down replica set tenant-operator-controller-manager-7d9f8b6c5d to 0 from 1',
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        name: 'tenant-operator-controller-manager',
        lastSecondsAgo: 22 * MIN - 25,
        component: 'deployment-controller',
      }),
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'Killing',
        message: 'Stopping container manager',
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 22 * MIN - 24,
        component: 'kubelet',
        host: OP_NODE,
      }),
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'LeaderElection',
        message: `${next.metadata.name}_${uuid('leader2')} became leader`,
        kind: 'Lease',
        apiVersion: 'coordination.k8s.io/v1',
        name: LEASE,
        lastSecondsAgo: 22 * MIN - 20,
        component: `${next.metadata.name}_${uuid('leader2')}`,
      }),
    );
    const lines: Line[] = [
      ...startup('console', 22 * MIN - 2),
      ...spread(25, 22 * MIN - 40, 14 * MIN, (at, i) => {
        const t = tenantAt(i * 7 + 1);
        return reconcilerError(
          'console',
          at,
          'Tenant',
          t,
          `Operation cannot be fulfilled on tenants.${GROUP} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      }),
    ];
    setLogs(f, [...everyday('console', { from: 22 * MIN - 30, every: 1.2, conflicts: false }), ...lines]);
    replaceOperatorPod(f, next);
    operatorUsage(f, '180m', '92Mi');
    return f;
  },
};

export const PATCH_DENIED = (t: TenantRef) =>
  `failed to apply resource: deployments.apps "${t.name}-app" is forbidden: User "${SA_USER}" cannot patch resource "deployments" in API group "apps" in the namespace "${t.namespace}"`;

export const alertBlindRbac: Incident = {
  name: 'blind-alert-blind-rbac-patch',
  cause: 'rbac-denied',
  alert: 'inactive',
  description:
    'a GitOps sync 43 minutes ago rewrote the manager ClusterRole without "patch" on apps/deployments; server-side apply of every tenant Deployment is forbidden, recorded as partial_failure (30%) while result="error" stays at 0.5%: the runbook\'s alert is blind. "can-i create deployments" still says yes. Decoys: a TenantTemplate image bump 40 minutes ago (the trigger, not the cause), API warnings',
  metrics: {
    phases: [
      { from: -3600, rates: BASELINE_RATES },
      // The real operator returns no error on a partial failure: controller-runtime counts no error either.
      { from: -ONSET, rates: { ...ALERT_BLIND_RATES, crErrors: 0.05 } },
    ],
  },
  fixture: () => {
    const f = eks();
    put(
      f,
      clusterRole(
        'tenant-operator-manager-role',
        MANAGER_RULES.map((r) =>
          r.apiGroups[0] === 'apps'
            ? { ...r, verbs: ['create', 'delete', 'get', 'list', 'update', 'watch'] }
            : r,
        ),
        { manager: 'argocd-controller', secondsAgo: 43 * MIN },
      ),
      eventOf({
        namespace: 'tenants-0',
        type: 'Normal',
        reason: 'Updated',
        message:
          'TenantTemplate web-app updated: spec.deployments[0].spec.template.spec.containers[0].image ghcr.io/acme/web-app:4.12.0 -> ghcr.io/acme/web-app:4.12.1',
        kind: 'TenantTemplate',
        apiVersion: `${GROUP}/v1`,
        name: 'web-app',
        lastSecondsAgo: ONSET,
        component: 'argocd-application-controller',
      }),
    );
    f.accessRules = [
      ...(f.accessRules ?? []),
      { user: SA_USER, verb: 'patch', group: 'apps', resource: 'deployments', allowed: false },
      { user: SA_USER, verb: 'update', group: 'apps', resource: 'deployments', allowed: true },
    ];
    const failing = Array.from({ length: 28 }, (_, i) => i + 4);
    tenantsNotReady(f, failing, 'ResourcesFailed', '1 resources failed');
    put(
      f,
      ...failing
        .slice(0, 10)
        .map((i) =>
          tenantEvent(
            tenantAt(i),
            'ApplyFailed',
            `Failed to apply resource app: ${PATCH_DENIED(tenantAt(i))}`,
            30 + i * 7,
            38,
          ),
        ),
      ...failing
        .slice(0, 6)
        .map((i) =>
          tenantEvent(
            tenantAt(i),
            'TemplateAppliedPartial',
            `Applied TenantTemplate 'web-app' (generation: 8) with partial success. Changed: 0, Ready: 2, Failed: 1 out of 3 total resources. Registry: customers, Tenant UID: ${tenantAt(i).name}. Failed resources require attention.`,
            31 + i * 7,
            38,
          ),
        ),
    );
    const lines: Line[] = [
      ...spread(56, ONSET - 30, 10, (at, i) => {
        const t = tenantAt(failing[i % failing.length] ?? 4);
        return [
          zap('console', at + 0.4, 'info', 'Using full reconcile path', {
            ...rc('Tenant', t, at),
            tenant: t.name,
            generation: 8,
            observedGeneration: 7,
          }),
          applyFailed('console', at, t, 'app', PATCH_DENIED(t)),
          zap(
            'console',
            at - 0.3,
            'error',
            'Template application completed with failures',
            {
              ...rc('Tenant', t, at),
              tenant: t.name,
              template: 'web-app',
              generation: '8',
              changed: 0,
              ready: 2,
              failed: 1,
              total: 3,
            },
            { stack: true },
          ),
        ];
      }),
      ...apiWarnings('console', 30, 3200, ONSET + 60),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// API server
// ---------------------------------------------------------------------------------------------------

export const apiserverUnavailable: Incident = {
  name: 'blind-apiserver-overloaded-restarting',
  cause: 'apiserver-unavailable',
  alert: 'firing',
  description:
    'a new node-inventory DaemonSet LISTs every pod from every node; the API servers run out of inflight capacity (400/200), restart (process started 14 minutes ago) and answer 503/504 and GOAWAY; /readyz fails on shutdown. The operator lost its lease once and restarted 18 minutes ago (exit 1, "leader election lost"). Decoys: that restart (not a crash), one tenant\'s render error with more lines',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    f.raw = {
      ...f.raw,
      '/readyz': {
        status: 500,
        body: '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]informer-sync ok\n[+]poststarthook/start-apiserver-admission-initializer ok\n[+]poststarthook/generic-apiserver-start-informers ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n',
      },
    };
    apiserverMetrics(f, [
      'apiserver_request_total{code="503",component="apiserver",dry_run="",group="",resource="pods",scope="cluster",subresource="",verb="LIST",version="v1"} 18211',
      'apiserver_request_total{code="504",component="apiserver",dry_run="",group="",resource="pods",scope="cluster",subresource="",verb="LIST",version="v1"} 4120',
      'apiserver_current_inflight_requests{request_kind="mutating"} 200',
      'apiserver_current_inflight_requests{request_kind="readOnly"} 400',
      'apiserver_flowcontrol_current_inqueue_requests{flow_schema="service-accounts",priority_level="workload-low"} 312',
      processStart(14 * MIN),
    ]);
    put(
      f,
      workload({
        kind: 'DaemonSet',
        namespace: 'monitoring',
        name: 'node-inventory',
        labels: { app: 'node-inventory' },
        replicas: 3,
        ready: 3,
        createdSecondsAgo: 44 * MIN,
      }),
      ...[1, 2, 3].map((i) =>
        pod({
          namespace: 'monitoring',
          name: `node-inventory-${hex(`ni${i}`, 5).replace(/[0-9]/g, 'z')}`,
          labels: { app: 'node-inventory' },
          owner: { kind: 'DaemonSet', name: 'node-inventory' },
          nodeName: nodeName(i),
          podIP: `10.0.${i}.90`,
          createdSecondsAgo: 44 * MIN,
          containers: [
            {
              name: 'inventory',
              image: 'ghcr.io/acme/node-inventory:0.3.0',
              requests: { cpu: '50m', memory: '64Mi' },
            },
          ],
        }),
      ),
      operatorPodWith({
        restartCount: 1,
        state: { running: { startedAt: ago(18 * MIN - 5) } },
        lastState: {
          terminated: { reason: 'Error', exitCode: 1, startedAt: ago(2 * DAY), finishedAt: ago(18 * MIN) },
        },
      }),
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'Pulled',
        message:
          'Container image "ghcr.io/kubernetes-tenants/tenant-operator:v1.1.8" already present on machine',
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 18 * MIN - 3,
        component: 'kubelet',
        host: OP_NODE,
      }),
    );
    const gv = (t: TenantRef) => `tenants.${GROUP} ${t.name}`;
    const current: Line[] = [
      ...startup('console', 18 * MIN - 4),
      ...spread(40, 17 * MIN, 15, (at, i) => {
        const t = tenantAt(i * 3 + 2);
        switch (i % 4) {
          case 0:
            return applyFailed(
              'console',
              at,
              t,
              'app',
              `failed to apply resource: the server is currently unable to handle the request (patch deployments.apps ${t.name}-app)`,
            );
          case 1:
            return statusUpdateFailed(
              'console',
              at,
              t,
              `the server was unable to return a response in the time allotted, but may still be processing the request (put ${gv(t)})`,
            );
          case 2:
            return statusUpdateFailed(
              'console',
              at,
              t,
              `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${t.namespace}/tenants/${t.name}/status": http2: server sent GOAWAY and closed the connection; LastStreamID=1999, ErrCode=NO_ERROR, debug=""`,
            );
          default:
            return klog(
              'E',
              at,
              'reflector.go:158',
              `"Unhandled Error" err="k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: Failed to watch *v1.Deployment: failed to list *v1.Deployment: the server is currently unable to handle the request (get deployments.apps)" logger="UnhandledError"`,
            );
        }
      }),
      ...oneTenantRenderLoop('console', 70).filter((l) => l.at < 18 * MIN - 10),
    ];
    setLogs(
      f,
      [...everyday('console', { from: 18 * MIN - 20, every: 9 }), ...current],
      [
        ...everyday('console', { from: 3300, to: 18 * MIN + 30, every: 9 }),
        ...spread(30, ONSET - 60, 18 * MIN + 40, (at, i) => {
          const t = tenantAt(i * 5);
          return i % 2 === 0
            ? applyFailed(
                'console',
                at,
                t,
                'app',
                `failed to apply resource: the server is currently unable to handle the request (patch deployments.apps ${t.name}-app)`,
              )
            : statusUpdateFailed(
                'console',
                at,
                t,
                `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${t.namespace}/tenants/${t.name}/status": EOF`,
              );
        }),
        ...oneTenantRenderLoop('console', 70).filter((l) => l.at > 18 * MIN),
        klog(
          'E',
          18 * MIN + 14,
          'leaderelection.go:429',
          `Failed to update lock optimitically: Put "https://${APISERVER}:443/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}?timeout=5s": context deadline exceeded, falling back to slow path`,
        ),
        klog(
          'E',
          18 * MIN + 9,
          'leaderelection.go:436',
          `error retrieving resource lock ${NS}/${LEASE}: the server was unable to return a response in the time allotted, but may still be processing the request (get leases.coordination.k8s.io ${LEASE})`,
        ),
        klog(
          'I',
          18 * MIN + 4,
          'leaderelection.go:297',
          `failed to renew lease ${NS}/${LEASE}: timed out waiting for the condition`,
        ),
        zap(
          'console',
          18 * MIN + 3.9,
          'error',
          'problem running manager',
          { error: 'leader election lost' },
          { logger: 'setup', stack: true },
        ),
      ],
    );
    return f;
  },
};

export const TOO_MANY = 'the server has received too many requests and has asked us to try again later';

export const apiserverThrottling: Incident = {
  name: 'blind-apiserver-apf-429',
  cause: 'apiserver-throttling',
  alert: 'firing',
  description:
    'API Priority and Fairness rejects the workload-low level the operator shares with a new reporting CronJob: 429 "too many requests" on applies and status updates, rest_client 429 rate rising (JSON logs). Decoys: 90 KubeAPIWarningLogger lines (more than the 429s), no client-side throttling waits',
  metrics: firing({ rest200: 12, rest429: 6 }),
  fixture: () => {
    const f = eks({ enc: 'json' });
    apiserverMetrics(f, [
      'apiserver_request_total{code="429",component="apiserver",dry_run="",group="operator.kubernetes-tenants.org",resource="tenants",scope="namespace",subresource="status",verb="UPDATE",version="v1"} 14822',
      '# TYPE apiserver_flowcontrol_rejected_requests_total counter',
      'apiserver_flowcontrol_rejected_requests_total{flow_schema="service-accounts",priority_level="workload-low",reason="queue-full"} 15907',
      'apiserver_flowcontrol_current_inqueue_requests{flow_schema="service-accounts",priority_level="workload-low"} 128',
      'apiserver_flowcontrol_nominal_limit_seats{priority_level="workload-low"} 245',
      processStart(41 * DAY),
    ]);
    put(
      f,
      eventOf({
        namespace: 'reporting',
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: 'Created job tenant-usage-report-28911310',
        kind: 'CronJob',
        apiVersion: 'batch/v1',
        name: 'tenant-usage-report',
        lastSecondsAgo: 50,
        firstSecondsAgo: 42 * MIN,
        count: 42,
        component: 'cronjob-controller',
      }),
    );
    const lines: Line[] = [
      ...spread(46, ONSET - 40, 12, (at, i) => {
        const t = tenantAt(i * 3 + 1);
        return i % 2 === 0
          ? applyFailed(
              'json',
              at,
              t,
              'app',
              `failed to apply resource: ${TOO_MANY} (patch deployments.apps ${t.name}-app)`,
            )
          : statusUpdateFailed('json', at, t, `${TOO_MANY} (put tenants.${GROUP} ${t.name})`);
      }),
      ...apiWarnings('json', 90),
    ];
    logs(f, 'json', lines);
    return f;
  },
};

export const apiserverNetwork: Incident = {
  name: 'blind-apiserver-eni-nacl',
  cause: 'apiserver-network',
  alert: 'firing',
  description:
    'a network ACL change on the subnet of one control-plane ENI (10.0.77.9): about half the new connections to 172.20.0.1:443 time out ("dial tcp 172.20.0.1:443: i/o timeout", leader lease slow path); /readyz, the API server metrics, DNS and MySQL are fine and every node is Ready. Decoys: MySQL crashed 6 hours ago (recovered), a CoreDNS restart 3 days ago, one tenant\'s Service in conflict with kubectl (repeated more often)',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    mysqlOutageSixHoursAgo(f);
    corednsRestartedDaysAgo(f);
    const conflicted = tenantAt(6);
    put(
      f,
      tenantEvent(
        conflicted,
        'ResourceConflict',
        `Resource conflict detected for ${conflicted.namespace}/${conflicted.name}-svc (Kind: Service, Policy: Stuck). Another controller or user may be managing this resource. Consider using ConflictPolicy=Force to take ownership or resolve the conflict manually. Error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.ports[name="http"].targetPort`,
        35,
        140,
        3 * HOUR,
      ),
    );
    const lines: Line[] = [
      ...spread(30, ONSET - 20, 10, (at, i) => {
        const t = tenantAt(i * 3);
        switch (i % 3) {
          case 0:
            return statusUpdateFailed(
              'console',
              at,
              t,
              `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${t.namespace}/tenants/${t.name}/status": dial tcp ${APISERVER}:443: i/o timeout`,
            );
          case 1:
            return applyFailed(
              'console',
              at,
              t,
              'app',
              `failed to apply resource: Patch "https://${APISERVER}:443/apis/apps/v1/namespaces/${t.namespace}/deployments/${t.name}-app?fieldManager=tenant-operator&force=false": dial tcp ${APISERVER}:443: i/o timeout`,
            );
          default:
            return klog(
              'W',
              at,
              'reflector.go:561',
              `k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: failed to list *v1.Service: Get "https://${APISERVER}:443/api/v1/services?resourceVersion=48211734": dial tcp ${APISERVER}:443: i/o timeout`,
            );
        }
      }),
      ...spread(8, ONSET - 100, 60, (at) =>
        klog(
          'E',
          at,
          'leaderelection.go:429',
          `Failed to update lock optimitically: Put "https://${APISERVER}:443/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}?timeout=5s": dial tcp ${APISERVER}:443: i/o timeout, falling back to slow path`,
        ),
      ),
      ...spread(60, 3250, 8, (at) =>
        applyFailed(
          'console',
          at,
          conflicted,
          'svc',
          `resource conflict for ${conflicted.namespace}/${conflicted.name}-svc (Service): Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.ports[name="http"].targetPort`,
        ),
      ),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

export const apiserverAuth: Incident = {
  name: 'blind-apiserver-auth-sa-recreated',
  cause: 'apiserver-auth',
  alert: 'firing',
  description:
    "a GitOps prune deleted and recreated the operator's ServiceAccount 42 minutes ago: the running pod's bound token names the old ServiceAccount UID, so every request is 401 Unauthorized (JSON logs; this operator runs without --leader-elect, so it does not exit). RBAC is intact (the reviews say allowed, the ClusterRole is untouched). Decoys: a FailedMount from the seconds the ServiceAccount did not exist, API warnings from before the onset",
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    const deployment = find(f, 'Deployment', 'tenant-operator-controller-manager');
    const spec = deployment.spec as { template: { spec: { containers: { args: string[] }[] } } };
    for (const c of spec.template.spec.containers) c.args = c.args.filter((a) => a !== '--leader-elect');
    remove(f, 'Lease', LEASE, NS);
    put(
      f,
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: SA,
          namespace: NS,
          creationTimestamp: ago(42 * MIN),
          uid: '0c7d2e91-4a5b-4f6c-8e7d-9a0b1c2d3e4f',
          labels: {
            'app.kubernetes.io/instance': 'tenant-operator',
            'argocd.argoproj.io/instance': 'tenant-operator',
          },
        },
      },
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'FailedMount',
        message: `MountVolume.SetUp failed for volume "kube-api-access-7x2lp" : failed to fetch token: serviceaccounts "${SA}" not found`,
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 42 * MIN - 3,
        firstSecondsAgo: 42 * MIN,
        count: 2,
        component: 'kubelet',
        host: OP_NODE,
      }),
    );
    const lines: Line[] = [
      ...spread(54, ONSET - 20, 6, (at, i) => {
        const t = tenantAt(i * 3);
        switch (i % 3) {
          case 0:
            return statusUpdateFailed('json', at, t, 'Unauthorized');
          case 1:
            return klog(
              'E',
              at,
              'reflector.go:158',
              `"Unhandled Error" err="k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: Failed to watch *v1.${['Tenant', 'Deployment', 'Service'][i % 3]}: failed to list *v1.${['Tenant', 'Deployment', 'Service'][i % 3]}: Unauthorized" logger="UnhandledError"`,
            );
          default:
            return applyFailed('json', at, t, 'app', 'failed to apply resource: Unauthorized');
        }
      }),
      ...spread(12, ONSET - 30, 40, (at) =>
        klog(
          'E',
          at,
          'event.go:368',
          '"Server rejected event (will not retry!)" err="Unauthorized" event="&Event{ObjectMeta:{customer-00012.18a2c3f4d5e6f7a8  tenants-0 ...}}"',
        ),
      ),
      ...apiWarnings('json', 40, 3250, ONSET + 30),
    ];
    logs(f, 'json', lines);
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// Controller
// ---------------------------------------------------------------------------------------------------

/** controller-runtime's recovered reconcile panic: apimachinery's logPanic line, then the Reconciler error. */
export function recoveredPanic(enc: Enc, at: number, t: TenantRef, panic: string, goroutine: number): Line[] {
  const stack = [
    `goroutine ${goroutine} [running]:`,
    'k8s.io/apimachinery/pkg/util/runtime.logPanic({0x1f2a4c8, 0xc0012a3b90}, {0x19c2e40, 0x1f1d6b0})',
    '\t/go/pkg/mod/k8s.io/apimachinery@v0.31.2/pkg/util/runtime/runtime.go:107 +0xbc',
    'k8s.io/apimachinery/pkg/util/runtime.handleCrash({0x1f2a4c8, 0xc0012a3b90}, {0x19c2e40, 0x1f1d6b0}, {0x2d1e7a0, 0x0, 0x0?})',
    '\t/go/pkg/mod/k8s.io/apimachinery@v0.31.2/pkg/util/runtime/runtime.go:82 +0x5e',
    'sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).Reconcile.func1()',
    '\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/internal/controller/controller.go:108 +0x112',
    'panic({0x19c2e40?, 0x1f1d6b0?})',
    '\t/usr/local/go/src/runtime/panic.go:785 +0x132',
    'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).buildTemplateVariablesFromAnnotations(0xc000512a80, 0xc001a4e008)',
    '\t/workspace/internal/controller/tenant_controller.go:1268 +0x2f4',
    'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).reconcileSpec(0xc000512a80, {0x1f2a4c8, 0xc0012a3b90}, 0xc001a4e008, {0xc1c2d3e4f5a6b7c8, 0x2a1b3c4d5e, 0x2d1e7a0})',
    '\t/workspace/internal/controller/tenant_controller.go:1509 +0x9c',
    'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).Reconcile(0xc000512a80, {0x1f2a4c8, 0xc0012a3b90}, {{{0xc000f1c2a0, 0x9}, {0xc000f1c2b0, 0xe}}})',
    '\t/workspace/internal/controller/tenant_controller.go:166 +0x31d',
    'sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).Reconcile(0xc0004fe1e0, {0x1f2a4c8, 0xc0012a3b90}, {{{0xc000f1c2a0, 0x9}, {0xc000f1c2b0, 0xe}}})',
    '\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/internal/controller/controller.go:116 +0xbf',
  ].join('\n');
  const fields = { ...rc('Tenant', t, at), panic, panicGoValue: `"${panic}"`, stacktrace: stack };
  return [
    zap(enc, at, 'error', 'Observed a panic', fields),
    reconcilerError(enc, at - 0.001, 'Tenant', t, `panic: ${panic} [recovered]`),
  ];
}

export const controllerBugPanic: Incident = {
  name: 'blind-controller-bug-recovered-panic',
  cause: 'controller-bug',
  alert: 'firing',
  description:
    'the registry gained an extraValueMappings column 41 minutes ago; rows with NULL extras make buildTemplateVariablesFromAnnotations write to a nil map: controller-runtime recovers the panic ("Observed a panic", "panic: assignment to entry in nil map [recovered]") and requeues, for 26 tenants; the process never dies (0 restarts since an OOMKill 3 days ago). Decoys: that old OOMKill (a crash/exhaustion lookalike), conflicts',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    oomKilledThreeDaysAgo(f);
    const r = find(f, 'TenantRegistry', 'customers');
    put(f, {
      ...patched(r, 'spec', { extraValueMappings: { region: 'region', plan: 'plan_tier' } }),
      metadata: {
        ...r.metadata,
        generation: 2,
        managedFields: [
          {
            manager: 'argocd-controller',
            operation: 'Update',
            apiVersion: `${GROUP}/v1`,
            time: ago(41 * MIN),
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:spec': { 'f:extraValueMappings': {} } },
          },
        ],
      },
    });
    const affected = Array.from({ length: 26 }, (_, i) => (i * 3 + 1) % 40);
    const lines: Line[] = [
      ...spread(3, ONSET + 30, ONSET + 10, (at, i) =>
        zap('console', at, 'info', 'Updating Tenant data', {
          ...rc('TenantRegistry', REGISTRY, at),
          tenant: tenantAt(i).name,
          template: 'web-app',
          totalResources: 3,
        }),
      ),
      ...spread(52, ONSET - 10, 8, (at, i) =>
        recoveredPanic(
          'console',
          at,
          tenantAt(affected[i % affected.length] ?? 1),
          'assignment to entry in nil map',
          1100 + i * 17,
        ),
      ),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

export const INVALID_STATUS = (t: TenantRef) =>
  `Tenant.${GROUP} "${t.name}" is invalid: status.conditions[4].reason: Invalid value: "": status.conditions[4].reason in body should be at least 1 chars long`;

export const controllerBugInvalidStatus: Incident = {
  name: 'blind-controller-bug-invalid-status',
  cause: 'controller-bug',
  alert: 'firing',
  description:
    'the operator was upgraded to v1.1.9 42 minutes ago; the new version publishes a fifth condition with an empty reason, and the CRD\'s schema rejects every status update ("is invalid: status.conditions[4].reason ... at least 1 chars long"); tenants\' status is frozen. Decoys: a Gatekeeper webhook in the cluster (but "is invalid" comes from validation against the CRD schema, not from an admission denial; nothing else fails), conflicts',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    operatorRollout(f, {
      hash: '84b6d9c7f1',
      revision: 4,
      secondsAgo: 42 * MIN,
      image: 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.9',
    });
    const next = operatorPodWith({}, { createdSecondsAgo: 42 * MIN, hash: '84b6d9c7f1', suffix: 'n5v8c' });
    const container = (next.spec as { containers: { image: string }[] }).containers[0];
    if (container) container.image = 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.9';
    put(
      f,
      webhookConfiguration(
        'ValidatingWebhookConfiguration',
        'gatekeeper-validating-webhook-configuration',
        [
          {
            name: 'validation.gatekeeper.sh',
            service: {
              namespace: 'gatekeeper-system',
              name: 'gatekeeper-webhook-service',
              path: '/v1/admit',
            },
            failurePolicy: 'Ignore',
            timeoutSeconds: 3,
            rules: [
              { apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*'] },
            ],
            namespaceSelector: {
              matchExpressions: [{ key: 'admission.gatekeeper.sh/ignore', operator: 'DoesNotExist' }],
            },
          },
        ],
        { createdSecondsAgo: 90 * DAY },
      ),
    );
    const lines: Line[] = [
      ...startup('console', 42 * MIN - 5),
      ...spread(60, ONSET - 20, 6, (at, i) => {
        const t = tenantAt(i * 7 + 2);
        return statusUpdateFailed('console', at, t, INVALID_STATUS(t));
      }),
    ];
    setLogs(f, [...everyday('console', { from: 42 * MIN - 30 }), ...lines]);
    replaceOperatorPod(f, next);
    statusFrozenSince(f, 45 * MIN);
    return f;
  },
};

/** A Go runtime fatal error (not a panic: nothing can recover it) in the status manager, and the process exit. */
export function fatalMapWrites(at: number): Line {
  return {
    at,
    text: [
      'fatal error: concurrent map writes',
      '',
      'goroutine 2291 [running]:',
      'github.com/kubernetes-tenants/tenant-operator/internal/status.(*StatusUpdate).Apply(0xc001b2e3c0, {{0xc0015a2f30, 0xe}, {0xc0015a2f40, 0x9}, {0x1b2e6a1, 0x10}, {0x0, 0xedf0c4b59, 0x2d1e7a0}, {0x19a4e60, 0xc002c4d1a0}})',
      '\t/workspace/internal/status/types.go:143 +0x1f4',
      'github.com/kubernetes-tenants/tenant-operator/internal/status.(*Manager).run(0xc00052c000)',
      '\t/workspace/internal/status/manager.go:208 +0x2c5',
      'created by github.com/kubernetes-tenants/tenant-operator/internal/status.(*Manager).Start in goroutine 187',
      '\t/workspace/internal/status/manager.go:160 +0x9a',
      '',
      'goroutine 1 [select, 2 minutes]:',
      'sigs.k8s.io/controller-runtime/pkg/manager.(*controllerManager).Start(0xc0003c2b00, {0x1f2a4c8, 0xc0003a1e00})',
      '\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/manager/internal.go:456 +0x85c',
      'main.main()',
      '\t/workspace/cmd/main.go:293 +0x1c45',
    ].join('\n'),
  };
}

export const controllerCrashFatal: Incident = {
  name: 'blind-controller-crash-fatal-error',
  cause: 'controller-crash',
  alert: 'firing',
  description:
    'a data race in the status manager: "fatal error: concurrent map writes" kills the manager a couple of minutes after each start (exit 2), 8 restarts in 40 minutes, CrashLoopBackOff; the last run and the one before both end the same way. Decoys: one recovered reconcile panic for a single tenant (a bug that does not kill anything), a quota exhausted and lifted before the onset, conflicts at each resync',
  metrics: { ...firing(), restartEvery: 300, resetAt: -190 },
  fixture: () => {
    const f = eks();
    put(
      f,
      operatorPodWith({
        ready: false,
        restartCount: 8,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 2m40s restarting failed container=manager pod=${POD}_${NS}(4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f)`,
          },
        },
        lastState: {
          terminated: { reason: 'Error', exitCode: 2, startedAt: ago(330), finishedAt: ago(190) },
        },
      }),
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container manager in pod ${POD}_${NS}(4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f)`,
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 25,
        firstSecondsAgo: 36 * MIN,
        count: 31,
        component: 'kubelet',
        host: OP_NODE,
      }),
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'Pulled',
        message:
          'Container image "ghcr.io/kubernetes-tenants/tenant-operator:v1.1.8" already present on machine',
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 330,
        firstSecondsAgo: 38 * MIN,
        count: 8,
        component: 'kubelet',
        host: OP_NODE,
      }),
    );
    quotaLiftedBeforeOnset(f);
    // A container waiting in back-off has no usage for metrics-server to report.
    f.objects = f.objects.filter((o) => !(o.kind === 'PodMetrics' && o.metadata.namespace === NS));
    const run = (start: number, end: number, panicTenant?: number): Line[] => [
      ...startup('console', start),
      ...everyday('console', { from: start - 3, to: end + 2, every: 2 }),
      ...spread(6, start - 4, start - 30, (at, i) => {
        const t = tenantAt(i * 9);
        return reconcilerError(
          'console',
          at,
          'Tenant',
          t,
          `Operation cannot be fulfilled on tenants.${GROUP} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      }),
      ...(panicTenant !== undefined
        ? recoveredPanic(
            'console',
            start - 45,
            tenantAt(panicTenant),
            'runtime error: index out of range [0] with length 0',
            977,
          )
        : []),
      fatalMapWrites(end),
    ];
    setLogs(f, run(330, 190, 23), run(620, 480));
    return f;
  },
};

export const controllerCrashPanic: Incident = {
  name: 'blind-controller-crash-goroutine-panic',
  cause: 'controller-crash',
  alert: 'firing',
  description:
    'an unrecovered panic outside any reconcile (the status manager\'s goroutine: "panic: assignment to entry in nil map" at internal/status/types.go:143) exits the process with status 2; 6 restarts since the onset, the pod is running again for 50 s (JSON logs; the panic is plain text). Decoys: CPU at 480m of 500m during the startup resync (not the cause: the last state is Error exit 2, not OOMKilled), readiness probe failures during startup',
  metrics: { ...firing(), restartEvery: 400, resetAt: -50 },
  fixture: () => {
    const f = eks({ enc: 'json' });
    put(
      f,
      operatorPodWith({
        restartCount: 6,
        state: { running: { startedAt: ago(50) } },
        lastState: { terminated: { reason: 'Error', exitCode: 2, startedAt: ago(410), finishedAt: ago(62) } },
      }),
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'Unhealthy',
        message:
          'Readiness probe failed: Get "http://10.0.1.57:8081/readyz": dial tcp 10.0.1.57:8081: connect: connection refused',
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 48,
        firstSecondsAgo: 37 * MIN,
        count: 9,
        component: 'kubelet',
        host: OP_NODE,
      }),
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container manager in pod ${POD}_${NS}(4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f)`,
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 61,
        firstSecondsAgo: 35 * MIN,
        count: 14,
        component: 'kubelet',
        host: OP_NODE,
      }),
    );
    operatorUsage(f, '480m', '74Mi');
    const panic: Line = {
      at: 62,
      text: [
        'panic: assignment to entry in nil map',
        '',
        'goroutine 212 [running]:',
        'github.com/kubernetes-tenants/tenant-operator/internal/status.(*StatusUpdate).Apply(...)',
        '\t/workspace/internal/status/types.go:143',
        'github.com/kubernetes-tenants/tenant-operator/internal/status.(*Manager).run(0xc00052c000)',
        '\t/workspace/internal/status/manager.go:208 +0x2c5',
        'created by github.com/kubernetes-tenants/tenant-operator/internal/status.(*Manager).Start in goroutine 187',
        '\t/workspace/internal/status/manager.go:160 +0x9a',
      ].join('\n'),
    };
    setLogs(
      f,
      [...startup('json', 49), ...everyday('json', { from: 46, to: 2, every: 1 })],
      [...startup('json', 409), ...everyday('json', { from: 406, to: 64, every: 2 }), panic],
    );
    return f;
  },
};

export const exhaustionCpu: Incident = {
  name: 'blind-controller-cpu-starved',
  cause: 'controller-resource-exhaustion',
  alert: 'firing',
  description:
    'the registry grew to 160 tenants and a template change 42 minutes ago made every tenant re-render: the manager sits at its 500m CPU limit (499m), health probes time out, the kubelet kills it after failed liveness probes (exit 137, reason Error, not OOMKilled; 3 restarts), status updates miss their 5 s deadline. Decoys: 429 counters from 41 days of API server history, API warnings, nodes with plenty of CPU',
  metrics: { ...firing({ workqueueDepth: 420 }), restartEvery: 800, resetAt: -9 * MIN },
  fixture: () => {
    const f = eks({ tenants: 160 });
    registryState(f, 'connected', { tenants: 160 });
    apiserverMetrics(f, OLD_429_TOTALS);
    put(
      f,
      operatorPodWith({
        restartCount: 3,
        state: { running: { startedAt: ago(9 * MIN) } },
        lastState: {
          terminated: {
            reason: 'Error',
            exitCode: 137,
            startedAt: ago(22 * MIN),
            finishedAt: ago(9 * MIN + 4),
          },
        },
      }),
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'Unhealthy',
        message:
          'Liveness probe failed: Get "http://10.0.1.57:8081/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 40,
        firstSecondsAgo: 38 * MIN,
        count: 17,
        component: 'kubelet',
        host: OP_NODE,
      }),
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'Unhealthy',
        message:
          'Readiness probe failed: Get "http://10.0.1.57:8081/readyz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)',
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 35,
        firstSecondsAgo: 38 * MIN,
        count: 26,
        component: 'kubelet',
        host: OP_NODE,
      }),
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'Killing',
        message: 'Container manager failed liveness probe, will be restarted',
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 9 * MIN + 14,
        firstSecondsAgo: 33 * MIN,
        count: 3,
        component: 'kubelet',
        host: OP_NODE,
      }),
      eventOf({
        namespace: 'tenants-0',
        type: 'Normal',
        reason: 'Updated',
        message:
          'TenantTemplate web-app updated: spec.deployments[0].spec.template.spec.containers[0].env (+2)',
        kind: 'TenantTemplate',
        apiVersion: `${GROUP}/v1`,
        name: 'web-app',
        lastSecondsAgo: 42 * MIN,
        component: 'argocd-application-controller',
      }),
    );
    operatorUsage(f, '499m', '101Mi');
    const lines: Line[] = [
      ...startup('console', 9 * MIN - 2),
      ...spread(40, 9 * MIN - 20, 5, (at, i) => {
        const t = tenantAt(i * 13 + 5, 160);
        return statusUpdateFailed(
          'console',
          at,
          t,
          `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${t.namespace}/tenants/${t.name}/status": context deadline exceeded`,
        );
      }),
      ...spread(30, 9 * MIN - 30, 8, (at, i) => {
        const t = tenantAt(i * 7 + 2, 160);
        return zap('console', at, 'debug', 'Status-only reconcile completed', {
          ...rc('Tenant', t, at),
          tenant: t.name,
          ready: 3,
          failed: 0,
          conflicted: 0,
          duration: `${(8.1 + (i % 9) * 1.3).toFixed(2)}s`,
        });
      }),
      ...apiWarnings('console', 25, 9 * MIN - 40, 20),
    ];
    setLogs(
      f,
      [...everyday('console', { from: 9 * MIN - 25, every: 7, tenants: 160 }), ...lines],
      [
        ...startup('console', 22 * MIN - 2),
        ...everyday('console', { from: 22 * MIN - 10, to: 9 * MIN + 30, every: 9, tenants: 160 }),
        ...spread(30, 22 * MIN - 20, 9 * MIN + 20, (at, i) => {
          const t = tenantAt(i * 11 + 1, 160);
          return statusUpdateFailed(
            'console',
            at,
            t,
            `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${t.namespace}/tenants/${t.name}/status": context deadline exceeded`,
          );
        }),
        zap('console', 9 * MIN + 12, 'info', 'Stopping and waiting for non leader election runnables'),
        zap('console', 9 * MIN + 11.9, 'info', 'Stopping and waiting for leader election runnables'),
      ],
    );
    return f;
  },
};

export const exhaustionMemory: Incident = {
  name: 'blind-controller-oom-new-registry',
  cause: 'controller-resource-exhaustion',
  alert: 'firing',
  description:
    "a second registry (enterprise, 260 tenants) was created 45 minutes ago; the manager's caches outgrow its 256Mi limit and it is OOMKilled 4 times in 40 minutes (exit 137, OOMKilled), at 249Mi now (JSON logs). Decoys: MySQL crashed 6 hours ago and recovered (event, restart), one tenant's render error repeated 90 times",
  metrics: { ...firing({ workqueueDepth: 300 }), restartEvery: 600, resetAt: -7 * MIN },
  fixture: () => {
    const f = eks({ enc: 'json' });
    mysqlOutageSixHoursAgo(f);
    setOperatorLimits(f, { cpu: '1', memory: '256Mi' });
    put(
      f,
      operatorPodWith(
        {
          restartCount: 4,
          state: { running: { startedAt: ago(7 * MIN) } },
          lastState: {
            terminated: {
              reason: 'OOMKilled',
              exitCode: 137,
              startedAt: ago(16 * MIN),
              finishedAt: ago(7 * MIN + 3),
            },
          },
        },
        { limits: { cpu: '1', memory: '256Mi' } },
      ),
      {
        ...registry('tenant-operator', {
          namespace: 'tenants-3',
          name: 'enterprise',
          desired: 260,
          ready: 260,
          failed: 0,
          readyStatus: 'True',
          reason: 'DatabaseConnected',
          message: 'Successfully connected to database and queried tenant data',
        }),
        metadata: { name: 'enterprise', namespace: 'tenants-3', creationTimestamp: ago(45 * MIN) },
      },
      ...Array.from({ length: 260 }, (_, i) => {
        const t = tenant('tenant-operator', {
          namespace: 'tenants-3',
          name: `enterprise-${String(i).padStart(4, '0')}`,
          ready: 'True',
        });
        return {
          ...t,
          metadata: {
            ...t.metadata,
            creationTimestamp: ago(44 * MIN - i * 6),
            labels: {
              'kubernetes-tenants.org/registry': 'enterprise',
              'kubernetes-tenants.org/template': 'web-app',
            },
          },
        };
      }),
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container manager in pod ${POD}_${NS}(4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f)`,
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 7 * MIN + 2,
        firstSecondsAgo: 31 * MIN,
        count: 4,
        component: 'kubelet',
        host: OP_NODE,
      }),
    );
    operatorUsage(f, '340m', '249Mi');
    const enterprise = (i: number): TenantRef => ({
      name: `enterprise-${String(i).padStart(4, '0')}`,
      namespace: 'tenants-3',
    });
    const creating = (from: number, to: number) =>
      spread(60, from, to, (at, i) =>
        zap('json', at, 'info', 'Creating Tenant', {
          ...rc('TenantRegistry', { name: 'enterprise', namespace: 'tenants-3' }, at),
          tenant: enterprise(i).name,
          uid: enterprise(i).name.replace('enterprise-', 'ent-'),
          template: 'web-app',
        }),
      );
    setLogs(
      f,
      [
        ...startup('json', 7 * MIN - 2),
        ...everyday('json', { from: 7 * MIN - 10, every: 3 }),
        ...creating(7 * MIN - 15, 60),
        ...oneTenantRenderLoop('json', 90),
      ],
      [
        ...startup('json', 16 * MIN - 2),
        ...everyday('json', { from: 16 * MIN - 10, to: 7 * MIN + 5, every: 3 }),
        ...creating(16 * MIN - 15, 7 * MIN + 10),
      ],
    );
    return f;
  },
};

export const deadlock: Incident = {
  name: 'blind-controller-deadlock-silent-workers',
  cause: 'controller-deadlock',
  alert: 'firing',
  description:
    "all 10 tenant workers have been blocked for 39 minutes (longest running processor 2,350 s, queue at 1,400 and growing); the tenant controller has logged nothing since, the registry controller still syncs, the process is alive (lease renewed, probes pass, 2m CPU, flat memory, no restarts since an OOMKill 3 days ago). Decoys: that old OOMKill, the registry's normal activity",
  metrics: firing({
    success: 0.3,
    error: 0.1,
    crTotal: 0.4,
    crErrors: 0.1,
    rest200: 3,
    workqueueDepth: 1400,
    longestRunning: 2350,
  }),
  fixture: () => {
    const f = eks();
    oomKilledThreeDaysAgo(f);
    operatorUsage(f, '2m', '83Mi');
    const lines: Line[] = [
      ...everyday('console', { from: 3300, to: ONSET - 70 }),
      ...spread(10, ONSET - 60, ONSET - 95, (at, i) => {
        const t = tenantAt(i * 4 + 1);
        return zap('console', at, 'info', 'Using full reconcile path', {
          ...rc('Tenant', t, at),
          tenant: t.name,
          generation: 9,
          observedGeneration: 8,
        });
      }),
      ...spread(6, ONSET - 150, 20, (at, i) =>
        zap('console', at, 'info', 'Updating Tenant data', {
          ...rc('TenantRegistry', REGISTRY, at),
          tenant: tenantAt(i * 6).name,
          template: 'web-app',
          totalResources: 3,
        }),
      ),
    ];
    statusFrozenSince(f, ONSET + 60);
    setLogs(f, lines, text([...everyday('console', { from: 3 * DAY + 900, to: 3 * DAY - 10, every: 9 })]));
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// Cluster infrastructure
// ---------------------------------------------------------------------------------------------------

export const NOSPACE = 'etcdserver: mvcc: database space exceeded';

export const etcdNoSpace: Incident = {
  name: 'blind-etcd-database-space-exceeded',
  cause: 'etcd-degraded',
  alert: 'firing',
  description:
    'a crash-looping audit-export CronJob has flooded the cluster with events until etcd reached its 8 GiB quota (apiserver_storage_size_bytes, 2.4 million events stored) and raised the NOSPACE alarm: every write fails with "etcdserver: mvcc: database space exceeded" while reads still work and /readyz is green. Decoys: one "etcdserver: leader changed" 25 minutes ago (routine), a quota exhausted and lifted before the onset, the job\'s BackOff events',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    quotaLiftedBeforeOnset(f);
    apiserverMetrics(f, [
      '# TYPE apiserver_storage_size_bytes gauge',
      'apiserver_storage_size_bytes{storage_cluster_id="etcd-0-b6f2b1c7e9a04d1e"} 8.589463552e+09',
      '# TYPE apiserver_storage_objects gauge',
      'apiserver_storage_objects{resource="events"} 2.412377e+06',
      'apiserver_storage_objects{resource="pods"} 1412',
      'apiserver_storage_objects{resource="tenants.operator.kubernetes-tenants.org"} 40',
      'apiserver_request_total{code="500",component="apiserver",dry_run="",group="operator.kubernetes-tenants.org",resource="tenants",scope="namespace",subresource="status",verb="UPDATE",version="v1"} 9410',
      'apiserver_request_total{code="500",component="apiserver",dry_run="",group="",resource="events",scope="namespace",subresource="",verb="CREATE",version="v1"} 288104',
      processStart(41 * DAY),
    ]);
    put(
      f,
      eventOf({
        namespace: 'security',
        type: 'Warning',
        reason: 'BackOff',
        message:
          'Back-off restarting failed container exporter in pod audit-export-28911290-2xk9q_security(5b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e)',
        kind: 'Pod',
        name: 'audit-export-28911290-2xk9q',
        lastSecondsAgo: 42 * MIN,
        firstSecondsAgo: 59 * MIN,
        count: 5821,
        component: 'kubelet',
        host: nodeName(2),
      }),
      eventOf({
        namespace: 'security',
        type: 'Warning',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
        kind: 'Job',
        apiVersion: 'batch/v1',
        name: 'audit-export-28911290',
        lastSecondsAgo: 43 * MIN,
        component: 'job-controller',
      }),
    );
    const lines: Line[] = [
      ...spread(48, ONSET - 15, 7, (at, i) => {
        const t = tenantAt(i * 3 + 2);
        return i % 3 === 0
          ? applyFailed('console', at, t, 'app', `failed to apply resource: ${NOSPACE}`)
          : statusUpdateFailed('console', at, t, NOSPACE);
      }),
      ...spread(10, ONSET - 40, 30, (at) =>
        klog(
          'E',
          at,
          'event.go:368',
          `"Server rejected event (will not retry!)" err="${NOSPACE}" event="&Event{ObjectMeta:{customer-00012.18a2c3f4d5e6f7a8  tenants-0 ...}}"`,
        ),
      ),
      klog(
        'E',
        25 * MIN,
        'leaderelection.go:429',
        `Failed to update lock optimitically: etcdserver: leader changed, falling back to slow path`,
      ),
      ...spread(6, ONSET - 100, 90, (at) =>
        klog(
          'E',
          at,
          'leaderelection.go:429',
          `Failed to update lock optimitically: ${NOSPACE}, falling back to slow path`,
        ),
      ),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

export const controlPlaneKcm: Incident = {
  name: 'blind-control-plane-controller-manager-stalled',
  cause: 'control-plane-degraded',
  alert: 'inactive',
  description:
    'the kube-controller-manager has not renewed its lease for 41 minutes (EKS control plane incident): a TenantTemplate change 38 minutes ago was applied by the operator without error, but no Deployment controller rolls it out (observedGeneration behind generation, no new ReplicaSets, no events from the deployment or replicaset controllers since): 32 tenants NotAllResourcesReady. The API server answers fast and /readyz is green; reconciles do not fail, so the runbook\'s alert stays quiet. Decoys: 400 debug "Resource not ready" lines, API server 429 counters since start',
  metrics: QUIET,
  fixture: () => {
    const f = eks();
    apiserverMetrics(f, OLD_429_TOTALS);
    put(
      f,
      lease({
        namespace: 'kube-system',
        name: 'kube-controller-manager',
        holder: 'ip-172-16-51-3.eu-west-1.compute.internal_4c0c5f1e-9a7d-4f7e-8d13-2b6f0f3c8a11',
        renewSecondsAgo: 41 * MIN,
        durationSeconds: 15,
        transitions: 7,
      }),
      eventOf({
        namespace: 'tenants-1',
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled up replica set customer-00005-app-5d8f7c9b4 to 1',
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        name: 'customer-00005-app',
        lastSecondsAgo: 47 * MIN,
        component: 'deployment-controller',
      }),
      eventOf({
        namespace: 'tenants-0',
        type: 'Normal',
        reason: 'Updated',
        message:
          'TenantTemplate web-app updated: spec.deployments[0].spec.template.spec.containers[0].image ghcr.io/acme/web-app:4.12.0 -> ghcr.io/acme/web-app:4.12.1',
        kind: 'TenantTemplate',
        apiVersion: `${GROUP}/v1`,
        name: 'web-app',
        lastSecondsAgo: 38 * MIN,
        component: 'argocd-application-controller',
      }),
    );
    const stuck = Array.from({ length: 32 }, (_, i) => i + 4);
    tenantsNotReady(f, stuck, 'NotAllResourcesReady', 'Not all resources are ready: 2/3 ready');
    put(
      f,
      ...stuck.map((i) => {
        const t = tenantAt(i);
        return workload({
          kind: 'Deployment',
          namespace: t.namespace,
          name: `${t.name}-app`,
          labels: { app: `${t.name}-app` },
          replicas: 1,
          ready: 1,
          updated: 0,
          generation: 6,
          observedGeneration: 5,
          createdSecondsAgo: 10 * DAY,
          conditions: [
            {
              type: 'Available',
              status: 'True',
              reason: 'MinimumReplicasAvailable',
              message: 'Deployment has minimum availability.',
              secondsAgo: 10 * DAY,
            },
            {
              type: 'Progressing',
              status: 'True',
              reason: 'NewReplicaSetAvailable',
              message: `ReplicaSet "${t.name}-app-5d8f7c9b4" has successfully progressed.`,
              secondsAgo: 6 * DAY,
            },
          ],
        });
      }),
    );
    const lines: Line[] = [
      ...spread(32, 38 * MIN - 5, 37 * MIN, (at, i) => {
        const t = tenantAt(stuck[i] ?? 4);
        return [
          zap('console', at, 'info', 'Using full reconcile path', {
            ...rc('Tenant', t, at),
            tenant: t.name,
            generation: 6,
            observedGeneration: 5,
          }),
          zap('console', at - 0.2, 'info', 'Applying template resources to cluster', {
            ...rc('Tenant', t, at),
            tenant: t.name,
            template: 'web-app',
            generation: '9',
            totalResources: 3,
            registry: 'customers',
          }),
          zap('console', at - 0.5, 'info', 'Template application completed successfully', {
            ...rc('Tenant', t, at),
            tenant: t.name,
            template: 'web-app',
            generation: '9',
            changed: 1,
            ready: 2,
            total: 3,
          }),
        ];
      }),
      ...spread(400, 36 * MIN, 4, (at, i) => {
        const t = tenantAt(stuck[i % stuck.length] ?? 4);
        return zap('console', at, 'debug', 'Resource not ready', {
          ...rc('Tenant', t, at),
          id: 'app',
          name: `${t.name}-app`,
        });
      }),
    ];
    logs(f, 'console', lines, { every: 10 });
    return f;
  },
};

/** A node whose kubelet lost the network for a while (conditions as the node controller and kubelet set them). */
export function flappingNode(i: number, readySince: number): KubeObject {
  const n = node(i);
  const status = n.status as {
    conditions: {
      type: string;
      status: string;
      reason: string;
      lastTransitionTime: string;
      message?: string;
    }[];
  };
  for (const c of status.conditions) {
    if (c.type === 'Ready') {
      c.lastTransitionTime = ago(readySince);
      c.message = 'kubelet is posting ready status';
    }
  }
  return n;
}

export const networkNodeImpaired: Incident = {
  name: 'blind-network-node-impaired',
  cause: 'network-instability',
  alert: 'firing',
  description:
    "the operator's node (ip-10-0-1-11) has an impaired network interface since the onset: it flapped NotReady 5 times, aws-node there restarted 4 times, and the operator fails on every destination at once: the API server (i/o timeouts, connection reset), MySQL (i/o timeout) and cluster DNS (read udp i/o timeout), while the other nodes, CoreDNS and MySQL are healthy. Decoys: the registry's DatabaseConnectionFailed and its MySQL errors (the most lines), the everyday metrics readiness probe",
  metrics: firing(),
  fixture: () => {
    const f = eks();
    registryState(f, 'failed');
    put(
      f,
      flappingNode(1, 70),
      awsNodePod(1, {
        restartCount: 4,
        state: { running: { startedAt: ago(9 * MIN) } },
        lastState: {
          terminated: {
            reason: 'Error',
            exitCode: 1,
            startedAt: ago(17 * MIN),
            finishedAt: ago(9 * MIN + 5),
          },
        },
      }),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'NodeNotReady',
        message: `Node ${OP_NODE} status is now: NodeNotReady`,
        kind: 'Node',
        name: OP_NODE,
        lastSecondsAgo: 3 * MIN,
        firstSecondsAgo: 38 * MIN,
        count: 5,
        component: 'node-controller',
      }),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'NodeReady',
        message: `Node ${OP_NODE} status is now: NodeReady`,
        kind: 'Node',
        name: OP_NODE,
        lastSecondsAgo: 70,
        firstSecondsAgo: 36 * MIN,
        count: 5,
        component: 'kubelet',
        host: OP_NODE,
      }),
      eventOf({
        namespace: 'kube-system',
        type: 'Warning',
        reason: 'Unhealthy',
        message: `Readiness probe failed: {"level":"info","ts":"${ago(4 * MIN)}","caller":"/root/sdk/go1.22.5/src/runtime/proc.go:271","msg":"timeout: failed to connect service \\":50051\\" within 5s"}`,
        kind: 'Pod',
        name: awsNodePod(1).metadata.name,
        lastSecondsAgo: 4 * MIN,
        firstSecondsAgo: 37 * MIN,
        count: 23,
        component: 'kubelet',
        host: OP_NODE,
      }),
      eventOf({
        namespace: 'kube-system',
        type: 'Warning',
        reason: 'Unhealthy',
        message:
          'Liveness probe failed: {"level":"info","ts":"' +
          ago(10 * MIN) +
          '","caller":"/root/sdk/go1.22.5/src/runtime/proc.go:271","msg":"timeout: failed to connect service \\":50051\\" within 5s"}',
        kind: 'Pod',
        name: awsNodePod(1).metadata.name,
        lastSecondsAgo: 10 * MIN,
        firstSecondsAgo: 35 * MIN,
        count: 12,
        component: 'kubelet',
        host: OP_NODE,
      }),
      registryEvent(
        `failed to create datasource: failed to ping MySQL: dial tcp ${MYSQL_VIP}:3306: i/o timeout`,
        30,
        27,
      ),
    );
    f.logs = {
      ...f.logs,
      [`kube-system/${awsNodePod(1).metadata.name}/aws-node`]: [
        `{"level":"info","ts":"${ago(9 * MIN)}","caller":"entrypoint.sh","msg":"Validating env variables ..."}`,
        `{"level":"info","ts":"${ago(9 * MIN - 0.1)}","caller":"entrypoint.sh","msg":"Install CNI binaries.."}`,
        `{"level":"info","ts":"${ago(9 * MIN - 0.5)}","caller":"entrypoint.sh","msg":"Starting IPAM daemon in the background ... "}`,
        `{"level":"info","ts":"${ago(9 * MIN - 0.6)}","caller":"entrypoint.sh","msg":"Checking for IPAM connectivity ... "}`,
        `{"level":"info","ts":"${ago(9 * MIN - 2.7)}","caller":"entrypoint.sh","msg":"Retrying waiting for IPAM-D"}`,
        `{"level":"info","ts":"${ago(9 * MIN - 4.8)}","caller":"entrypoint.sh","msg":"Retrying waiting for IPAM-D"}`,
        `{"level":"info","ts":"${ago(9 * MIN - 31)}","caller":"entrypoint.sh","msg":"Copying config file ... "}`,
        `{"level":"info","ts":"${ago(9 * MIN - 31.1)}","caller":"entrypoint.sh","msg":"Successfully copied CNI plugin binary and config file."}`,
        '',
      ].join('\n'),
    };
    const lines: Line[] = [
      ...registryFailures(
        'console',
        (i) =>
          i % 4 === 3
            ? `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${MYSQL_HOST} on ${KUBE_DNS}:53: read udp ${OP_IP}:${38211 + i}->${KUBE_DNS}:53: i/o timeout`
            : `failed to create datasource: failed to ping MySQL: dial tcp ${MYSQL_VIP}:3306: i/o timeout`,
        36,
      ),
      ...spread(22, ONSET - 30, 15, (at, i) => {
        const t = tenantAt(i * 3 + 1);
        switch (i % 4) {
          case 0:
            return statusUpdateFailed(
              'console',
              at,
              t,
              `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${t.namespace}/tenants/${t.name}/status": read tcp ${OP_IP}:${51442 + i}->${APISERVER}:443: read: connection reset by peer`,
            );
          case 1:
            return applyFailed(
              'console',
              at,
              t,
              'app',
              `failed to apply resource: Patch "https://${APISERVER}:443/apis/apps/v1/namespaces/${t.namespace}/deployments/${t.name}-app?fieldManager=tenant-operator&force=false": dial tcp ${APISERVER}:443: i/o timeout`,
            );
          case 2:
            return klog(
              'W',
              at,
              'reflector.go:561',
              `k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: failed to list *v1.Deployment: Get "https://${APISERVER}:443/apis/apps/v1/deployments?resourceVersion=48211734": net/http: TLS handshake timeout`,
            );
          default:
            return klog(
              'E',
              at,
              'leaderelection.go:429',
              `Failed to update lock optimitically: Put "https://${APISERVER}:443/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}?timeout=5s": net/http: request canceled (Client.Timeout exceeded while awaiting headers), falling back to slow path`,
            );
        }
      }),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

export const networkKubeProxy: Incident = {
  name: 'blind-network-kube-proxy-stale-rules',
  cause: 'network-instability',
  alert: 'firing',
  description:
    'kube-proxy on the operator\'s node cannot program iptables since the onset ("Another app is currently holding the xtables lock", sync failed) while CoreDNS, MySQL and the control-plane ENIs all moved 38-41 minutes ago: that node still sends Service traffic to the old endpoints, so DNS lookups, MySQL and new API server connections all fail from it alone. CoreDNS, MySQL and the API server are healthy. Decoys: the DNS timeouts are the most frequent lines (but CoreDNS is healthy and its endpoints ready), the registry\'s DatabaseConnectionFailed',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    registryState(f, 'failed');
    const newDns = [
      { name: 'coredns-787cb67946-h4rzc', node: 2, ip: '10.0.2.61' },
      { name: 'coredns-787cb67946-w8d2m', node: 3, ip: '10.0.3.88' },
    ];
    for (const p of COREDNS_PODS) remove(f, 'Pod', p.name, 'kube-system');
    put(
      f,
      ...newDns.map((p) => corednsPod(p, {}, 41 * MIN)),
      ...kubeDnsEndpoints(newDns.map(corednsAddress), [], 41 * MIN),
      mysqlPod({}, { node: 2, ip: '10.0.2.19', createdSecondsAgo: 39 * MIN }),
      ...mysqlEndpoints(true, { node: 2, ip: '10.0.2.19', secondsAgo: 39 * MIN }),
      ...endpointsFor({
        namespace: 'default',
        service: 'kubernetes',
        ready: [{ ip: '10.0.46.200' }, { ip: '10.0.77.9' }],
        ports: [{ name: 'https', port: 443 }],
        secondsAgo: 38 * MIN,
      }),
      registryEvent(
        `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${MYSQL_HOST} on ${KUBE_DNS}:53: read udp ${OP_IP}:41872->${KUBE_DNS}:53: i/o timeout`,
        40,
        26,
      ),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'NodeNotSchedulable',
        message: `Node ${nodeName(3)} status is now: NodeNotSchedulable`,
        kind: 'Node',
        name: nodeName(3),
        lastSecondsAgo: 43 * MIN,
        component: 'kubelet',
        host: nodeName(3),
      }),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'NodeSchedulable',
        message: `Node ${nodeName(3)} status is now: NodeSchedulable`,
        kind: 'Node',
        name: nodeName(3),
        lastSecondsAgo: 37 * MIN,
        component: 'kubelet',
        host: nodeName(3),
      }),
    );
    f.logs = {
      ...Object.fromEntries(
        Object.entries(f.logs ?? {}).filter(([k]) => !k.startsWith('kube-system/coredns-')),
      ),
      ...Object.fromEntries(newDns.map((p) => [`kube-system/${p.name}/coredns`, COREDNS_BANNER])),
      [`kube-system/${kubeProxyPod(1).metadata.name}/kube-proxy`]: text([
        klog('I', 40 * DAY, 'server_linux.go:66', '"Using iptables proxy"'),
        klog('I', 40 * DAY - 1, 'server.go:677', '"Successfully retrieved node IP(s)" IPs=["10.0.1.11"]'),
        ...spread(80, ONSET + 20, 10, (at) => [
          {
            at,
            text: `E${klogTime(at)}       1 proxier.go:1564] "Failed to execute iptables-restore" err=<\n\texit status 4: Another app is currently holding the xtables lock. Stopped waiting after 5s.\n > ipFamily="IPv4"`,
          },
          klog('I', at - 0.01, 'proxier.go:811', '"Sync failed" ipFamily="IPv4" retryingTime="30s"'),
        ]),
      ]),
    };
    const lines: Line[] = [
      ...spread(40, ONSET - 10, 8, (at, i) =>
        registrySyncFailed(
          'console',
          at,
          `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${MYSQL_HOST} on ${KUBE_DNS}:53: read udp ${OP_IP}:${41872 + i * 13}->${KUBE_DNS}:53: i/o timeout`,
        ),
      ),
      ...spread(8, ONSET - 600, 200, (at) =>
        registrySyncFailed(
          'console',
          at,
          `failed to create datasource: failed to ping MySQL: dial tcp ${MYSQL_VIP}:3306: connect: no route to host`,
        ),
      ),
      ...spread(20, ONSET - 40, 12, (at, i) => {
        const t = tenantAt(i * 3 + 2);
        return i % 2 === 0
          ? applyFailed(
              'console',
              at,
              t,
              'app',
              `failed to apply resource: Patch "https://${APISERVER}:443/apis/apps/v1/namespaces/${t.namespace}/deployments/${t.name}-app?fieldManager=tenant-operator&force=false": dial tcp ${APISERVER}:443: i/o timeout`,
            )
          : klog(
              'W',
              at,
              'reflector.go:561',
              `k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: failed to list *v1.ConfigMap: Get "https://${APISERVER}:443/api/v1/configmaps?resourceVersion=48211734": dial tcp ${APISERVER}:443: i/o timeout`,
            );
      }),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

export const COREFILE_BROKEN = COREFILE.replace(
  '    loadbalance\n}\n',
  '    loadbalance\n}\ncorp.example.com:53 {\n    errors\n    cache 30\n    forwrd . 10.20.0.2 10.20.0.3\n}\n',
);

export const dnsCorefile: Incident = {
  name: 'blind-dns-coredns-bad-corefile',
  cause: 'dns-failure',
  alert: 'firing',
  description:
    'a stub zone added to the coredns ConfigMap 3 days ago has a typo ("forwrd"); the running pods kept their old configuration until they were replaced 41 minutes ago, and now both crash on start ("Unknown directive \'forwrd\'"), CrashLoopBackOff, kube-dns has no ready endpoints: the operator\'s lookups of the MySQL Service are refused ("read udp ...->172.20.0.10:53: read: connection refused"), the registry shows DatabaseConnectionFailed. MySQL itself is up with ready endpoints. Decoys: the registry symptom, one tenant\'s render error repeated 90 times, the ConfigMap edit being 3 days old',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    registryState(f, 'failed');
    const crashing = (p: (typeof COREDNS_PODS)[number]) =>
      corednsPod(
        { ...p, name: p.name.replace('787cb67946', '5d8c6b7f94') },
        {
          ready: false,
          restartCount: 13,
          state: {
            waiting: {
              reason: 'CrashLoopBackOff',
              message: `back-off 5m0s restarting failed container=coredns pod=${p.name.replace('787cb67946', '5d8c6b7f94')}_kube-system(9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d)`,
            },
          },
          lastState: {
            terminated: {
              reason: 'Error',
              exitCode: 1,
              startedAt: ago(3 * MIN + 2),
              finishedAt: ago(3 * MIN),
            },
          },
        },
        41 * MIN,
      );
    const pods = COREDNS_PODS.map(crashing);
    for (const p of COREDNS_PODS) remove(f, 'Pod', p.name, 'kube-system');
    put(
      f,
      ...pods,
      workload({
        kind: 'Deployment',
        namespace: 'kube-system',
        name: 'coredns',
        labels: { 'k8s-app': 'kube-dns', 'eks.amazonaws.com/component': 'coredns' },
        replicas: 2,
        ready: 0,
        conditions: [
          {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
            secondsAgo: 40 * MIN,
          },
        ],
      }),
      ...kubeDnsEndpoints(
        [],
        COREDNS_PODS.map((p, i) => ({
          ip: p.ip,
          nodeName: nodeName(p.node),
          pod: pods[i]?.metadata.name ?? p.name,
        })),
        41 * MIN,
      ),
      configMap(
        'kube-system',
        'coredns',
        { Corefile: COREFILE_BROKEN },
        {
          labels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' },
          modifiedSecondsAgo: 3 * DAY,
        },
      ),
      ...pods.map((p) =>
        eventOf({
          namespace: 'kube-system',
          type: 'Warning',
          reason: 'BackOff',
          message: `Back-off restarting failed container coredns in pod ${p.metadata.name}_kube-system(9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d)`,
          kind: 'Pod',
          name: p.metadata.name,
          lastSecondsAgo: 20,
          firstSecondsAgo: 40 * MIN,
          count: 178,
          component: 'kubelet',
          host: String((p.spec as { nodeName: string }).nodeName),
        }),
      ),
      registryEvent(
        `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${MYSQL_HOST} on ${KUBE_DNS}:53: read udp ${OP_IP}:48213->${KUBE_DNS}:53: read: connection refused`,
        35,
        29,
      ),
    );
    f.logs = {
      ...Object.fromEntries(
        Object.entries(f.logs ?? {}).filter(([k]) => !k.startsWith('kube-system/coredns-')),
      ),
      ...Object.fromEntries(
        pods.map((p) => [
          `kube-system/${p.metadata.name}/coredns`,
          "/etc/coredns/Corefile:21 - Error during parsing: Unknown directive 'forwrd'\n",
        ]),
      ),
      ...Object.fromEntries(
        pods.map((p) => [
          `kube-system/${p.metadata.name}/coredns/previous`,
          "/etc/coredns/Corefile:21 - Error during parsing: Unknown directive 'forwrd'\n",
        ]),
      ),
    };
    const lines: Line[] = [
      ...registryFailures(
        'console',
        (i) =>
          `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${MYSQL_HOST} on ${KUBE_DNS}:53: read udp ${OP_IP}:${48213 + i * 7}->${KUBE_DNS}:53: read: connection refused`,
        30,
      ),
      ...oneTenantRenderLoop('console', 90),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

export const RDS_HOST = 'tenants-db.cluster-c9xk2mzq1v7p.eu-west-1.rds.amazonaws.com';

export const dnsOverloaded: Incident = {
  name: 'blind-dns-coredns-overloaded',
  cause: 'dns-failure',
  alert: 'firing',
  description:
    'a crawler Deployment scaled to 200 replicas 42 minutes ago floods CoreDNS (ndots:5 searches): one CoreDNS pod is OOMKilled over and over (6 restarts, kube-dns has one ready endpoint of two), the other times out towards the VPC resolver ("[ERROR] plugin/errors: 2 ... read udp ...->10.0.0.2:53: i/o timeout"); the operator\'s lookups of its external RDS endpoint time out ("read udp ...->172.20.0.10:53: i/o timeout"). JSON logs. Decoys: the RDS database is an external host (the failure is before it), the registry\'s DatabaseConnectionFailed, API warnings',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    registryState(f, 'failed', { host: RDS_HOST });
    const [a, b] = COREDNS_PODS as [(typeof COREDNS_PODS)[number], (typeof COREDNS_PODS)[number]];
    put(
      f,
      corednsPod(a, {
        ready: false,
        restartCount: 6,
        state: { running: { startedAt: ago(50) } },
        lastState: {
          terminated: { reason: 'OOMKilled', exitCode: 137, startedAt: ago(7 * MIN), finishedAt: ago(55) },
        },
      }),
      workload({
        kind: 'Deployment',
        namespace: 'kube-system',
        name: 'coredns',
        labels: { 'k8s-app': 'kube-dns', 'eks.amazonaws.com/component': 'coredns' },
        replicas: 2,
        ready: 1,
      }),
      ...kubeDnsEndpoints([corednsAddress(b)], [corednsAddress(a)], 55),
      eventOf({
        namespace: 'kube-system',
        type: 'Warning',
        reason: 'Unhealthy',
        message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
        kind: 'Pod',
        name: a.name,
        lastSecondsAgo: 30,
        firstSecondsAgo: 39 * MIN,
        count: 61,
        component: 'kubelet',
        host: nodeName(a.node),
      }),
      eventOf({
        namespace: 'kube-system',
        type: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container coredns in pod ${a.name}_kube-system(1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d)`,
        kind: 'Pod',
        name: a.name,
        lastSecondsAgo: 60,
        firstSecondsAgo: 30 * MIN,
        count: 5,
        component: 'kubelet',
        host: nodeName(a.node),
      }),
      workload({
        kind: 'Deployment',
        namespace: 'batch',
        name: 'crawler',
        labels: { app: 'crawler' },
        replicas: 200,
        ready: 200,
        createdSecondsAgo: 20 * DAY,
        generation: 14,
      }),
      eventOf({
        namespace: 'batch',
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled up replica set crawler-6f7d8c9b5 from 10 to 200',
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        name: 'crawler',
        lastSecondsAgo: 42 * MIN,
        component: 'deployment-controller',
      }),
      registryEvent(
        `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${RDS_HOST} on ${KUBE_DNS}:53: read udp ${OP_IP}:39622->${KUBE_DNS}:53: i/o timeout`,
        45,
        25,
      ),
    );
    const dnsErrors = (from: number, to: number, ip: string) =>
      spread(120, from, to, (at, i) => ({
        at,
        text: `[ERROR] plugin/errors: 2 ${['api.crawl-target.example.org', 'cdn.crawl-target.example.org.batch.svc.cluster.local', RDS_HOST, 'sts.eu-west-1.amazonaws.com'][i % 4]}. ${i % 3 === 0 ? 'AAAA' : 'A'}: read udp ${ip}:${40000 + ((i * 7919) % 20000)}->10.0.0.2:53: i/o timeout`,
      }));
    f.logs = {
      ...f.logs,
      [`kube-system/${a.name}/coredns`]: `${COREDNS_BANNER}${text(dnsErrors(45, 2, a.ip))}`,
      [`kube-system/${a.name}/coredns/previous`]: `${COREDNS_BANNER}[ERROR] plugin/errors: 2 5871292012446135371.3926437458731124567. HINFO: read udp ${a.ip}:47102->10.0.0.2:53: i/o timeout\n${text(dnsErrors(7 * MIN - 5, 60, a.ip))}`,
      [`kube-system/${b.name}/coredns`]: `${COREDNS_BANNER}${text(dnsErrors(ONSET - 60, 3, b.ip))}`,
    };
    const lines: Line[] = [
      ...registryFailures(
        'json',
        (i) =>
          `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${RDS_HOST} on ${KUBE_DNS}:53: read udp ${OP_IP}:${39622 + i * 31}->${KUBE_DNS}:53: i/o timeout`,
        28,
      ),
      ...apiWarnings('json', 60),
    ];
    logs(f, 'json', lines);
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// RBAC and admission
// ---------------------------------------------------------------------------------------------------

export const forbiddenFor = (verb: string, resource: string, group: string, namespace?: string) =>
  `User "${SA_USER}" cannot ${verb} resource "${resource}" in API group "${group}" ${namespace ? `in the namespace "${namespace}"` : 'at the cluster scope'}`;

export const rbacBindingDeleted: Incident = {
  name: 'blind-rbac-clusterrolebinding-pruned',
  cause: 'rbac-denied',
  alert: 'firing',
  description:
    "the manager's ClusterRoleBinding was pruned by a GitOps sync 42 minutes ago (the ClusterRole is still there, the leader-election RoleBinding too, so the manager keeps running): every list, status update and apply is forbidden for the operator's ServiceAccount, and every access review says no. Decoys: a quota exhausted and lifted before the onset, the ClusterRole untouched, optimistic-lock conflicts before the onset",
  metrics: firing(),
  fixture: () => {
    const f = eks();
    quotaLiftedBeforeOnset(f);
    remove(f, 'ClusterRoleBinding', 'tenant-operator-manager-rolebinding');
    f.accessRules = accessRulesFor('tenant-operator', false);
    const lines: Line[] = [
      ...spread(51, ONSET - 15, 9, (at, i) => {
        const t = tenantAt(i * 3 + 1);
        switch (i % 3) {
          case 0:
            return statusUpdateFailed(
              'console',
              at,
              t,
              `tenants.${GROUP} "${t.name}" is forbidden: ${forbiddenFor('update', 'tenants/status', GROUP, t.namespace)}`,
            );
          case 1:
            return klog(
              'E',
              at,
              'reflector.go:158',
              `"Unhandled Error" err="k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: Failed to watch *v1.Tenant: failed to list *v1.Tenant: tenants.${GROUP} is forbidden: ${forbiddenFor('list', 'tenants', GROUP).replace(/"/g, '\\"')}" logger="UnhandledError"`,
            );
          default:
            return applyFailed(
              'console',
              at,
              t,
              'app',
              `failed to apply resource: deployments.apps "${t.name}-app" is forbidden: ${forbiddenFor('patch', 'deployments', 'apps', t.namespace)}`,
            );
        }
      }),
      ...spread(6, ONSET - 20, 600, (at) =>
        klog(
          'E',
          at,
          'event.go:368',
          `"Server rejected event (will not retry!)" err="events is forbidden: ${forbiddenFor('create', 'events', '', 'tenants-1').replace(/"/g, '\\"')}" event="&Event{ObjectMeta:{customer-00005.18a2c3f4d5e6f7a8  tenants-1 ...}}"`,
        ),
      ),
    ];
    logs(f, 'console', lines, { to: ONSET + 5 });
    return f;
  },
};

export const GATEKEEPER_DENIED =
  'admission webhook "validation.gatekeeper.sh" denied the request: [require-team-label] you must provide labels: {"team"}';

export const admissionGatekeeper: Incident = {
  name: 'blind-admission-gatekeeper-required-label',
  cause: 'admission-webhook-denied',
  alert: 'firing',
  description:
    'a Gatekeeper constraint (require-team-label, enforcementAction deny) was created 43 minutes ago for every Deployment and Service in namespaces labelled tenant=true; the operator\'s templates carry no "team" label, so every apply is denied by validation.gatekeeper.sh (JSON logs, ApplyFailed events, Gatekeeper\'s FailedAdmission events). Decoys: a quota in tenants-2 that was exhausted and lifted before the onset (its FailedCreate events are still listed), conflicts',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    quotaLiftedBeforeOnset(f);
    f.objects = f.objects.map((o) =>
      o.kind === 'Namespace' && o.metadata.name.startsWith('tenants-')
        ? { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, tenant: 'true' } } }
        : o,
    );
    put(
      f,
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'gatekeeper-system',
          labels: {
            'kubernetes.io/metadata.name': 'gatekeeper-system',
            'admission.gatekeeper.sh/ignore': 'no-self-managing',
          },
          creationTimestamp: ago(90 * DAY),
        },
      },
      workload({
        kind: 'Deployment',
        namespace: 'gatekeeper-system',
        name: 'gatekeeper-controller-manager',
        labels: { 'control-plane': 'controller-manager', 'gatekeeper.sh/operation': 'webhook' },
        replicas: 3,
        ready: 3,
        createdSecondsAgo: 90 * DAY,
      }),
      serviceObject({
        namespace: 'gatekeeper-system',
        name: 'gatekeeper-webhook-service',
        clusterIP: '172.20.201.17',
        selector: { 'control-plane': 'controller-manager' },
        ports: [{ name: 'https-webhook-server', port: 443, targetPort: 'webhook-server' }],
        createdSecondsAgo: 90 * DAY,
      }),
      ...endpointsFor({
        namespace: 'gatekeeper-system',
        service: 'gatekeeper-webhook-service',
        ready: [1, 2, 3].map((i) => ({ ip: `10.0.${i}.120`, nodeName: nodeName(i) })),
        ports: [{ name: 'https-webhook-server', port: 8443 }],
      }),
      webhookConfiguration(
        'ValidatingWebhookConfiguration',
        'gatekeeper-validating-webhook-configuration',
        [
          {
            name: 'validation.gatekeeper.sh',
            service: {
              namespace: 'gatekeeper-system',
              name: 'gatekeeper-webhook-service',
              path: '/v1/admit',
            },
            failurePolicy: 'Ignore',
            timeoutSeconds: 3,
            rules: [
              { apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*'] },
            ],
            namespaceSelector: {
              matchExpressions: [{ key: 'admission.gatekeeper.sh/ignore', operator: 'DoesNotExist' }],
            },
          },
          {
            name: 'check-ignore-label.gatekeeper.sh',
            service: {
              namespace: 'gatekeeper-system',
              name: 'gatekeeper-webhook-service',
              path: '/v1/admitlabel',
            },
            failurePolicy: 'Fail',
            timeoutSeconds: 3,
            rules: [
              {
                apiGroups: [''],
                apiVersions: ['*'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['namespaces'],
              },
            ],
          },
        ],
        { createdSecondsAgo: 90 * DAY },
      ),
      eventOf({
        namespace: 'gatekeeper-system',
        type: 'Warning',
        reason: 'FailedAdmission',
        message:
          'Admission webhook "validation.gatekeeper.sh" denied request, Resource Namespace: tenants-1, Constraint: require-team-label, Message: you must provide labels: {"team"}',
        kind: 'K8sRequiredLabels',
        apiVersion: 'constraints.gatekeeper.sh/v1beta1',
        name: 'require-team-label',
        objectNamespace: null,
        lastSecondsAgo: 12,
        firstSecondsAgo: 41 * MIN,
        count: 612,
        component: 'gatekeeper-webhook',
      }),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'Created',
        message: 'K8sRequiredLabels require-team-label created (enforcementAction: deny)',
        kind: 'K8sRequiredLabels',
        apiVersion: 'constraints.gatekeeper.sh/v1beta1',
        name: 'require-team-label',
        lastSecondsAgo: 43 * MIN,
        component: 'argocd-application-controller',
      }),
    );
    const failing = Array.from({ length: 30 }, (_, i) => i + 2);
    tenantsNotReady(f, failing, 'ResourcesFailed', '2 resources failed');
    put(
      f,
      ...failing
        .slice(0, 12)
        .map((i) =>
          tenantEvent(
            tenantAt(i),
            'ApplyFailed',
            `Failed to apply resource app: failed to apply resource: ${GATEKEEPER_DENIED}`,
            20 + i * 9,
            41,
          ),
        ),
    );
    const lines: Line[] = spread(60, ONSET - 25, 8, (at, i) => {
      const t = tenantAt(failing[i % failing.length] ?? 2);
      return applyFailed(
        'json',
        at,
        t,
        i % 2 === 0 ? 'app' : 'svc',
        `failed to apply resource: ${GATEKEEPER_DENIED}`,
      );
    });
    logs(f, 'json', lines);
    return f;
  },
};

export const LBC_DENIED =
  'Internal error occurred: failed calling webhook "mservice.elbv2.k8s.aws": failed to call webhook: Post "https://aws-load-balancer-webhook-service.kube-system.svc:443/mutate-v1-service?timeout=10s": no endpoints available for service "aws-load-balancer-webhook-service"';

export const admissionNoEndpoints: Incident = {
  name: 'blind-admission-lbc-webhook-down',
  cause: 'admission-webhook-denied',
  alert: 'firing',
  description:
    'the AWS Load Balancer Controller was upgraded 43 minutes ago and crash-loops ("unable to initialize AWS cloud": IMDS unreachable from the pod); its mutating webhooks for Services and pods (failurePolicy Fail, CREATE) have no endpoints, so the 14 customers onboarded since the onset cannot get their Services ("failed calling webhook mservice.elbv2.k8s.aws ... no endpoints available") nor their pods (ReplicaSet FailedCreate, mpod.elbv2.k8s.aws); registry desired 54, failed 14. Decoys: the crash-looping controller is not the operator (the operator has no restarts), API server 429 counters since start',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    apiserverMetrics(f, OLD_429_TOTALS);
    const lbcPods = ['7b9c5d6f8-2kq4x', '7b9c5d6f8-v7m3n'].map((suffix, i) =>
      pod({
        namespace: 'kube-system',
        name: `aws-load-balancer-controller-${suffix}`,
        labels: {
          'app.kubernetes.io/name': 'aws-load-balancer-controller',
          'app.kubernetes.io/instance': 'aws-load-balancer-controller',
        },
        owner: { kind: 'ReplicaSet', name: 'aws-load-balancer-controller-7b9c5d6f8' },
        nodeName: nodeName(i + 2),
        podIP: `10.0.${i + 2}.140`,
        createdSecondsAgo: 43 * MIN,
        containers: [
          {
            name: 'aws-load-balancer-controller',
            image: 'public.ecr.aws/eks/aws-load-balancer-controller:v2.11.0',
            ready: false,
            restartCount: 12,
            requests: { cpu: '100m', memory: '128Mi' },
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: `back-off 5m0s restarting failed container=aws-load-balancer-controller pod=aws-load-balancer-controller-${suffix}_kube-system(3c4d5e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7f)`,
              },
            },
            lastState: {
              terminated: {
                reason: 'Error',
                exitCode: 1,
                startedAt: ago(4 * MIN + 10),
                finishedAt: ago(4 * MIN),
              },
            },
          },
        ],
      }),
    );
    put(
      f,
      workload({
        kind: 'Deployment',
        namespace: 'kube-system',
        name: 'aws-load-balancer-controller',
        labels: { 'app.kubernetes.io/name': 'aws-load-balancer-controller' },
        replicas: 2,
        ready: 0,
        updated: 2,
        generation: 9,
        createdSecondsAgo: 200 * DAY,
        conditions: [
          {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
            secondsAgo: 42 * MIN,
          },
        ],
      }),
      ...lbcPods,
      serviceObject({
        namespace: 'kube-system',
        name: 'aws-load-balancer-webhook-service',
        clusterIP: '172.20.64.200',
        selector: { 'app.kubernetes.io/name': 'aws-load-balancer-controller' },
        ports: [{ name: 'webhook-server', port: 443, targetPort: 'webhook-server' }],
        createdSecondsAgo: 200 * DAY,
      }),
      ...endpointsFor({
        namespace: 'kube-system',
        service: 'aws-load-balancer-webhook-service',
        ready: [],
        notReady: lbcPods.map((p, i) => ({
          ip: `10.0.${i + 2}.140`,
          nodeName: nodeName(i + 2),
          pod: p.metadata.name,
        })),
        ports: [{ name: 'webhook-server', port: 9443 }],
        secondsAgo: 42 * MIN,
      }),
      webhookConfiguration(
        'MutatingWebhookConfiguration',
        'aws-load-balancer-webhook',
        [
          {
            name: 'mpod.elbv2.k8s.aws',
            service: {
              namespace: 'kube-system',
              name: 'aws-load-balancer-webhook-service',
              path: '/mutate-v1-pod',
            },
            failurePolicy: 'Fail',
            rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
            namespaceSelector: {
              matchExpressions: [
                { key: 'elbv2.k8s.aws/pod-readiness-gate-inject', operator: 'In', values: ['enabled'] },
              ],
            },
          },
          {
            name: 'mservice.elbv2.k8s.aws',
            service: {
              namespace: 'kube-system',
              name: 'aws-load-balancer-webhook-service',
              path: '/mutate-v1-service',
            },
            failurePolicy: 'Fail',
            rules: [
              { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['services'] },
            ],
            objectSelector: {
              matchExpressions: [
                {
                  key: 'app.kubernetes.io/name',
                  operator: 'NotIn',
                  values: ['aws-load-balancer-controller'],
                },
              ],
            },
          },
        ],
        { createdSecondsAgo: 200 * DAY },
      ),
      webhookConfiguration(
        'ValidatingWebhookConfiguration',
        'aws-load-balancer-webhook',
        [
          {
            name: 'vingress.elbv2.k8s.aws',
            service: {
              namespace: 'kube-system',
              name: 'aws-load-balancer-webhook-service',
              path: '/validate-networking-v1-ingress',
            },
            failurePolicy: 'Fail',
            rules: [
              {
                apiGroups: ['networking.k8s.io'],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['ingresses'],
              },
            ],
          },
        ],
        { createdSecondsAgo: 200 * DAY },
      ),
      ...lbcPods.map((p) =>
        eventOf({
          namespace: 'kube-system',
          type: 'Warning',
          reason: 'BackOff',
          message: `Back-off restarting failed container aws-load-balancer-controller in pod ${p.metadata.name}_kube-system(3c4d5e6f-7a8b-4c9d-0e1f-2a3b4c5d6e7f)`,
          kind: 'Pod',
          name: p.metadata.name,
          lastSecondsAgo: 30,
          firstSecondsAgo: 40 * MIN,
          count: 160,
          component: 'kubelet',
          host: String((p.spec as { nodeName: string }).nodeName),
        }),
      ),
    );
    for (const p of lbcPods) {
      f.logs = {
        ...f.logs,
        [`kube-system/${p.metadata.name}/aws-load-balancer-controller`]: `{"level":"info","ts":"${ago(4 * MIN + 9)}","msg":"version","GitVersion":"v2.11.0","GitCommit":"ba4152c1ba7c75be194d75cf343219d4aeaeb116"}\n{"level":"error","ts":"${ago(4 * MIN + 1)}","logger":"setup","msg":"unable to initialize AWS cloud","error":"failed to get VPC ID: failed to fetch VPC ID from instance metadata: error in fetching vpc id through ec2 metadata: get mac metadata: operation error ec2imds: GetMetadata, canceled, context deadline exceeded"}\n`,
      };
    }
    // Sales onboarded 14 customers since the onset: their Tenants are new, and their Services and pods are
    // the first objects to be created since the webhook lost its endpoints (updates of existing Services do
    // not go through the CREATE-only webhook).
    const added = Array.from(
      { length: 14 },
      (_, i): TenantRef => ({
        name: `customer-${String(40 + i).padStart(5, '0')}`,
        namespace: `tenants-${i % 4}`,
      }),
    );
    f.objects = f.objects.map((o) =>
      o.kind === 'Namespace' && o.metadata.name.startsWith('tenants-')
        ? {
            ...o,
            metadata: {
              ...o.metadata,
              labels: { ...o.metadata.labels, 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' },
            },
          }
        : o,
    );
    registryState(f, 'connected', { tenants: 54 });
    const r = find(f, 'TenantRegistry', 'customers');
    put(f, patched(r, 'status', { desired: 54, ready: 40, failed: 14 }));
    const podDenied =
      'Internal error occurred: failed calling webhook "mpod.elbv2.k8s.aws": failed to call webhook: Post "https://aws-load-balancer-webhook-service.kube-system.svc:443/mutate-v1-pod?timeout=10s": no endpoints available for service "aws-load-balancer-webhook-service"';
    added.forEach((t, i) => {
      const created = ONSET - 60 - i * 150;
      const tn = tenant('tenant-operator', {
        ...t,
        ready: 'False',
        reason: 'ResourcesFailed',
        message: '1 resources failed',
        degraded: true,
      });
      put(
        f,
        { ...tn, metadata: { ...tn.metadata, creationTimestamp: ago(created) } },
        tenantEvent(
          t,
          'ApplyFailed',
          `Failed to apply resource svc: failed to apply resource: ${LBC_DENIED}`,
          20 + i * 9,
          Math.floor(created / 30),
          created - 5,
        ),
        eventOf({
          namespace: t.namespace,
          type: 'Warning',
          reason: 'FailedCreate',
          message: `Error creating: ${podDenied}`,
          kind: 'ReplicaSet',
          apiVersion: 'apps/v1',
          name: `${t.name}-app-5d8f7c9b4`,
          lastSecondsAgo: 30 + i * 9,
          firstSecondsAgo: created - 8,
          count: 15,
          component: 'replicaset-controller',
        }),
      );
    });
    const lines: Line[] = [
      ...added.map((t, i) =>
        zap('console', ONSET - 60 - i * 150 + 0.5, 'info', 'Creating Tenant', {
          ...rc('TenantRegistry', REGISTRY, ONSET - 60 - i * 150),
          tenant: t.name,
          uid: t.name.replace('customer-', 'c'),
          template: 'web-app',
        }),
      ),
      ...spread(70, ONSET - 70, 6, (at, i) => {
        const t =
          added[i % Math.min(added.length, 1 + Math.floor((i * added.length) / 70))] ??
          (added[0] as TenantRef);
        return applyFailed('console', at, t, 'svc', `failed to apply resource: ${LBC_DENIED}`);
      }),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// Resource constraints
// ---------------------------------------------------------------------------------------------------

export const quotaMemory: Incident = {
  name: 'blind-quota-memory-rollout',
  cause: 'quota-exceeded',
  alert: 'firing',
  description:
    'a TenantTemplate change 42 minutes ago doubled the app\'s memory request (256Mi to 512Mi); the operator\'s applies succeed, but the "compute" quotas of all four tenant namespaces (requests.memory 4Gi) refuse the new pods: the ReplicaSet controller\'s FailedCreate "exceeded quota" events, Deployments with ReplicaFailure, 28 tenants NotAllResourcesReady. Decoys: one batch pod that no node can fit (FailedScheduling Insufficient cpu), 400 debug "Resource not ready" lines',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    f.objects = f.objects.filter((o) => o.kind !== 'ResourceQuota');
    put(
      f,
      ...[0, 1, 2, 3].map((n) =>
        quota(
          `tenants-${n}`,
          'compute',
          { 'requests.cpu': '8', 'requests.memory': '4Gi', pods: '40' },
          { 'requests.cpu': '2750m', 'requests.memory': `${3840 + n * 64}Mi`, pods: `${11 + n}` },
        ),
      ),
      eventOf({
        namespace: 'tenants-0',
        type: 'Normal',
        reason: 'Updated',
        message:
          'TenantTemplate web-app updated: spec.deployments[0].spec.template.spec.containers[0].resources.requests.memory 256Mi -> 512Mi',
        kind: 'TenantTemplate',
        apiVersion: `${GROUP}/v1`,
        name: 'web-app',
        lastSecondsAgo: 42 * MIN,
        component: 'argocd-application-controller',
      }),
      pod({
        namespace: 'batch',
        name: 'reindex-full-0',
        labels: { job: 'reindex-full' },
        owner: { kind: 'Job', name: 'reindex-full', apiVersion: 'batch/v1' },
        phase: 'Pending',
        createdSecondsAgo: 3 * HOUR,
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message:
              '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
          },
        ],
        containers: [
          { name: 'reindex', image: 'ghcr.io/acme/reindex:2.0.3', requests: { cpu: '6', memory: '8Gi' } },
        ],
      }),
      eventOf({
        namespace: 'batch',
        type: 'Warning',
        reason: 'FailedScheduling',
        message:
          '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
        kind: 'Pod',
        name: 'reindex-full-0',
        lastSecondsAgo: 90,
        firstSecondsAgo: 58 * MIN,
        count: 38,
        component: 'default-scheduler',
      }),
    );
    const failing = Array.from({ length: 28 }, (_, i) => i + 6);
    tenantsNotReady(f, failing, 'NotAllResourcesReady', 'Not all resources are ready: 2/3 ready');
    const quotaMessage = (t: TenantRef, n: number) =>
      `Error creating: pods "${t.name}-app-7f9c6d5b8-" is forbidden: exceeded quota: compute, requested: requests.memory=512Mi, used: requests.memory=${3840 + n * 64}Mi, limited: requests.memory=4Gi`;
    put(
      f,
      ...failing.slice(0, 16).map((i) => {
        const t = tenantAt(i);
        return eventOf({
          namespace: t.namespace,
          type: 'Warning',
          reason: 'FailedCreate',
          message: quotaMessage(t, i % 4),
          kind: 'ReplicaSet',
          apiVersion: 'apps/v1',
          name: `${t.name}-app-7f9c6d5b8`,
          lastSecondsAgo: 40 + i * 5,
          firstSecondsAgo: 41 * MIN,
          count: 19,
          component: 'replicaset-controller',
        });
      }),
      ...failing.slice(0, 16).map((i) => {
        const t = tenantAt(i);
        return workload({
          kind: 'Deployment',
          namespace: t.namespace,
          name: `${t.name}-app`,
          labels: { app: `${t.name}-app` },
          replicas: 1,
          ready: 1,
          updated: 0,
          generation: 7,
          createdSecondsAgo: 10 * DAY,
          conditions: [
            {
              type: 'Available',
              status: 'True',
              reason: 'MinimumReplicasAvailable',
              message: 'Deployment has minimum availability.',
              secondsAgo: 10 * DAY,
            },
            {
              type: 'ReplicaFailure',
              status: 'True',
              reason: 'FailedCreate',
              message: quotaMessage(t, i % 4).replace('Error creating: ', ''),
              secondsAgo: 41 * MIN,
            },
            {
              type: 'Progressing',
              status: 'True',
              reason: 'ReplicaSetUpdated',
              message: `ReplicaSet "${t.name}-app-7f9c6d5b8" is progressing.`,
              secondsAgo: 41 * MIN,
            },
          ],
        });
      }),
    );
    const lines: Line[] = [
      ...spread(28, 42 * MIN - 10, 41 * MIN, (at, i) => {
        const t = tenantAt(failing[i] ?? 6);
        return zap('console', at, 'info', 'Template application completed successfully', {
          ...rc('Tenant', t, at),
          tenant: t.name,
          template: 'web-app',
          generation: '11',
          changed: 1,
          ready: 2,
          total: 3,
        });
      }),
      ...spread(400, ONSET - 30, 4, (at, i) => {
        const t = tenantAt(failing[i % failing.length] ?? 6);
        return zap('console', at, 'debug', 'Resource not ready', {
          ...rc('Tenant', t, at),
          id: 'app',
          name: `${t.name}-app`,
        });
      }),
    ];
    logs(f, 'console', lines, { every: 10 });
    return f;
  },
};

export const milliCpu = (q: string | undefined) =>
  !q ? 0 : q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;

/** Each node filled by a running ETL worker until only `freeMilli` of its 3920m allocatable CPU is left. */
export function fillNodes(f: ClusterFixture, nodes: number, freeMilli: number) {
  const requested = new Map<string, number>();
  for (const o of f.objects) {
    const spec = o.spec as
      | { nodeName?: string; containers?: { resources?: { requests?: Record<string, string> } }[] }
      | undefined;
    if (o.kind !== 'Pod' || !spec?.nodeName) continue;
    const cpu = (spec.containers ?? []).reduce((sum, c) => sum + milliCpu(c.resources?.requests?.cpu), 0);
    requested.set(spec.nodeName, (requested.get(spec.nodeName) ?? 0) + cpu);
  }
  put(
    f,
    ...Array.from({ length: nodes }, (_, i) => {
      const name = nodeName(i + 1);
      const cpu = 3920 - freeMilli - (requested.get(name) ?? 0);
      const p = workloadPod('batch', `etl-worker-6c7d8-${hex(`etl${i}`, 5).replace(/[0-9]/g, 'q')}`, name, {
        cpu: `${cpu}m`,
        memory: '6Gi',
      });
      return {
        ...p,
        metadata: { ...p.metadata, labels: { app: 'etl-worker' }, creationTimestamp: ago(45 * MIN) },
      };
    }),
  );
}

export const capacityAutoscalerMax: Incident = {
  name: 'blind-capacity-autoscaler-at-max',
  cause: 'cluster-capacity',
  alert: 'firing',
  description:
    'six nodes, all requested to 97% of their CPU by an ETL backfill since 45 minutes ago; the node group is at its maximum size, so the cluster-autoscaler does not scale up ("max node group size reached"); 14 tenant pods Pending with "0/6 nodes are available: 6 Insufficient cpu". Decoys: the operator OOMKilled 3 days ago, a quota in tenants-0 at 95% of its pods (near, not over)',
  metrics: firing(),
  fixture: () => {
    const f = eks({ nodes: 6 });
    oomKilledThreeDaysAgo(f);
    fillNodes(f, 6, 110);
    f.objects = f.objects.filter((o) => o.kind !== 'ResourceQuota');
    put(
      f,
      quota(
        'tenants-0',
        'compute',
        { 'requests.cpu': '12', 'requests.memory': '24Gi', pods: '40' },
        { 'requests.cpu': '4500m', 'requests.memory': '9Gi', pods: '38' },
      ),
      workload({
        kind: 'Deployment',
        namespace: 'kube-system',
        name: 'cluster-autoscaler',
        labels: { app: 'cluster-autoscaler' },
        replicas: 1,
        ready: 1,
        createdSecondsAgo: 200 * DAY,
      }),
      configMap(
        'kube-system',
        'cluster-autoscaler-status',
        {
          status: `time: ${ago(10)}\nautoscalerStatus: Running\nclusterWide:\n  health:\n    status: Healthy\n    nodeCounts:\n      registered:\n        total: 6\n        ready: 6\n  scaleUp:\n    status: NoActivity\n    lastProbeTime: "${ago(10)}"\n    lastTransitionTime: "${ago(44 * MIN)}"\n  scaleDown:\n    status: NoCandidates\nnodeGroups:\n- name: eks-tenants-ng-2c9f3a1b-7d4e-4f5a-9b8c-1d2e3f4a5b6c\n  health:\n    status: Healthy\n    nodeCounts:\n      registered:\n        total: 6\n        ready: 6\n    cloudProviderTarget: 6\n    minSize: 3\n    maxSize: 6\n  scaleUp:\n    status: NoActivity\n`,
        },
        { createdSecondsAgo: 200 * DAY },
      ),
      eventOf({
        namespace: 'batch',
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled up replica set etl-worker-6c7d8 to 6',
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        name: 'etl-worker',
        lastSecondsAgo: 45 * MIN,
        component: 'deployment-controller',
      }),
    );
    const pending = Array.from({ length: 14 }, (_, i) => i * 2 + 1);
    const message =
      '0/6 nodes are available: 6 Insufficient cpu. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod.';
    tenantsNotReady(f, pending, 'NotAllResourcesReady', 'Not all resources are ready: 2/3 ready');
    for (const i of pending) {
      const p = pendingTenantPod(i, message);
      put(
        f,
        p,
        eventOf({
          namespace: p.metadata.namespace ?? '',
          type: 'Warning',
          reason: 'FailedScheduling',
          message,
          kind: 'Pod',
          name: p.metadata.name,
          lastSecondsAgo: 25 + i * 3,
          firstSecondsAgo: ONSET - 60,
          count: 24,
          component: 'default-scheduler',
        }),
        eventOf({
          namespace: p.metadata.namespace ?? '',
          type: 'Normal',
          reason: 'NotTriggerScaleUp',
          message: "pod didn't trigger scale-up: 1 max node group size reached",
          kind: 'Pod',
          name: p.metadata.name,
          lastSecondsAgo: 40 + i * 3,
          firstSecondsAgo: ONSET - 50,
          count: 22,
          component: 'cluster-autoscaler',
        }),
      );
    }
    const lines: Line[] = spread(200, ONSET - 60, 5, (at, i) => {
      const t = tenantAt(pending[i % pending.length] ?? 1);
      return zap('console', at, 'debug', 'Resource not ready', {
        ...rc('Tenant', t, at),
        id: 'app',
        name: `${t.name}-app`,
      });
    });
    logs(f, 'console', lines, { every: 8 });
    return f;
  },
};

/**
 * The TenantTemplate gained a 20Gi data volume 41 minutes ago: the operator applies every tenant's new
 * claim without error (it is created, not bound), so only the volumes' own state tells.
 */
export function templateAddsVolume(f: ClusterFixture, enc: Enc, pending: number[], storageClassName: string) {
  put(
    f,
    eventOf({
      namespace: 'tenants-0',
      type: 'Normal',
      reason: 'Updated',
      message: `TenantTemplate web-app updated: spec.persistentVolumeClaims (+1: data, 20Gi, storageClassName ${storageClassName})`,
      kind: 'TenantTemplate',
      apiVersion: `${GROUP}/v1`,
      name: 'web-app',
      lastSecondsAgo: ONSET + 60,
      component: 'argocd-application-controller',
    }),
  );
  logs(
    f,
    enc,
    spread(pending.length, ONSET - 20, ONSET - 80, (at, i) => {
      const t = tenantAt(pending[i] ?? 0);
      return [
        zap(enc, at, 'info', 'Using full reconcile path', {
          ...rc('Tenant', t, at),
          tenant: t.name,
          generation: 6,
          observedGeneration: 5,
        }),
        zap(enc, at - 0.3, 'info', 'Applying template resources to cluster', {
          ...rc('Tenant', t, at),
          tenant: t.name,
          template: 'web-app',
          generation: '10',
          totalResources: 4,
          registry: 'customers',
        }),
        zap(enc, at - 0.9, 'info', 'Reconciliation completed with changes', {
          ...rc('Tenant', t, at),
          changed: 1,
          ready: 3,
          failed: 0,
          conflicted: 0,
        }),
      ];
    }),
  );
}

export function pvcPending(i: number, storageClassName: string, selectedNode?: string): KubeObject {
  const t = tenantAt(i);
  return persistentVolumeClaim({
    namespace: t.namespace,
    name: `${t.name}-data`,
    storageClassName,
    request: '20Gi',
    phase: 'Pending',
    provisioner: 'ebs.csi.aws.com',
    createdSecondsAgo: ONSET - 30,
    labels: { 'kubernetes-tenants.org/tenant': t.name },
    ...(selectedNode ? { selectedNode } : {}),
  });
}

export const storageCsiDown: Incident = {
  name: 'blind-storage-ebs-csi-controller-down',
  cause: 'storage-provisioning',
  alert: 'firing',
  description:
    'the EBS CSI driver add-on was updated 43 minutes ago and its controller crash-loops ("could not get region from metadata": IMDS hop limit); a template change 41 minutes ago gave every tenant a data volume, and the tenants\' new claims on gp3 (WaitForFirstConsumer) wait for "the external provisioner ebs.csi.aws.com" and their pods fail to schedule on the volume binding ("running PreBind plugin VolumeBinding: binding volumes: context deadline exceeded"). Decoys: one batch pod with Insufficient cpu (more events), the everyday readiness-probe event on the CSI controller',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    for (const suffix of ['abcde', 'fghij'])
      remove(f, 'Pod', `ebs-csi-controller-7c9d8-${suffix}`, 'kube-system');
    const csiPods = ['58f9d7c6b-abcde', '58f9d7c6b-pq7rs'].map((suffix, i) => {
      const crashing = {
        ready: false,
        restartCount: 11,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 5m0s restarting failed container=ebs-plugin pod=ebs-csi-controller-${suffix}_kube-system(6d7e8f9a-0b1c-4d2e-3f4a-5b6c7d8e9f0a)`,
          },
        },
        lastState: {
          terminated: {
            reason: 'Error',
            exitCode: 255,
            startedAt: ago(3 * MIN + 5),
            finishedAt: ago(3 * MIN),
          },
        },
      };
      return pod({
        namespace: 'kube-system',
        name: `ebs-csi-controller-${suffix}`,
        labels: { app: 'ebs-csi-controller', 'app.kubernetes.io/name': 'aws-ebs-csi-driver' },
        owner: { kind: 'ReplicaSet', name: 'ebs-csi-controller-58f9d7c6b' },
        nodeName: nodeName(i + 2),
        podIP: `10.0.${i + 2}.52`,
        createdSecondsAgo: 43 * MIN,
        containers: [
          {
            name: 'ebs-plugin',
            image: 'public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.38.1',
            requests: { cpu: '10m', memory: '40Mi' },
            ...crashing,
          },
          {
            name: 'csi-provisioner',
            image: 'public.ecr.aws/eks-distro/kubernetes-csi/external-provisioner:v5.1.0-eks-1-31-7',
            requests: { cpu: '10m', memory: '40Mi' },
          },
          {
            name: 'csi-attacher',
            image: 'public.ecr.aws/eks-distro/kubernetes-csi/external-attacher:v4.7.0-eks-1-31-7',
            requests: { cpu: '10m', memory: '40Mi' },
          },
          {
            name: 'liveness-probe',
            image: 'public.ecr.aws/eks-distro/kubernetes-csi/livenessprobe:v2.14.0-eks-1-31-7',
            requests: { cpu: '10m', memory: '40Mi' },
          },
        ],
      });
    });
    put(
      f,
      workload({
        kind: 'Deployment',
        namespace: 'kube-system',
        name: 'ebs-csi-controller',
        labels: { app: 'ebs-csi-controller' },
        replicas: 2,
        ready: 0,
        generation: 6,
        conditions: [
          {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
            secondsAgo: 42 * MIN,
          },
        ],
      }),
      ...csiPods,
      ...csiPods.map((p) =>
        eventOf({
          namespace: 'kube-system',
          type: 'Warning',
          reason: 'BackOff',
          message: `Back-off restarting failed container ebs-plugin in pod ${p.metadata.name}_kube-system(6d7e8f9a-0b1c-4d2e-3f4a-5b6c7d8e9f0a)`,
          kind: 'Pod',
          name: p.metadata.name,
          lastSecondsAgo: 40,
          firstSecondsAgo: 41 * MIN,
          count: 150,
          component: 'kubelet',
          host: String((p.spec as { nodeName: string }).nodeName),
        }),
      ),
      pod({
        namespace: 'batch',
        name: 'reindex-full-0',
        labels: { job: 'reindex-full' },
        owner: { kind: 'Job', name: 'reindex-full', apiVersion: 'batch/v1' },
        phase: 'Pending',
        createdSecondsAgo: 3 * HOUR,
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message:
              '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
          },
        ],
        containers: [
          { name: 'reindex', image: 'ghcr.io/acme/reindex:2.0.3', requests: { cpu: '6', memory: '8Gi' } },
        ],
      }),
      eventOf({
        namespace: 'batch',
        type: 'Warning',
        reason: 'FailedScheduling',
        message:
          '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
        kind: 'Pod',
        name: 'reindex-full-0',
        lastSecondsAgo: 60,
        firstSecondsAgo: 58 * MIN,
        count: 240,
        component: 'default-scheduler',
      }),
    );
    for (const p of csiPods) {
      f.logs = {
        ...f.logs,
        [`kube-system/${p.metadata.name}/ebs-plugin`]: text([
          klog(
            'I',
            3 * MIN + 5,
            'driver.go:84',
            '"Driver Information" Driver="ebs.csi.aws.com" Version="v1.38.1"',
          ),
          klog('I', 3 * MIN + 4, 'metadata.go:85', '"retrieving instance data from ec2 metadata"'),
          klog('W', 3 * MIN + 1, 'metadata.go:88', '"ec2 metadata is not available"'),
          klog('I', 3 * MIN + 1, 'metadata.go:96', '"retrieving instance data from kubernetes api"'),
          klog(
            'E',
            3 * MIN,
            'driver.go:108',
            '"Failed to create controller service" err="could not get region from metadata: EC2MetadataRequestError: failed to get EC2 instance identity document"',
          ),
        ]),
      };
    }
    const pending = Array.from({ length: 12 }, (_, i) => i * 3 + 2);
    tenantsNotReady(f, pending, 'NotAllResourcesReady', 'Not all resources are ready: 1/3 ready');
    for (const i of pending) {
      const p = pendingTenantPod(
        i,
        'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded',
        { pvc: true },
      );
      const t = tenantAt(i);
      put(
        f,
        p,
        pvcPending(i, 'gp3', nodeName((i % 3) + 1)),
        eventOf({
          namespace: t.namespace,
          type: 'Normal',
          reason: 'ExternalProvisioning',
          message:
            "Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
          kind: 'PersistentVolumeClaim',
          name: `${t.name}-data`,
          lastSecondsAgo: 10 + i,
          firstSecondsAgo: ONSET - 40,
          count: 162,
          component: 'persistentvolume-controller',
        }),
        eventOf({
          namespace: t.namespace,
          type: 'Warning',
          reason: 'FailedScheduling',
          message: 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded',
          kind: 'Pod',
          name: p.metadata.name,
          lastSecondsAgo: 70 + i,
          firstSecondsAgo: ONSET - 20,
          count: 7,
          component: 'default-scheduler',
        }),
      );
    }
    templateAddsVolume(f, 'console', pending, 'gp3');
    return f;
  },
};

export const storageVolumeLimit: Incident = {
  name: 'blind-storage-ec2-volume-limit',
  cause: 'storage-provisioning',
  alert: 'firing',
  description:
    'the account reached its EBS gp3 storage limit in the region: every CreateVolume fails with "VolumeLimitExceeded" (ProvisioningFailed events), the Immediate-binding data claims a template change added to every tenant 41 minutes ago stay Pending and their pods report "pod has unbound immediate PersistentVolumeClaims" (JSON logs). Decoys: the word "limit" (an AWS service quota, not a ResourceQuota), a ResourceQuota on requests.storage in tenants-2 at 92% (near, not exceeded)',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    put(
      f,
      storageClass({
        name: 'gp3-immediate',
        provisioner: 'ebs.csi.aws.com',
        volumeBindingMode: 'Immediate',
        parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
      }),
      quota(
        'tenants-2',
        'storage',
        { 'requests.storage': '500Gi', persistentvolumeclaims: '30' },
        { 'requests.storage': '460Gi', persistentvolumeclaims: '23' },
      ),
    );
    const pending = Array.from({ length: 12 }, (_, i) => i * 3 + 1);
    tenantsNotReady(f, pending, 'NotAllResourcesReady', 'Not all resources are ready: 1/3 ready');
    for (const i of pending) {
      const t = tenantAt(i);
      const p = pendingTenantPod(
        i,
        '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
        { pvc: true },
      );
      put(
        f,
        p,
        pvcPending(i, 'gp3-immediate'),
        eventOf({
          namespace: t.namespace,
          type: 'Warning',
          reason: 'ProvisioningFailed',
          message: `failed to provision volume with StorageClass "gp3-immediate": rpc error: code = Internal desc = Could not create volume "pvc-${uuid(`pv${i}`)}": could not create volume in EC2: operation error EC2: CreateVolume, https response error StatusCode: 400, RequestID: ${uuid(`req${i}`)}, api error VolumeLimitExceeded: You have exceeded your maximum gp3 storage limit of 50 TiB in this region. Please contact AWS Support to request an Elastic Block Store service limit increase.`,
          kind: 'PersistentVolumeClaim',
          name: `${t.name}-data`,
          lastSecondsAgo: 30 + i * 4,
          firstSecondsAgo: ONSET - 30,
          count: 14,
          component: 'ebs.csi.aws.com_ebs-csi-controller-7c9d8-abcde_0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
        }),
        eventOf({
          namespace: t.namespace,
          type: 'Normal',
          reason: 'Provisioning',
          message: `External provisioner is provisioning volume for claim "${t.namespace}/${t.name}-data"`,
          kind: 'PersistentVolumeClaim',
          name: `${t.name}-data`,
          lastSecondsAgo: 31 + i * 4,
          firstSecondsAgo: ONSET - 30,
          count: 14,
          component: 'ebs.csi.aws.com_ebs-csi-controller-7c9d8-abcde_0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
        }),
        eventOf({
          namespace: t.namespace,
          type: 'Warning',
          reason: 'FailedScheduling',
          message:
            '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
          kind: 'Pod',
          name: p.metadata.name,
          lastSecondsAgo: 50 + i,
          firstSecondsAgo: ONSET - 25,
          count: 9,
          component: 'default-scheduler',
        }),
      );
    }
    f.logs = {
      ...f.logs,
      'kube-system/ebs-csi-controller-7c9d8-abcde/ebs-plugin': text(
        spread(40, ONSET - 30, 20, (at, i) =>
          klog(
            'E',
            at,
            'driver.go:108',
            `"GRPC error" err="rpc error: code = Internal desc = Could not create volume \\"pvc-${uuid(`pv${pending[i % pending.length]}`)}\\": could not create volume in EC2: operation error EC2: CreateVolume, https response error StatusCode: 400, RequestID: ${uuid(`req${i}`)}, api error VolumeLimitExceeded: You have exceeded your maximum gp3 storage limit of 50 TiB in this region. Please contact AWS Support to request an Elastic Block Store service limit increase."`,
          ),
        ),
      ),
    };
    templateAddsVolume(f, 'json', pending, 'gp3-immediate');
    return f;
  },
};

export const schedulingTaint: Incident = {
  name: 'blind-scheduling-untolerated-taint',
  cause: 'pod-scheduling',
  alert: 'firing',
  description:
    'a node-group change 42 minutes ago tainted the tenant nodes workload=tenants:NoSchedule (the other three carry dedicated=platform); the tenant pods select workload=tenants but tolerate neither: "0/6 nodes are available: 3 node(s) had untolerated taint {dedicated: platform}, 3 node(s) had untolerated taint {workload: tenants}"; the autoscaler cannot help either. Capacity is ample. Decoys: a huge batch pod whose FailedScheduling says "Insufficient cpu" (more events than the tenants\' ones), a quota lifted before the onset',
  metrics: firing(),
  fixture: () => {
    const f = eks({ nodes: 6 });
    quotaLiftedBeforeOnset(f);
    const tainted = (i: number): KubeObject => {
      const n = node(i);
      const tenants = i <= 3;
      return {
        ...n,
        metadata: {
          ...n.metadata,
          labels: {
            ...n.metadata.labels,
            ...(tenants ? { workload: 'tenants' } : { dedicated: 'platform' }),
            'topology.kubernetes.io/zone': `eu-west-1${'abc'[i % 3]}`,
          },
        },
        spec: {
          taints: [
            tenants
              ? { key: 'workload', value: 'tenants', effect: 'NoSchedule', timeAdded: ago(42 * MIN) }
              : { key: 'dedicated', value: 'platform', effect: 'NoSchedule' },
          ],
        },
      };
    };
    put(f, ...Array.from({ length: 6 }, (_, i) => tainted(i + 1)));
    const message =
      '0/6 nodes are available: 3 node(s) had untolerated taint {dedicated: platform}, 3 node(s) had untolerated taint {workload: tenants}. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.';
    const pending = Array.from({ length: 16 }, (_, i) => i * 2 + 1);
    tenantsNotReady(f, pending, 'NotAllResourcesReady', 'Not all resources are ready: 2/3 ready');
    for (const i of pending) {
      const p = pendingTenantPod(i, message);
      const spec = p.spec as Record<string, unknown>;
      spec.nodeSelector = { workload: 'tenants' };
      put(
        f,
        p,
        eventOf({
          namespace: p.metadata.namespace ?? '',
          type: 'Warning',
          reason: 'FailedScheduling',
          message,
          kind: 'Pod',
          name: p.metadata.name,
          lastSecondsAgo: 30 + i * 2,
          firstSecondsAgo: ONSET - 60,
          count: 9,
          component: 'default-scheduler',
        }),
        eventOf({
          namespace: p.metadata.namespace ?? '',
          type: 'Normal',
          reason: 'NotTriggerScaleUp',
          message: "pod didn't trigger scale-up: 1 node(s) had untolerated taint {workload: tenants}",
          kind: 'Pod',
          name: p.metadata.name,
          lastSecondsAgo: 45 + i * 2,
          firstSecondsAgo: ONSET - 50,
          count: 8,
          component: 'cluster-autoscaler',
        }),
      );
    }
    put(
      f,
      pod({
        namespace: 'batch',
        name: 'reindex-full-0',
        labels: { job: 'reindex-full' },
        owner: { kind: 'Job', name: 'reindex-full', apiVersion: 'batch/v1' },
        phase: 'Pending',
        createdSecondsAgo: 5 * HOUR,
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }],
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message:
              '0/6 nodes are available: 3 Insufficient cpu, 3 node(s) had untolerated taint {workload: tenants}. preemption: 0/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.',
          },
        ],
        containers: [
          { name: 'reindex', image: 'ghcr.io/acme/reindex:2.0.3', requests: { cpu: '16', memory: '8Gi' } },
        ],
      }),
      eventOf({
        namespace: 'batch',
        type: 'Warning',
        reason: 'FailedScheduling',
        message:
          '0/6 nodes are available: 3 Insufficient cpu, 3 node(s) had untolerated taint {workload: tenants}. preemption: 0/6 nodes are available: 3 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.',
        kind: 'Pod',
        name: 'reindex-full-0',
        lastSecondsAgo: 40,
        firstSecondsAgo: 59 * MIN,
        count: 310,
        component: 'default-scheduler',
      }),
    );
    const lines: Line[] = spread(160, ONSET - 60, 5, (at, i) => {
      const t = tenantAt(pending[i % pending.length] ?? 1);
      return zap('console', at, 'debug', 'Resource not ready', {
        ...rc('Tenant', t, at),
        id: 'app',
        name: `${t.name}-app`,
      });
    });
    logs(f, 'console', lines, { every: 8 });
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// External dependencies: the same symptom (the registry cannot reach MySQL), different broken links
// ---------------------------------------------------------------------------------------------------

/** A NetworkPolicy on the operator's pods that allows what it needs (DNS, the API server, MySQL): present, harmless. */
export const permissiveOperatorEgress = () =>
  networkPolicy(NS, 'tenant-operator-egress', {
    podSelector: { matchLabels: { 'control-plane': 'controller-manager' } },
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
        to: [{ ipBlock: { cidr: '10.0.0.0/16' } }],
        ports: [
          { port: 443, protocol: 'TCP' },
          { port: 3306, protocol: 'TCP' },
        ],
      },
    ],
  });

export const MYSQL_REFUSED = `failed to create datasource: failed to ping MySQL: dial tcp ${MYSQL_VIP}:3306: connect: connection refused`;

export const datasourceDiskFull: Incident = {
  name: 'blind-datasource-mysql-disk-full',
  cause: 'datasource-unavailable',
  alert: 'firing',
  description:
    "the registry's MySQL filled its 50Gi volume: mysqld aborts on start (\"Error number 28 means 'No space left on device'\"), mysql-0 is in CrashLoopBackOff, the mysql Service has no ready endpoint, so connections to its ClusterIP are refused. DNS is healthy and the operator's egress policy allows 3306. Decoys: that permissive NetworkPolicy, a CoreDNS restart 3 days ago, one tenant's render error repeated 90 times (more lines than the registry's)",
  metrics: firing(),
  fixture: () => {
    const f = eks();
    corednsRestartedDaysAgo(f);
    registryState(f, 'failed');
    put(
      f,
      permissiveOperatorEgress(),
      mysqlPod({
        ready: false,
        restartCount: 11,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message:
              'back-off 5m0s restarting failed container=mysql pod=mysql-0_data(2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e)',
          },
        },
        lastState: {
          terminated: {
            reason: 'Error',
            exitCode: 1,
            startedAt: ago(4 * MIN + 12),
            finishedAt: ago(4 * MIN),
          },
        },
      }),
      workload({
        kind: 'StatefulSet',
        namespace: 'data',
        name: 'mysql',
        labels: { app: 'mysql' },
        replicas: 1,
        ready: 0,
        createdSecondsAgo: 30 * DAY,
      }),
      ...mysqlEndpoints(false, { secondsAgo: ONSET + 20 }),
      eventOf({
        namespace: 'data',
        type: 'Warning',
        reason: 'BackOff',
        message:
          'Back-off restarting failed container mysql in pod mysql-0_data(2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e)',
        kind: 'Pod',
        name: 'mysql-0',
        lastSecondsAgo: 15,
        firstSecondsAgo: ONSET,
        count: 171,
        component: 'kubelet',
        host: nodeName(3),
      }),
      registryEvent(MYSQL_REFUSED, 40, 26),
    );
    const mysqlLog = (at: number) =>
      [
        `${ago(at + 12)} 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.0.40) starting as process 1`,
        `${ago(at + 11)} 1 [System] [MY-013576] [InnoDB] InnoDB initialization has started.`,
        `${ago(at + 2)} 1 [ERROR] [MY-012592] [InnoDB] Operating system error number 28 in a file operation.`,
        `${ago(at + 2)} 1 [ERROR] [MY-012596] [InnoDB] Error number 28 means 'No space left on device'`,
        `${ago(at + 1)} 1 [ERROR] [MY-012930] [InnoDB] Plugin initialization aborted with error Generic error.`,
        `${ago(at + 1)} 1 [ERROR] [MY-010334] [Server] Failed to initialize DD Storage Engine`,
        `${ago(at)} 0 [ERROR] [MY-010020] [Server] Data Dictionary initialization failed.`,
        `${ago(at)} 0 [ERROR] [MY-010119] [Server] Aborting`,
        `${ago(at)} 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld 8.0.40)  MySQL Community Server - GPL.`,
        '',
      ].join('\n');
    f.logs = {
      ...f.logs,
      'data/mysql-0/mysql': mysqlLog(4 * MIN),
      'data/mysql-0/mysql/previous': mysqlLog(10 * MIN),
    };
    logs(f, 'console', [
      ...registryFailures('console', () => MYSQL_REFUSED, 26),
      ...oneTenantRenderLoop('console', 90),
    ]);
    return f;
  },
};

export const ACCESS_DENIED = `failed to create datasource: failed to ping MySQL: Error 1045 (28000): Access denied for user 'tenants'@'${OP_IP}' (using password: YES)`;

export const datasourceAccessDenied: Incident = {
  name: 'blind-datasource-password-rotated',
  cause: 'datasource-unavailable',
  alert: 'firing',
  description:
    "External Secrets refreshed the registry's mysql-credentials Secret 42 minutes ago with a rotated password that MySQL does not know: the database answers \"Error 1045 (28000): Access denied for user 'tenants'@'10.0.1.57'\" (JSON logs; MySQL logs the refusals). The path is fine: DNS resolves, the Service has a ready endpoint, the policy allows 3306. Decoys: the permissive NetworkPolicy, optimistic-lock conflicts, a stray DNS timeout from a CoreDNS pod's startup 3 days ago",
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    corednsRestartedDaysAgo(f);
    registryState(f, 'failed');
    put(
      f,
      permissiveOperatorEgress(),
      eventOf({
        namespace: 'tenants-0',
        type: 'Normal',
        reason: 'Updated',
        message: 'Updated Secret',
        kind: 'ExternalSecret',
        apiVersion: 'external-secrets.io/v1beta1',
        name: 'mysql-credentials',
        lastSecondsAgo: 42 * MIN,
        component: 'external-secrets',
      }),
      registryEvent(ACCESS_DENIED, 35, 27),
    );
    const first = COREDNS_PODS[0] as (typeof COREDNS_PODS)[number];
    f.logs = {
      ...f.logs,
      [`kube-system/${first.name}/coredns`]: `${COREDNS_BANNER}[ERROR] plugin/errors: 2 6629426437316493063.3431271856473512087. HINFO: read udp ${first.ip}:47102->10.0.0.2:53: i/o timeout\n`,
      'data/mysql-0/mysql': spread(40, ONSET - 10, 20, (at) => ({
        at,
        text: `${ago(at)} 1203 [Note] [MY-010926] [Server] Access denied for user 'tenants'@'${OP_IP}' (using password: YES)`,
      }))
        .map((l) => l.text)
        .join('\n')
        .concat('\n'),
    };
    logs(
      f,
      'json',
      registryFailures('json', () => ACCESS_DENIED, 27),
    );
    return f;
  },
};

export const externalSlowRds: Incident = {
  name: 'blind-external-rds-answers-too-slowly',
  cause: 'external-api-timeout',
  alert: 'firing',
  description:
    'the registry\'s database is an external Aurora endpoint; since the onset it accepts connections but answers too slowly: the ping\'s 5 s deadline expires during the handshake ("failed to ping MySQL: context deadline exceeded", no dial or lookup error) and the queries that do get through are interrupted ("Error 3024 (HY000): Query execution was interrupted, maximum statement execution time exceeded"). DNS resolves it, the egress policy allows it, it is not a cluster Service. Decoys: the permissive NetworkPolicy, the registry\'s DatabaseConnectionFailed, API warnings',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    registryState(f, 'failed', { host: RDS_HOST });
    put(
      f,
      networkPolicy(NS, 'tenant-operator-egress', {
        podSelector: { matchLabels: { 'control-plane': 'controller-manager' } },
        policyTypes: ['Egress'],
        egress: [
          {
            ports: [
              { port: 53, protocol: 'UDP' },
              { port: 53, protocol: 'TCP' },
            ],
          },
          { to: [{ ipBlock: { cidr: '10.0.0.0/16' } }], ports: [{ port: 443, protocol: 'TCP' }] },
          { to: [{ ipBlock: { cidr: '10.40.0.0/16' } }], ports: [{ port: 3306, protocol: 'TCP' }] },
        ],
      }),
      registryEvent('failed to create datasource: failed to ping MySQL: context deadline exceeded', 40, 24),
    );
    const lines: Line[] = [
      ...registryFailures(
        'console',
        (i) =>
          i % 4 === 3
            ? 'failed to query tenants: Error 3024 (HY000): Query execution was interrupted, maximum statement execution time exceeded'
            : 'failed to create datasource: failed to ping MySQL: context deadline exceeded',
        24,
      ),
      ...apiWarnings('console', 50),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

export const PLANETSCALE = 'aws.connect.psdb.cloud';
export const VITESS_TIMEOUT =
  'failed to query tenants: Error 1105 (HY000): target: tenants.-.primary: vttablet: rpc error: code = DeadlineExceeded desc = context deadline exceeded';

export const externalVitess: Incident = {
  name: 'blind-external-dbaas-query-deadline',
  cause: 'external-api-timeout',
  alert: 'firing',
  description:
    'the registry reads a hosted MySQL-compatible service (PlanetScale, aws.connect.psdb.cloud): the connection and ping succeed, but every tenant query runs into the provider\'s deadline ("vttablet: rpc error: code = DeadlineExceeded desc = context deadline exceeded"), since the onset (JSON logs). DNS, policy and the cluster network are fine; nothing in the cluster changed. Decoys: a transient DNS timeout 50 minutes ago (before the onset), one tenant\'s render error repeated more often, the registry condition',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    registryState(f, 'failed', { host: PLANETSCALE, port: 3306 });
    put(f, registryEvent(VITESS_TIMEOUT, 50, 22));
    const lines: Line[] = [
      ...registryFailures('json', () => VITESS_TIMEOUT, 22),
      ...registrySyncFailed(
        'json',
        50 * MIN,
        `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${PLANETSCALE} on ${KUBE_DNS}:53: read udp ${OP_IP}:52811->${KUBE_DNS}:53: i/o timeout`,
      ),
      ...oneTenantRenderLoop('json', 70),
    ];
    logs(f, 'json', lines);
    return f;
  },
};

export const NXDOMAIN_RDS = `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${RDS_HOST} on ${KUBE_DNS}:53: no such host`;

export const externalDnsRds: Incident = {
  name: 'blind-external-dns-rds-endpoint-gone',
  cause: 'external-dns',
  alert: 'firing',
  description:
    'the Aurora cluster behind the registry was restored from a snapshot under a new name 42 minutes ago and the old one deleted: its endpoint no longer exists ("lookup tenants-db.cluster-...rds.amazonaws.com on 172.20.0.10:53: no such host"). Cluster DNS is healthy (both CoreDNS pods ready, kube-dns endpoints ready, no errors in their logs). Decoys: a CoreDNS restart 3 days ago, the registry condition, API warnings',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    corednsRestartedDaysAgo(f);
    registryState(f, 'failed', { host: RDS_HOST });
    put(f, registryEvent(NXDOMAIN_RDS, 45, 25));
    logs(f, 'console', [
      ...registryFailures('console', () => NXDOMAIN_RDS, 25),
      ...apiWarnings('console', 45),
    ]);
    return f;
  },
};

export const LEGACY_DB = 'tenants-db.legacy.corp.example.com';
export const NXDOMAIN_EXTERNALNAME =
  'failed to create datasource: failed to ping MySQL: dial tcp: lookup tenants-db.data.svc.cluster.local on 172.20.0.10:53: no such host';

export const externalDnsExternalName: Incident = {
  name: 'blind-external-dns-externalname-target',
  cause: 'external-dns',
  alert: 'firing',
  description:
    'the registry connects to tenants-db.data.svc.cluster.local, an ExternalName Service pointing at tenants-db.legacy.corp.example.com; that corporate record was removed 41 minutes ago, so the in-cluster name resolves to a CNAME whose target does not exist: "no such host" (JSON logs). The Service and CoreDNS are fine. Decoys: the name looks in-cluster, a DNS-looking CoreDNS HINFO timeout from 3 days ago, conflicts',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    registryState(f, 'failed', { host: 'tenants-db.data.svc.cluster.local' });
    put(
      f,
      serviceObject({
        namespace: 'data',
        name: 'tenants-db',
        type: 'ExternalName',
        externalName: LEGACY_DB,
        createdSecondsAgo: 300 * DAY,
      }),
      registryEvent(NXDOMAIN_EXTERNALNAME, 38, 23),
    );
    corednsRestartedDaysAgo(f);
    const first = COREDNS_PODS[0] as (typeof COREDNS_PODS)[number];
    f.logs = {
      ...f.logs,
      [`kube-system/${first.name}/coredns`]: `${COREDNS_BANNER}[ERROR] plugin/errors: 2 1290391412389102734.7710029384756473820. HINFO: read udp ${first.ip}:47102->10.0.0.2:53: i/o timeout\n`,
    };
    logs(
      f,
      'json',
      registryFailures('json', () => NXDOMAIN_EXTERNALNAME, 23),
    );
    return f;
  },
};

export const MYSQL_BLACKHOLED = `failed to create datasource: failed to ping MySQL: dial tcp ${MYSQL_VIP}:3306: i/o timeout`;

export const netpolDefaultDeny: Incident = {
  name: 'blind-netpol-baseline-default-deny',
  cause: 'network-policy-blocking',
  alert: 'firing',
  description:
    "a Kyverno generate policy rolled out a baseline 42 minutes ago: default-deny-all (podSelector {}, Ingress and Egress) plus allow-dns and allow-apiserver in every namespace, including the operator's; nothing allows egress to MySQL on 3306, so the registry's connections time out (\"dial tcp 172.20.118.40:3306: i/o timeout\"). MySQL is healthy with a ready endpoint, DNS and the API server work. Decoys: MySQL crashed 6 hours ago and recovered (old event, restart), the registry condition, a tenant's Service conflict repeated more often",
  metrics: firing(),
  fixture: () => {
    const f = eks();
    mysqlOutageSixHoursAgo(f);
    registryState(f, 'failed');
    const generated = (name: string, spec: Record<string, unknown>) => {
      const p = networkPolicy(NS, name, spec);
      return {
        ...p,
        metadata: {
          ...p.metadata,
          creationTimestamp: ago(42 * MIN),
          labels: {
            'app.kubernetes.io/managed-by': 'kyverno',
            'generate.kyverno.io/policy-name': 'namespace-baseline',
          },
        },
      };
    };
    put(
      f,
      generated('default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      generated('allow-dns', {
        podSelector: {},
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
        ],
      }),
      generated('allow-apiserver', {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: CONTROL_PLANE_ENIS.map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })),
            ports: [{ port: 443, protocol: 'TCP' }],
          },
        ],
      }),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'PolicyApplied',
        message: `Resource Namespace/${NS} generated NetworkPolicy/${NS}/default-deny-all, NetworkPolicy/${NS}/allow-dns, NetworkPolicy/${NS}/allow-apiserver`,
        kind: 'ClusterPolicy',
        apiVersion: 'kyverno.io/v1',
        name: 'namespace-baseline',
        lastSecondsAgo: 42 * MIN,
        component: 'kyverno-generate',
      }),
      registryEvent(MYSQL_BLACKHOLED, 50, 24),
    );
    const conflicted = tenantAt(6);
    const lines: Line[] = [
      ...registryFailures('console', () => MYSQL_BLACKHOLED, 24),
      ...spread(60, 3250, 8, (at) =>
        applyFailed(
          'console',
          at,
          conflicted,
          'svc',
          `resource conflict for ${conflicted.namespace}/${conflicted.name}-svc (Service): Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.ports[name="http"].targetPort`,
        ),
      ),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

export const netpolStaleCidr: Incident = {
  name: 'blind-netpol-egress-cidr-stale',
  cause: 'network-policy-blocking',
  alert: 'firing',
  description:
    "the operator's own egress policy (20 days old) allows MySQL only at 10.0.3.0/24, where mysql-0 used to run; its node was drained 42 minutes ago and mysql-0 now runs on ip-10-0-2-11 as 10.0.2.19 (ready, the Service's endpoint), outside the allowed block: connections time out (JSON logs). Decoys: the cordoned node (NodeNotSchedulable, a scheduling lookalike), the registry condition, API warnings",
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    registryState(f, 'failed');
    const cordoned = node(3, { unschedulable: true });
    put(
      f,
      {
        ...networkPolicy(NS, 'tenant-operator-egress', {
          podSelector: { matchLabels: { 'control-plane': 'controller-manager' } },
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
              to: CONTROL_PLANE_ENIS.map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })),
              ports: [{ port: 443, protocol: 'TCP' }],
            },
            { to: [{ ipBlock: { cidr: '10.0.3.0/24' } }], ports: [{ port: 3306, protocol: 'TCP' }] },
          ],
        }),
        metadata: { name: 'tenant-operator-egress', namespace: NS, creationTimestamp: ago(20 * DAY) },
      },
      {
        ...cordoned,
        spec: {
          unschedulable: true,
          taints: [
            { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: ago(43 * MIN) },
          ],
        },
      },
      mysqlPod({}, { node: 2, ip: '10.0.2.19', createdSecondsAgo: 42 * MIN }),
      ...mysqlEndpoints(true, { node: 2, ip: '10.0.2.19', secondsAgo: 41 * MIN }),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'NodeNotSchedulable',
        message: `Node ${nodeName(3)} status is now: NodeNotSchedulable`,
        kind: 'Node',
        name: nodeName(3),
        lastSecondsAgo: 43 * MIN,
        component: 'kubelet',
        host: nodeName(3),
      }),
      eventOf({
        namespace: 'data',
        type: 'Normal',
        reason: 'Scheduled',
        message: `Successfully assigned data/mysql-0 to ${nodeName(2)}`,
        kind: 'Pod',
        name: 'mysql-0',
        lastSecondsAgo: 42 * MIN,
        component: 'default-scheduler',
      }),
      eventOf({
        namespace: 'data',
        type: 'Normal',
        reason: 'SuccessfulAttachVolume',
        message: 'AttachVolume.Attach succeeded for volume "pvc-6f1c2a0e-3b7d-4c9e-a1f2-8d4e5b6c7a90"',
        kind: 'Pod',
        name: 'mysql-0',
        lastSecondsAgo: 41 * MIN,
        component: 'attachdetach-controller',
      }),
      registryEvent(MYSQL_BLACKHOLED, 45, 24),
    );
    logs(f, 'json', [...registryFailures('json', () => MYSQL_BLACKHOLED, 24), ...apiWarnings('json', 50)]);
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// The checker's own access
// ---------------------------------------------------------------------------------------------------

export const checkerForbiddenHealthy: Incident = {
  name: 'blind-checker-not-bound',
  cause: 'none',
  alert: 'inactive',
  checker: 'forbidden',
  description:
    "the checker's IAM role has an access entry but k8s/checker-rbac.yaml was never applied: every read is 403 Forbidden for arn:aws:sts::111122223333:assumed-role/tenant-checker-prod/tenant-check, only /livez, /readyz, /healthz (and discovery) answer. The cluster is healthy. The report must say the checker is not allowed, not name a runbook cause, not call the cluster healthy from 3 probes",
  metrics: QUIET,
  fixture: () => {
    const f = eks();
    f.deniedReads = { user: 'arn:aws:sts::111122223333:assumed-role/tenant-checker-prod/tenant-check' };
    return f;
  },
};

export const checkerForbiddenOutage: Incident = {
  name: 'blind-checker-wrong-identity-hides-outage',
  cause: 'none',
  alert: 'inactive',
  checker: 'forbidden',
  description:
    "run from a laptop with an SSO read-only role mapped to no Kubernetes group: every read is 403 Forbidden for arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ReadOnly_5f3c1a2b9d8e7f60/jane.doe@example.com except the health endpoints. Behind it the registry's MySQL really is down (refused connections, DatabaseConnectionFailed), which the checker cannot see: it must say it is not allowed rather than guess a cause or call the cluster healthy",
  metrics: QUIET,
  fixture: () => {
    const f = datasourceDiskFull.fixture();
    f.deniedReads = {
      user: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_ReadOnly_5f3c1a2b9d8e7f60/jane.doe@example.com',
    };
    return f;
  },
};

export const checkerUnreachable: Incident = {
  name: 'blind-checker-endpoint-unreachable',
  cause: 'none',
  alert: 'inactive',
  checker: 'unreachable',
  description:
    'the checker cannot reach the API server at all (the cluster endpoint is private and the checker is outside the VPC: every connection is cut before an answer, /livez included). The cluster itself is healthy. The report must say the checker cannot reach the cluster, never an API server outage',
  metrics: QUIET,
  fixture: () => {
    const f = eks();
    f.faults = [{ path: /.*/, reset: true }];
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------

export const BLIND_INCIDENTS: Incident[] = [
  healthyLoud,
  healthyHistory,
  busy429History,
  busyLeaderHandover,
  alertBlindRbac,
  apiserverUnavailable,
  apiserverThrottling,
  apiserverNetwork,
  apiserverAuth,
  controllerBugPanic,
  controllerBugInvalidStatus,
  controllerCrashFatal,
  controllerCrashPanic,
  exhaustionCpu,
  exhaustionMemory,
  deadlock,
  etcdNoSpace,
  controlPlaneKcm,
  networkNodeImpaired,
  networkKubeProxy,
  dnsCorefile,
  dnsOverloaded,
  rbacBindingDeleted,
  admissionGatekeeper,
  admissionNoEndpoints,
  quotaMemory,
  capacityAutoscalerMax,
  storageCsiDown,
  storageVolumeLimit,
  schedulingTaint,
  datasourceDiskFull,
  datasourceAccessDenied,
  externalSlowRds,
  externalVitess,
  externalDnsRds,
  externalDnsExternalName,
  netpolDefaultDeny,
  netpolStaleCidr,
  checkerForbiddenHealthy,
  checkerForbiddenOutage,
  checkerUnreachable,
];
