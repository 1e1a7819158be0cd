/**
 * Plain snapshots for the checks' unit tests: a healthy cluster read in full, as plain objects, with
 * helpers to change what an incident changes. No simulator, no I/O: a judgement is tested as a
 * function of what was collected.
 */
import type { ErrorPattern, LogSummary } from '../../lambda/model/logs.js';
import type { MetricsEvaluation } from '../../lambda/model/metrics.js';
import type { ClusterSnapshot, OperatorContainer, OperatorPod } from '../../lambda/model/snapshot.js';
import { failed, type SourceError, succeeded } from '../../lambda/model/source.js';
import { OPERATOR_PRESETS } from '../../lambda/presets.js';

/** The instant every plain snapshot is evaluated at, and offsets from it. */
export const AT = new Date(Math.floor(Date.now() / 60_000) * 60_000);
export const before = (seconds: number) => new Date(AT.getTime() - seconds * 1000).toISOString();

export function summary(patterns: ErrorPattern[] = [], extra: Partial<LogSummary> = {}): LogSummary {
  const reconcileErrors = patterns.reduce((n, p) => n + p.reconcileErrors, 0);
  return {
    lines: 500,
    entries: 500,
    byLevel: { debug: 0, info: 450, warn: 0, error: reconcileErrors, panic: 0, fatal: 0, unknown: 0 },
    reconcileErrors,
    reconcileOther: 400,
    tags: {},
    patterns,
    firstTime: before(3600),
    lastTime: before(10),
    ...extra,
  };
}

/** A pattern of `count` "Reconciler error" entries with this error, for `subjects` tenants, over the last `minutes`. */
export function reconcileErrors(
  count: number,
  error: string,
  options: {
    subjects?: number;
    firstSecondsAgo?: number;
    lastSecondsAgo?: number;
    reconcile?: boolean;
    level?: ErrorPattern['level'];
  } = {},
): ErrorPattern {
  const reconcile = options.reconcile ?? true;
  return {
    pattern: `Reconciler error: ${error}`,
    count,
    level: options.level ?? 'error',
    controller: 'tenant',
    tags: [],
    example: `${before(60)}\tERROR\tReconciler error\t{"error":"${error}"}`,
    sample: `${reconcile ? 'Reconciler error' : 'Failed'}: ${error}`,
    firstSeen: before(options.firstSecondsAgo ?? 1800),
    lastSeen: before(options.lastSecondsAgo ?? 30),
    reconcileErrors: reconcile ? count : 0,
    subjects: options.subjects ?? Math.min(count, 40),
  };
}

export function container(overrides: Partial<OperatorContainer> = {}): OperatorContainer {
  return {
    name: 'manager',
    ready: true,
    restartCount: 0,
    current: { state: 'running', startedAt: before(2 * 86_400) },
    requests: { cpu: 0.01, memory: 64 * 2 ** 20 },
    limits: { cpu: 0.5, memory: 128 * 2 ** 20 },
    ...overrides,
  };
}

export function pod(overrides: Partial<OperatorPod> = {}): OperatorPod {
  return {
    name: 'tenant-operator-controller-manager-7d9f8b6c5d-x7k2p',
    phase: 'Running',
    ready: true,
    nodeName: 'ip-10-0-1-10.eu-west-1.compute.internal',
    startTime: before(2 * 86_400),
    containers: [container()],
    ...overrides,
  };
}

export function metrics(overrides: Partial<MetricsEvaluation> = {}): MetricsEvaluation {
  return {
    source: 'prometheus',
    evaluatedAt: AT.toISOString(),
    threshold: 0.1,
    forSeconds: 600,
    errorRate: { state: 'ok', value: 0.01 },
    sustained: false,
    reconcilesPerSecond: { state: 'ok', value: 10 },
    errorsPerMinute: { state: 'ok', value: 6 },
    partialFailureShare: { state: 'ok', value: 0 },
    controllerErrorRatio: { state: 'ok', value: 0.01 },
    byController: [],
    startedAt: null,
    ...overrides,
  };
}

/** The metrics of an incident: 20% errors since `onsetSecondsAgo`, sustained. */
export function firingMetrics(
  onsetSecondsAgo = 35 * 60,
  overrides: Partial<MetricsEvaluation> = {},
): MetricsEvaluation {
  return metrics({
    errorRate: { state: 'ok', value: 0.2 },
    sustained: true,
    errorsPerMinute: { state: 'ok', value: 120 },
    startedAt: before(onsetSecondsAgo),
    ...overrides,
  });
}

const ok = <T>(data: T) => succeeded(data, 5);

/** A healthy cluster, read in full. */
export function healthySnapshot(overrides: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  const operator = OPERATOR_PRESETS['tenant-operator'];
  return {
    cluster: 'prod-eks-1',
    server: 'https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
    collectedAt: AT.toISOString(),
    operator,
    elapsedMs: 800,
    budgetMs: 60_000,
    operatorPods: ok({
      selector: operator.podSelector,
      pods: [pod()],
      runbookSelector: { selector: 'app=tenant-operator', matched: 0 },
    }),
    podMetrics: ok([{ pod: pod().name, container: 'manager', usage: { cpu: 0.04, memory: 70 * 2 ** 20 } }]),
    operatorLogs: ok({ tailLines: 500, streams: [], unread: [], summary: summary() }),
    operatorDeployment: ok({
      name: operator.deployment,
      replicas: { desired: 1, ready: 1, available: 1, updated: 1 },
      image: 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.4',
      args: ['--leader-elect', '--metrics-bind-address=:8443', '--tenant-concurrency=10'],
      flags: { 'leader-elect': 'true', 'metrics-bind-address': ':8443', 'tenant-concurrency': '10' },
      concurrency: { tenant: 10 },
      kubeApi: {},
      envNames: [],
      requests: { cpu: 0.01, memory: 64 * 2 ** 20 },
      limits: { cpu: 0.5, memory: 128 * 2 ** 20 },
      conditions: [{ type: 'Available', status: 'True' }],
      replicaSets: [],
    }),
    apiServerHealth: ok({
      probes: [
        { path: '/livez', status: 200, body: 'ok', elapsedMs: 12, failedChecks: [] },
        { path: '/readyz', status: 200, body: 'ok', elapsedMs: 14, failedChecks: [] },
      ],
    }),
    apiServerMetrics: ok({
      text: '',
      requestsByCode: { '200': 100_000 },
      flowControlRejected: 0,
      inflight: {},
    }),
    tenants: ok({
      kind: 'Tenant',
      total: 40,
      byReady: { True: 40, False: 0, Unknown: 0, Missing: 0 },
      degraded: 0,
      conflicted: 0,
      notReady: [],
      notReadyByReason: {},
      namespaces: 4,
      pages: 1,
    }),
    registries: ok([
      {
        namespace: 'tenant-operator-system',
        name: 'customers',
        desired: 40,
        ready: 40,
        failed: 0,
        readyCondition: { status: 'True', reason: 'DatabaseConnected' },
        datasource: {
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
        },
      },
    ]),
    templates: ok([{ namespace: 'tenant-operator-system', name: 'web', ready: 'True' }]),
    rbacChecks: ok({
      user: `system:serviceaccount:${operator.namespace}:${operator.serviceAccount}`,
      checks: [],
    }),
    nodes: ok({
      nodes: [1, 2, 3].map((i) => ({
        name: `ip-10-0-1-${10 + i}.eu-west-1.compute.internal`,
        ready: 'True',
        pressures: [],
        unschedulable: false,
        allocatable: { cpu: 4, memory: 16 * 2 ** 30, pods: 58 },
        requested: { cpu: 2, memory: 8 * 2 ** 30, pods: 20 },
      })),
      listElapsedMs: 40,
      podsCounted: 60,
    }),
    resourceQuotas: ok({ quotas: 0, nearLimit: [], atLimit: 0 }),
    networkPolicies: ok([]),
    events: ok({ recent: [], warningsByReason: {}, total: 0, truncated: false }),
    kubeSystem: ok({
      pods: [
        { name: 'coredns-5d8f7-abcde', app: 'kube-dns', phase: 'Running', ready: true, restartCount: 0 },
        { name: 'coredns-5d8f7-fghij', app: 'kube-dns', phase: 'Running', ready: true, restartCount: 0 },
        { name: 'aws-node-x1', app: 'aws-node', phase: 'Running', ready: true, restartCount: 0 },
        { name: 'kube-proxy-x1', app: 'kube-proxy', phase: 'Running', ready: true, restartCount: 0 },
      ],
      dnsEndpoints: { ready: 2, notReady: 0 },
    }),
    metrics: ok(metrics()),
    ...overrides,
  };
}

/** The source failed as the checker saw it. */
export function unreadable(error: SourceError) {
  return failed<never>(error, 5);
}

/** The snapshot with these log patterns. */
export function withLogs(snapshot: ClusterSnapshot, patterns: ErrorPattern[]): ClusterSnapshot {
  return {
    ...snapshot,
    operatorLogs: ok({ tailLines: 500, streams: [], unread: [], summary: summary(patterns) }),
  };
}
