/**
 * Blind incidents, second set: written blind on 2026-12-01, before the checker was run on them, without
 * reading the checker's judging code (lambda/checks, lambda/alert, lambda/model/error-text.ts, the cycle,
 * the reports, the log parser, the CLI) nor the scenario tests. Sources: the runbook
 * (seed/reconciliation-errors-runbook.md), DESIGN.md and issue 15 (the classes of mistakes diagnosis tools
 * make); the operator's real source (reference/tenant-operator: internal/controller, internal/status,
 * internal/datasource, internal/readiness, cmd/main.go, its manifests) for its log lines, event reasons,
 * condition reasons and error strings; the simulator's fixture builders (sim/kube) and the first blind set
 * (sim/incidents/blind.ts), whose helpers these reuse; and the messages the components involved really
 * print: Go's runtime, net package and resolver, go-sql-driver/mysql and MySQL 8.0/8.4, client-go (the
 * client rate limiter, reflector, leader election, HandleCrash), controller-runtime, kube-apiserver and
 * etcd, kube-scheduler, Karpenter, the EBS and EFS CSI drivers, CoreDNS and NodeLocal DNSCache, Kyverno,
 * External Secrets, the VPC CNI.
 *
 * Every incident starts from blind.ts's production-like EKS cluster and changes what its failure changes.
 * The error episode starts 40 minutes before the evaluation instant. Each description names the decoys.
 * None repeats a failure of the library or of the first blind set: the causes are the runbook's, the
 * mechanisms are new (a MySQL out of connections, a Service selector typo, an egress rule on a namespace
 * label that does not exist, NodeLocal DNSCache down, a Route 53 private zone detached, a SaaS API behind
 * the templates, a LimitRange's defaults against a quota, a topology spread constraint, a gp3 class whose
 * KMS key the driver may not use, ...).
 *
 * First run of the checker on them (commit 40e1581 and after, 2026-12-01): 29 of 37 right (the Lynq
 * incident left out: the harness does not backfill Lynq's metric names yet). Missed:
 * busy-noisy-ci-namespace, etcd-apply-backlog, external-dns-partner-servfail,
 * external-saas-onboarding-job, external-secrets-manager-slow, netpol-egress-namespace-label,
 * netpol-mysql-ingress-same-namespace, network-az-partition.
 */

import type { CauseId } from '../../lambda/model/causes.js';
import {
  ago,
  configMap,
  DATASOURCE,
  endpointsFor,
  event,
  eventOf,
  healthyCluster,
  klogTime,
  lease,
  networkPolicy,
  node,
  operatorNames,
  persistentVolumeClaim,
  pod,
  quota,
  serviceObject,
  storageClass,
  tenant,
  webhookConfiguration,
  workload,
  workloadPod,
} from '../kube/fixtures.js';
import type { ClusterFixture, KubeObject } from '../kube/server.js';
import { ALERT_BLIND_RATES, BASELINE_RATES, exposition } from '../metrics/scenarios.js';
import {
  APISERVER,
  apiserverMetrics,
  apiWarnings,
  applyFailed,
  awsNodePod,
  CONTROL_PLANE_ENIS,
  COREDNS_BANNER,
  COREDNS_PODS,
  COREFILE,
  corednsAddress,
  corednsPod,
  corednsRestartedDaysAgo,
  DAY,
  daemonPod,
  type Enc,
  eks,
  everyday,
  fillNodes,
  find,
  flappingNode,
  GROUP,
  HOUR,
  hex,
  KUBE_DNS,
  klog,
  kubeDnsEndpoints,
  LEASE,
  type Line,
  logs,
  MIN,
  MYSQL_HOST,
  MYSQL_VIP,
  mysqlEndpoints,
  mysqlOutageSixHoursAgo,
  mysqlPod,
  nodeName,
  OLD_429_TOTALS,
  ONSET,
  OP_IP,
  OP_NODE,
  oneTenantRenderLoop,
  oomKilledThreeDaysAgo,
  operatorPodWith,
  operatorRollout,
  operatorUsage,
  pendingTenantPod,
  permissiveOperatorEgress,
  processStart,
  put,
  pvcPending,
  QUIET,
  quotaLiftedBeforeOnset,
  REGISTRY,
  rc,
  reconcilerError,
  registryEvent,
  registryFailures,
  registryState,
  registrySyncFailed,
  replaceOperatorPod,
  SA,
  SA_USER,
  setLogs,
  setOperatorLimits,
  spread,
  startup,
  statusFrozenSince,
  statusUpdateFailed,
  type TenantRef,
  templateAddsVolume,
  tenantAt,
  tenantEvent,
  tenantsNotReady,
  text,
  uuid,
  zap,
} from './blind.js';
import { FIRING, firing, type Incident, NS, POD } from './library.js';

// ---------------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------------

const CONFLICT = (t: TenantRef) =>
  `Operation cannot be fulfilled on tenants.${GROUP} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`;

/** A few optimistic-lock conflicts spread over the hour (the everyday noise of a busy operator). */
const conflicts = (enc: Enc, count: number, from = 3200, to = 30): Line[] =>
  spread(count, from, to, (at, i) =>
    reconcilerError(enc, at, 'Tenant', tenantAt(i * 7 + 3), CONFLICT(tenantAt(i * 7 + 3))),
  );

/** The operator's debug "Resource not ready" for these tenants' app Deployments (status-only reconciles). */
const notReadyLines = (
  enc: Enc,
  indices: number[],
  count: number,
  from = ONSET - 40,
  to = 5,
  id = 'app',
): Line[] =>
  spread(count, from, to, (at, i) => {
    const t = tenantAt(indices[i % indices.length] ?? 0);
    return zap(enc, at, 'debug', 'Resource not ready', {
      ...rc('Tenant', t, at),
      id,
      name: `${t.name}-${id}`,
    });
  });

/** Tenant pods the scheduler cannot place, each with its FailedScheduling event (and the autoscaler's word). */
function unschedulable(
  f: ClusterFixture,
  indices: number[],
  message: string,
  options: { scaleUp?: { component: string; reason: string; message: string }; count?: number } = {},
) {
  for (const i of indices) {
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
        lastSecondsAgo: 20 + i * 3,
        firstSecondsAgo: ONSET - 60,
        count: options.count ?? 21,
        component: 'default-scheduler',
      }),
    );
    if (options.scaleUp) {
      put(
        f,
        eventOf({
          namespace: p.metadata.namespace ?? '',
          type: 'Normal',
          reason: options.scaleUp.reason,
          message: options.scaleUp.message,
          kind: 'Pod',
          name: p.metadata.name,
          lastSecondsAgo: 35 + i * 3,
          firstSecondsAgo: ONSET - 50,
          count: 19,
          component: options.scaleUp.component,
        }),
      );
    }
  }
}

/** The ReplicaSet controller's FailedCreate for a tenant's app (quota, admission of pods). */
const replicaSetFailedCreate = (t: TenantRef, message: string, lastSecondsAgo: number, count = 18) =>
  eventOf({
    namespace: t.namespace,
    type: 'Warning',
    reason: 'FailedCreate',
    message,
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    name: `${t.name}-app-7f9c6d5b8`,
    lastSecondsAgo,
    firstSecondsAgo: ONSET - 50,
    count,
    component: 'replicaset-controller',
  });

/** A TenantTemplate change delivered by Argo CD (the operator's own templates are GitOps-managed here). */
const templateChanged = (message: string, secondsAgo: number) =>
  eventOf({
    namespace: 'tenants-0',
    type: 'Normal',
    reason: 'Updated',
    message: `TenantTemplate web-app updated: ${message}`,
    kind: 'TenantTemplate',
    apiVersion: `${GROUP}/v1`,
    name: 'web-app',
    lastSecondsAgo: secondsAgo,
    component: 'argocd-application-controller',
  });

/** "Template application completed with failures" after a failed apply, as the operator logs it. */
const appliedWithFailures = (enc: Enc, at: number, t: TenantRef, failed: number, generation = '12'): Line =>
  zap(
    enc,
    at,
    'error',
    'Template application completed with failures',
    {
      ...rc('Tenant', t, at),
      tenant: t.name,
      template: 'web-app',
      generation,
      changed: 0,
      ready: 3 - failed,
      failed,
      total: 3,
    },
    { stack: true },
  );

const applyPartialEvent = (
  t: TenantRef,
  failed: number,
  lastSecondsAgo: number,
  count = 30,
  generation = '12',
) =>
  tenantEvent(
    t,
    'TemplateAppliedPartial',
    `Applied TenantTemplate 'web-app' (generation: ${generation}) with partial success. Changed: 0, Ready: ${3 - failed}, Failed: ${failed} out of 3 total resources. Registry: customers, Tenant UID: ${t.name}. Failed resources require attention.`,
    lastSecondsAgo,
    count,
  );

const range = (count: number, make: (i: number) => number) =>
  Array.from({ length: count }, (_, i) => make(i));

/** The pod metrics path the operator's /metrics is scraped through (HTTPS 8443 via the API server's pod proxy). */
const metricsPath = (podName: string) => `/api/v1/namespaces/${NS}/pods/https:${podName}:8443/proxy/metrics`;

// ---------------------------------------------------------------------------------------------------
// Healthy and busy
// ---------------------------------------------------------------------------------------------------

const healthyRollout: Incident = {
  name: 'blind2-healthy-rollout-in-progress',
  cause: 'none',
  alert: 'inactive',
  description:
    'an operator upgrade (v1.1.8 -> v1.1.9, two replicas for the rollout, maxSurge 1) is in progress: the new pod started 70 s ago, is not ready yet (readiness probe refused while it starts) and waits for the leader lease, which the old pod still holds and renews; the old pod reconciles as usual (1% errors, conflicts). Decoys: the Unhealthy events of the new pod, two ReplicaSets with pods, the new pod\'s repeated "attempting to acquire leader lease", a Deployment with unavailable replicas',
  metrics: QUIET,
  fixture: () => {
    const f = eks();
    operatorRollout(f, {
      hash: '59c7d4f8b6',
      revision: 4,
      secondsAgo: 75,
      image: 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.9',
    });
    // Mid-rollout: the old ReplicaSet still has its pod, the new one has one that is not ready.
    f.objects = f.objects.map((o) => {
      if (o.kind === 'ReplicaSet' && o.metadata.name.endsWith('7d9f8b6c5d'))
        return {
          ...o,
          spec: { ...(o.spec as object), replicas: 1 },
          status: { replicas: 1, readyReplicas: 1 },
        };
      if (o.kind === 'ReplicaSet' && o.metadata.name.endsWith('59c7d4f8b6'))
        return { ...o, status: { replicas: 1, readyReplicas: 0 } };
      if (o.kind === 'Deployment' && o.metadata.name === 'tenant-operator-controller-manager')
        return {
          ...o,
          status: {
            replicas: 2,
            readyReplicas: 1,
            availableReplicas: 1,
            updatedReplicas: 1,
            unavailableReplicas: 1,
            observedGeneration: 4,
            conditions: [
              {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                message: 'Deployment has minimum availability.',
                lastUpdateTime: ago(30 * DAY),
                lastTransitionTime: ago(30 * DAY),
              },
              {
                type: 'Progressing',
                status: 'True',
                reason: 'ReplicaSetUpdated',
                message: 'ReplicaSet "tenant-operator-controller-manager-59c7d4f8b6" is progressing.',
                lastUpdateTime: ago(75),
                lastTransitionTime: ago(75),
              },
            ],
          },
        };
      return o;
    });
    const next = operatorPodWith(
      { ready: false, state: { running: { startedAt: ago(70) } } },
      { createdSecondsAgo: 75, hash: '59c7d4f8b6', suffix: 'b8d2k' },
    );
    const nextSpec = next.spec as { containers: { image: string }[]; nodeName: string };
    if (nextSpec.containers[0])
      nextSpec.containers[0].image = 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.9';
    nextSpec.nodeName = nodeName(2);
    const nextStatus = next.status as { podIP: string };
    nextStatus.podIP = '10.0.2.87';
    put(
      f,
      next,
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled up replica set tenant-operator-controller-manager-59c7d4f8b6 to 1',
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        name: 'tenant-operator-controller-manager',
        lastSecondsAgo: 75,
        component: 'deployment-controller',
      }),
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'Pulling',
        message: 'Pulling image "ghcr.io/kubernetes-tenants/tenant-operator:v1.1.9"',
        kind: 'Pod',
        name: next.metadata.name,
        lastSecondsAgo: 74,
        component: 'kubelet',
        host: nodeName(2),
      }),
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'Started',
        message: 'Started container manager',
        kind: 'Pod',
        name: next.metadata.name,
        lastSecondsAgo: 70,
        component: 'kubelet',
        host: nodeName(2),
      }),
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'Unhealthy',
        message:
          'Readiness probe failed: Get "http://10.0.2.87:8081/readyz": dial tcp 10.0.2.87:8081: connect: connection refused',
        kind: 'Pod',
        name: next.metadata.name,
        lastSecondsAgo: 52,
        firstSecondsAgo: 66,
        count: 2,
        component: 'kubelet',
        host: nodeName(2),
      }),
    );
    logs(f, 'console', [...conflicts('console', 16), ...apiWarnings('console', 20)]);
    const waiting: Line[] = [
      ...startup('console', 68).filter(
        (l) => !/successfully acquired|Starting (EventSource|Controller|workers)|Status manager/.test(l.text),
      ),
    ];
    f.logs = {
      ...f.logs,
      [`${NS}/${next.metadata.name}/manager`]: text(waiting),
    };
    // The waiting pod serves its metrics too: controller-runtime's, with nothing reconciled yet.
    f.raw = {
      ...f.raw,
      [metricsPath(next.metadata.name)]: {
        body: exposition(
          {
            name: 'standby',
            phases: [{ from: -70, rates: {} }],
            absent: true,
            expected: { verdict: 'ok', blind: false },
          },
          0,
        ),
        contentType: 'text/plain; version=0.0.4',
      },
    };
    put(f, {
      apiVersion: 'metrics.k8s.io/v1beta1',
      kind: 'PodMetrics',
      metadata: {
        name: next.metadata.name,
        namespace: NS,
        labels: next.metadata.labels,
        creationTimestamp: ago(0),
      },
      timestamp: ago(0),
      window: '15s',
      containers: [{ name: 'manager', usage: { cpu: '12m', memory: '38Mi' } }],
    });
    return f;
  },
};

const healthyOldIncidents: Incident = {
  name: 'blind2-healthy-old-incidents',
  cause: 'none',
  alert: 'inactive',
  description:
    'healthy now, after a bad night: the manager panicked 26 hours ago (its previous log ends in a nil-pointer panic; 1 restart), MySQL ran out of connections 3 hours ago for 9 minutes ("Error 1040 (08004): Too many connections" still in the current log and in a DatabaseQueryFailed event last seen 2h51m ago), an EBS volume failed to provision 5 hours ago (ProvisioningFailed, since bound), a FailedScheduling from 4 hours ago; everything has been green since. JSON logs. Decoys: all of it is history, with the registry counting 40 ready',
  metrics: QUIET,
  fixture: () => {
    const f = eks({ enc: 'json' });
    put(
      f,
      operatorPodWith(
        {
          restartCount: 1,
          state: { running: { startedAt: ago(26 * HOUR - 8) } },
          lastState: {
            terminated: {
              reason: 'Error',
              exitCode: 2,
              startedAt: ago(6 * DAY),
              finishedAt: ago(26 * HOUR - 2),
            },
          },
        },
        { createdSecondsAgo: 6 * DAY },
      ),
      registryEvent(
        'failed to query tenants: Error 1040 (08004): Too many connections',
        2 * HOUR + 51 * MIN,
        11,
        3 * HOUR,
      ),
      eventOf({
        namespace: 'tenants-2',
        type: 'Warning',
        reason: 'ProvisioningFailed',
        message:
          'failed to provision volume with StorageClass "gp3": rpc error: code = DeadlineExceeded desc = context deadline exceeded',
        kind: 'PersistentVolumeClaim',
        name: 'customer-00010-data',
        lastSecondsAgo: 5 * HOUR,
        firstSecondsAgo: 5 * HOUR + 120,
        count: 3,
        component: 'ebs.csi.aws.com_ebs-csi-controller-7c9d8-abcde_0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
      }),
      persistentVolumeClaim({
        namespace: 'tenants-2',
        name: 'customer-00010-data',
        storageClassName: 'gp3',
        request: '20Gi',
        phase: 'Bound',
        volumeName: 'pvc-0d1e2f3a-4b5c-4d6e-8f9a-0b1c2d3e4f5a',
        provisioner: 'ebs.csi.aws.com',
        createdSecondsAgo: 5 * HOUR + 130,
      }),
      eventOf({
        namespace: 'tenants-1',
        type: 'Warning',
        reason: 'FailedScheduling',
        message:
          '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
        kind: 'Pod',
        name: 'customer-00005-app-5d8f7c9b4-k2mzq',
        lastSecondsAgo: 4 * HOUR,
        firstSecondsAgo: 4 * HOUR + 200,
        count: 5,
        component: 'default-scheduler',
      }),
    );
    const night: Line[] = spread(9, 3 * HOUR, 2 * HOUR + 51 * MIN, (at) =>
      registrySyncFailed('json', at, 'failed to query tenants: Error 1040 (08004): Too many connections'),
    );
    setLogs(
      f,
      [...everyday('json', { from: 3 * HOUR + 300, every: 12 }), ...night, ...conflicts('json', 10)],
      [
        ...everyday('json', { from: 26 * HOUR + 600, to: 26 * HOUR, every: 10 }),
        {
          at: 26 * HOUR - 1,
          text: [
            'panic: runtime error: invalid memory address or nil pointer dereference',
            '[signal SIGSEGV: segmentation violation code=0x1 addr=0x30 pc=0x1b2c3d4]',
            '',
            'goroutine 1874 [running]:',
            'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantRegistryReconciler).updateStatus.func1()',
            '\t/workspace/internal/controller/tenantregistry_controller.go:931 +0x64',
            'created by github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantRegistryReconciler).updateStatus in goroutine 1201',
            '\t/workspace/internal/controller/tenantregistry_controller.go:925 +0x1d8',
          ].join('\n'),
        },
      ],
    );
    return f;
  },
};

const NOISY_NS = 'ci-runners';

const busyNoisyNamespace: Incident = {
  name: 'blind2-busy-noisy-ci-namespace',
  cause: 'none',
  alert: 'inactive',
  description:
    'the operator is busy and well (60 reconciles/s, 1.2% errors, all optimistic-lock conflicts), while an unrelated CI namespace is on fire: runner pods crash-looping, its quota exhausted (FailedCreate "exceeded quota"), its cache claims failing to provision on a class whose provisioner is not installed, runners that no node can fit, evictions under ephemeral-storage pressure: hundreds of Warning events, none about tenants. Decoys: every runbook symptom, in the wrong namespace',
  metrics: {
    phases: [
      {
        from: -3600,
        rates: { success: 59.3, error: 0.7, crTotal: 60, crErrors: 0.7, rest200: 130, workqueueDepth: 12 },
      },
    ],
  },
  fixture: () => {
    const f = eks();
    const ns = NOISY_NS;
    put(
      f,
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: ns,
          labels: { 'kubernetes.io/metadata.name': ns },
          creationTimestamp: ago(90 * DAY),
        },
        status: { phase: 'Active' },
      },
      quota(
        ns,
        'ci-compute',
        { 'requests.cpu': '24', 'requests.memory': '48Gi', pods: '60' },
        { 'requests.cpu': '24', 'requests.memory': '41Gi', pods: '55' },
      ),
      storageClass({
        name: 'local-nvme',
        provisioner: 'local.csi.openebs.io',
        volumeBindingMode: 'WaitForFirstConsumer',
      }),
      ...range(8, (i) => i).map((i) =>
        pod({
          namespace: ns,
          name: `runner-${hex(`r${i}`, 5).replace(/[0-9]/g, 'x')}`,
          labels: { app: 'gitlab-runner' },
          owner: { kind: 'ReplicaSet', name: 'runner-6b5c4d7f8' },
          nodeName: nodeName((i % 3) + 1),
          podIP: `10.0.${(i % 3) + 1}.${150 + i}`,
          createdSecondsAgo: 5 * HOUR,
          containers: [
            {
              name: 'runner',
              image: 'registry.gitlab.com/gitlab-org/gitlab-runner:v17.5.1',
              requests: { cpu: '2', memory: '4Gi' },
              ready: false,
              restartCount: 40 + i,
              state: {
                waiting: {
                  reason: 'CrashLoopBackOff',
                  message: 'back-off 5m0s restarting failed container=runner',
                },
              },
              lastState: {
                terminated: { reason: 'Error', exitCode: 1, startedAt: ago(200), finishedAt: ago(190) },
              },
            },
          ],
        }),
      ),
      ...[
        [
          'BackOff',
          'Back-off restarting failed container runner in pod runner-xqxbx',
          'Pod',
          'runner-xqxbx',
          'kubelet',
          1800,
        ],
        [
          'FailedCreate',
          'Error creating: pods "runner-6b5c4d7f8-" is forbidden: exceeded quota: ci-compute, requested: requests.cpu=2, used: requests.cpu=24, limited: requests.cpu=24',
          'ReplicaSet',
          'runner-6b5c4d7f8',
          'replicaset-controller',
          420,
        ],
        [
          'ProvisioningFailed',
          'storageclass.storage.k8s.io "local-nvme" not found',
          'PersistentVolumeClaim',
          'build-cache-0',
          'persistentvolume-controller',
          260,
        ],
        [
          'ExternalProvisioning',
          "Waiting for a volume to be created either by the external provisioner 'local.csi.openebs.io' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
          'PersistentVolumeClaim',
          'build-cache-1',
          'persistentvolume-controller',
          900,
        ],
        [
          'FailedScheduling',
          '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
          'Pod',
          'runner-big-0',
          'default-scheduler',
          300,
        ],
        [
          'Evicted',
          'The node was low on resource: ephemeral-storage. Threshold quantity: 4281718522, available: 3951212Ki. Container runner was using 28134512Ki, request is 0, has larger consumption of ephemeral-storage.',
          'Pod',
          'runner-old-7',
          'kubelet',
          12,
        ],
        [
          'FailedMount',
          'MountVolume.SetUp failed for volume "docker-certs" : secret "runner-docker-certs" not found',
          'Pod',
          'runner-dind-2',
          'kubelet',
          160,
        ],
      ].map(([reason, message, kind, name, component, count], i) =>
        eventOf({
          namespace: ns,
          type: reason === 'ExternalProvisioning' ? 'Normal' : 'Warning',
          reason: String(reason),
          message: String(message),
          kind: String(kind),
          name: String(name),
          lastSecondsAgo: 10 + i * 7,
          firstSecondsAgo: 6 * HOUR,
          count: Number(count),
          component: String(component),
        }),
      ),
    );
    logs(f, 'console', [...conflicts('console', 40, 3200, 10), ...apiWarnings('console', 30)], {
      every: 1.5,
    });
    operatorUsage(f, '210m', '96Mi');
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// Alert-blind
// ---------------------------------------------------------------------------------------------------

const SPREAD_MESSAGE =
  "0/6 nodes are available: 2 node(s) didn't match pod topology spread constraints, 4 node(s) didn't match Pod's node affinity/selector. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.";

const alertBlindTopologySpread: Incident = {
  name: 'blind2-alert-blind-topology-spread',
  cause: 'pod-scheduling',
  alert: 'inactive',
  description:
    'a template change 42 minutes ago gave the tenant app 3 replicas with a zone topology spread constraint (maxSkew 1, minDomains 3, whenUnsatisfiable DoNotSchedule) and a node affinity for the tenant node pool, which has nodes in only two zones: the third replica of every tenant never schedules ("didn\'t match pod topology spread constraints"). The operator\'s applies succeed; reconciles end partial_failure (30%), result="error" stays at 0.5%: the runbook\'s alert is blind. Capacity is ample (nodes at 30%). Decoys: the template change (the trigger), a quota at 88% in tenants-1 (near, not over), a batch pod with Insufficient memory',
  metrics: {
    phases: [
      { from: -3600, rates: BASELINE_RATES },
      { from: -ONSET, rates: { ...ALERT_BLIND_RATES, crErrors: 0.05 } },
    ],
  },
  fixture: () => {
    const f = eks({ nodes: 6 });
    put(
      f,
      ...range(6, (i) => i + 1).map((i) => {
        const n = node(i);
        const zone = i <= 3 ? `eu-west-1${'ab'[i % 2]}` : `eu-west-1${'abc'[i % 3]}`;
        return {
          ...n,
          metadata: {
            ...n.metadata,
            labels: {
              ...n.metadata.labels,
              'topology.kubernetes.io/zone': zone,
              'karpenter.sh/nodepool': i <= 2 ? 'tenants' : 'platform',
            },
          },
        };
      }),
      templateChanged(
        'spec.deployments[0].spec.replicas 1 -> 3, spec.deployments[0].spec.template.spec.topologySpreadConstraints (+1: topology.kubernetes.io/zone, maxSkew 1, minDomains 3, DoNotSchedule)',
        42 * MIN,
      ),
      quota(
        'tenants-1',
        'compute',
        { 'requests.cpu': '16', 'requests.memory': '32Gi', pods: '60' },
        { 'requests.cpu': '14', 'requests.memory': '21Gi', pods: '44' },
      ),
      eventOf({
        namespace: 'batch',
        type: 'Warning',
        reason: 'FailedScheduling',
        message:
          '0/6 nodes are available: 6 Insufficient memory. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod.',
        kind: 'Pod',
        name: 'spark-driver-7f9c2',
        lastSecondsAgo: 75,
        firstSecondsAgo: 2 * HOUR,
        count: 112,
        component: 'default-scheduler',
      }),
    );
    f.objects = f.objects.map((o) =>
      o.kind === 'NodeMetrics' ? { ...o, usage: { cpu: '1150m', memory: '4870Mi' } } : o,
    );
    const failing = range(30, (i) => i + 2);
    tenantsNotReady(f, failing, 'NotAllResourcesReady', 'Not all resources are ready: 2/3 ready');
    unschedulable(f, failing.slice(0, 14), SPREAD_MESSAGE, {
      scaleUp: {
        component: 'karpenter',
        reason: 'FailedScheduling',
        message:
          'Failed to schedule pod, incompatible with nodepool "tenants", daemonset overhead={"cpu":"150m","memory":"170Mi","pods":"3"}, did not tolerate karpenter.sh/disrupted; incompatible with nodepool "platform", did not tolerate dedicated=platform:NoSchedule',
      },
    });
    put(f, ...failing.slice(0, 8).map((i) => applyPartialEvent(tenantAt(i), 1, 60 + i * 11, 24, '14')));
    const lines: Line[] = [
      ...spread(44, ONSET - 30, 10, (at, i) => {
        const t = tenantAt(failing[i % failing.length] ?? 2);
        return [
          zap('console', at + 0.5, 'info', 'Using full reconcile path', {
            ...rc('Tenant', t, at),
            tenant: t.name,
            generation: 9,
            observedGeneration: 8,
          }),
          zap('console', at + 0.1, 'debug', 'Resource not ready yet, will check again in next reconcile', {
            ...rc('Tenant', t, at),
            id: 'app',
            name: `${t.name}-app`,
          }),
          appliedWithFailures('console', at, t, 1, '14'),
        ];
      }),
      ...notReadyLines('console', failing, 150),
    ];
    logs(f, 'console', lines, { every: 8 });
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// API server
// ---------------------------------------------------------------------------------------------------

const UNAVAILABLE = (what: string) => `the server is currently unable to handle the request (${what})`;

const apiserverCrdFlood: Incident = {
  name: 'blind2-apiserver-crd-flood',
  cause: 'apiserver-unavailable',
  alert: 'firing',
  description:
    'a Crossplane AWS provider family installed 44 minutes ago registered ~900 CRDs; the API servers rebuild their OpenAPI and discovery for each, run out of memory and restart (process started 9 minutes ago), /readyz fails on informer-sync and crd-informer-synced, and requests get 503 "the server is currently unable to handle the request", GOAWAY and lost HTTP/2 connections. Decoys: client-side throttling waits of the operator\'s REST mapper re-discovering the new groups (a throttling lookalike), one tenant\'s template render error repeated more often than anything else',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    f.raw = {
      ...f.raw,
      '/readyz': {
        status: 500,
        body: '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[-]informer-sync failed: reason withheld\n[+]poststarthook/start-apiextensions-informers ok\n[+]poststarthook/start-apiextensions-controllers ok\n[-]poststarthook/crd-informer-synced failed: reason withheld\n[+]poststarthook/apiservice-openapi-controller ok\n[+]poststarthook/apiservice-openapiv3-controller ok\nreadyz check failed\n',
      },
    };
    apiserverMetrics(f, [
      'apiserver_request_total{code="503",component="apiserver",dry_run="",group="operator.kubernetes-tenants.org",resource="tenants",scope="namespace",subresource="status",verb="UPDATE",version="v1"} 3108',
      'apiserver_request_total{code="503",component="apiserver",dry_run="",group="apps",resource="deployments",scope="namespace",subresource="",verb="PATCH",version="v1"} 2214',
      'apiserver_current_inflight_requests{request_kind="readOnly"} 400',
      'apiserver_current_inflight_requests{request_kind="mutating"} 187',
      '# TYPE apiserver_storage_objects gauge',
      'apiserver_storage_objects{resource="customresourcedefinitions.apiextensions.k8s.io"} 1043',
      processStart(9 * MIN),
    ]);
    put(
      f,
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'crossplane-system',
          labels: { 'kubernetes.io/metadata.name': 'crossplane-system' },
          creationTimestamp: ago(120 * DAY),
        },
        status: { phase: 'Active' },
      },
      workload({
        kind: 'Deployment',
        namespace: 'crossplane-system',
        name: 'upbound-provider-family-aws-5c1e9b0d7a42',
        labels: { 'pkg.crossplane.io/provider': 'provider-family-aws' },
        replicas: 1,
        ready: 1,
        createdSecondsAgo: 44 * MIN,
      }),
      ...['provider-aws-ec2', 'provider-aws-rds', 'provider-aws-iam', 'provider-aws-s3'].map((p, i) =>
        eventOf({
          namespace: 'default',
          objectNamespace: null,
          type: 'Normal',
          reason: 'InstallPackageRevision',
          message: 'Successfully installed package revision',
          kind: 'ProviderRevision',
          apiVersion: 'pkg.crossplane.io/v1',
          name: `upbound-${p}-${hex(p, 12)}`,
          lastSecondsAgo: 44 * MIN - i * 20,
          component: 'packages/providerrevision.pkg.crossplane.io',
        }),
      ),
    );
    const lines: Line[] = [
      ...spread(48, ONSET - 60, 10, (at, i) => {
        const t = tenantAt(i * 3 + 1);
        switch (i % 4) {
          case 0:
            return statusUpdateFailed('console', at, t, UNAVAILABLE(`put tenants.${GROUP} ${t.name}`));
          case 1:
            return applyFailed(
              'console',
              at,
              t,
              'app',
              `failed to apply resource: ${UNAVAILABLE(`patch deployments.apps ${t.name}-app`)}`,
            );
          case 2:
            return klog(
              'W',
              at,
              'reflector.go:561',
              `k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: failed to list *v1.Tenant: stream error when reading response body, may be caused by closed connection. Please retry. Original error: stream error: stream ID ${1400 + i * 2}; INTERNAL_ERROR; received from peer`,
            );
          default:
            return statusUpdateFailed(
              'console',
              at,
              t,
              `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${t.namespace}/tenants/${t.name}/status": http2: client connection lost`,
            );
        }
      }),
      ...spread(30, ONSET - 80, 20, (at, i) =>
        klog(
          'I',
          at,
          'request.go:697',
          `Waited for ${(1.01 + (i % 4) * 0.22).toFixed(2)}s due to client-side throttling, not priority and fairness, request: GET:https://${APISERVER}:443/apis/${['ec2', 'rds', 'iam', 's3', 'elasticache', 'kms'][i % 6]}.aws.upbound.io/v1beta1`,
        ),
      ),
      ...oneTenantRenderLoop('console', 110),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

const RATE_LIMITER =
  'client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline';

const apiserverClientLimiter: Incident = {
  name: 'blind2-apiserver-client-rate-limiter',
  cause: 'apiserver-throttling',
  alert: 'firing',
  description:
    "the registry grew to 480 tenants and a template change 41 minutes ago makes every tenant re-apply; the manager's client is held at controller-runtime's default 20 QPS (burst 30): client-side throttling waits grow to 20-40 s, and the status manager's 5 s batches fail with \"client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline\". The API server itself is fine: no 429, no APF rejections, p95 low. Decoys: the manager's CPU at 430m of 500m (busy, not starved: no restarts, probes pass), a metrics-server discovery error from 2 hours ago (an API server lookalike), conflicts",
  metrics: firing({ rest200: 20, workqueueDepth: 480 }),
  fixture: () => {
    const f = eks({ tenants: 480 });
    registryState(f, 'connected', { tenants: 480 });
    operatorUsage(f, '430m', '118Mi');
    apiserverMetrics(f, [
      '# TYPE apiserver_flowcontrol_rejected_requests_total counter',
      'apiserver_flowcontrol_rejected_requests_total{flow_schema="service-accounts",priority_level="workload-low",reason="queue-full"} 0',
      'apiserver_flowcontrol_current_inqueue_requests{flow_schema="service-accounts",priority_level="workload-low"} 0',
      processStart(33 * DAY),
    ]);
    put(
      f,
      templateChanged(
        'spec.deployments[0].spec.template.metadata.annotations (+1: prometheus.io/scrape)',
        41 * MIN,
      ),
    );
    const lines: Line[] = [
      ...spread(120, ONSET - 40, 4, (at, i) =>
        klog(
          'I',
          at,
          'request.go:697',
          `Waited for ${(4 + (i / 120) * 34 + (i % 3) * 0.41).toFixed(2)}s due to client-side throttling, not priority and fairness, request: ${i % 2 ? 'PATCH' : 'GET'}:https://${APISERVER}:443/apis/apps/v1/namespaces/${tenantAt(i * 5, 480).namespace}/deployments/${tenantAt(i * 5, 480).name}-app${i % 2 ? '?fieldManager=tenant-operator&force=true' : ''}`,
        ),
      ),
      ...spread(60, ONSET - 90, 8, (at, i) =>
        statusUpdateFailed('console', at, tenantAt(i * 11 + 4, 480), RATE_LIMITER),
      ),
      ...spread(6, 2 * HOUR, 2 * HOUR - 30, (at) =>
        klog(
          'E',
          at,
          'memcache.go:265',
          '"Unhandled Error" err="couldn\'t get resource list for metrics.k8s.io/v1beta1: the server is currently unable to handle the request" logger="UnhandledError"',
        ),
      ),
      ...conflicts('console', 18, 3200, 20),
    ];
    logs(f, 'console', lines, { tenants: 480, every: 3 });
    return f;
  },
};

const apiserverSgRule: Incident = {
  name: 'blind2-apiserver-cluster-sg-rule-removed',
  cause: 'apiserver-network',
  alert: 'inactive',
  description:
    'a Terraform change 41 minutes ago removed the rule of the EKS cluster security group that lets the nodes reach the control plane on 443. Security groups are stateful, so established connections lived on until the API servers sent GOAWAY: then the operator could not open a new one (dial tcp 172.20.0.1:443: i/o timeout), lost its lease and exited 31 minutes ago ("leader election lost"); since then it cannot even read its lease and reconciles nothing (the reconcile rate is 0, so the runbook\'s ratio is empty and its alert silent). The kubelet of ip-10-0-2-11 lost its connection too: that node is NotReady (Kubelet stopped posting node status) and its CoreDNS endpoint is not ready; DNS (the other CoreDNS) and MySQL still answer. Decoys: the NotReady node (a node/network-instability lookalike), the operator\'s restart (a crash lookalike), kube-dns at 1 of 2 ready endpoints',
  metrics: {
    phases: [
      { from: -3600, rates: BASELINE_RATES },
      { from: -ONSET, rates: { ...FIRING, error: 3, success: 5 } },
      {
        from: -31 * MIN,
        rates: { success: 0, error: 0, crTotal: 0, crErrors: 0, rest200: 0, workqueueDepth: 0 },
      },
    ],
    resetAt: -31 * MIN,
  },
  fixture: () => {
    const f = eks();
    const n2 = node(2);
    const st = n2.status as { conditions: Record<string, unknown>[] };
    st.conditions = st.conditions.map((c) => ({
      ...c,
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastTransitionTime: ago(33 * MIN),
    }));
    put(
      f,
      {
        ...n2,
        spec: {
          taints: [
            { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: ago(33 * MIN) },
            { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: ago(33 * MIN) },
          ],
        },
      },
      corednsPod(COREDNS_PODS[0] as (typeof COREDNS_PODS)[number], { ready: false }),
      ...kubeDnsEndpoints(
        [corednsAddress(COREDNS_PODS[1] as (typeof COREDNS_PODS)[number])],
        [corednsAddress(COREDNS_PODS[0] as (typeof COREDNS_PODS)[number])],
        33 * MIN,
      ),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'NodeNotReady',
        message: `Node ${nodeName(2)} status is now: NodeNotReady`,
        kind: 'Node',
        name: nodeName(2),
        lastSecondsAgo: 33 * MIN,
        component: 'node-controller',
      }),
      eventOf({
        namespace: 'tenants-1',
        type: 'Normal',
        reason: 'TaintManagerEviction',
        message: 'Marking for deletion Pod tenants-1/web-11-5f6d7c',
        kind: 'Pod',
        name: 'web-11-5f6d7c',
        lastSecondsAgo: 28 * MIN,
        component: 'taint-eviction-controller',
      }),
      operatorPodWith({
        restartCount: 1,
        state: { running: { startedAt: ago(31 * MIN - 3) } },
        lastState: {
          terminated: { reason: 'Error', exitCode: 1, startedAt: ago(2 * DAY), finishedAt: ago(31 * MIN) },
        },
      }),
      lease({
        namespace: NS,
        name: LEASE,
        holder: `${POD}_${uuid('leader')}`,
        renewSecondsAgo: 31 * MIN + 18,
        durationSeconds: 15,
        transitions: 3,
      }),
    );
    const dial = (path: string) =>
      `Get "https://${APISERVER}:443${path}": dial tcp ${APISERVER}:443: i/o timeout`;
    const current: Line[] = [
      ...startup('console', 31 * MIN - 2).filter(
        (l) => !/successfully acquired|Starting (EventSource|Controller|workers)|Status manager/.test(l.text),
      ),
      ...spread(60, 31 * MIN - 40, 6, (at) =>
        klog(
          'E',
          at,
          'leaderelection.go:436',
          `error retrieving resource lock ${NS}/${LEASE}: ${dial(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}?timeout=5s`)}`,
        ),
      ),
    ];
    const previous: Line[] = [
      ...everyday('console', { from: 3300, to: 31 * MIN + 60, every: 8 }),
      ...spread(36, ONSET - 20, 31 * MIN + 30, (at, i) => {
        const t = tenantAt(i * 3 + 2);
        if (i === 0)
          return statusUpdateFailed(
            'console',
            at,
            t,
            `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${t.namespace}/tenants/${t.name}/status": http2: server sent GOAWAY and closed the connection; LastStreamID=4415, ErrCode=NO_ERROR, debug=""`,
          );
        return i % 3 === 0
          ? klog(
              'W',
              at,
              'reflector.go:561',
              `k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: failed to list *v1.Deployment: ${dial('/apis/apps/v1/deployments?resourceVersion=48211734')}`,
            )
          : i % 3 === 1
            ? statusUpdateFailed(
                'console',
                at,
                t,
                `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${t.namespace}/tenants/${t.name}/status": dial tcp ${APISERVER}:443: i/o timeout`,
              )
            : applyFailed(
                'console',
                at,
                t,
                'app',
                `failed to apply resource: Patch "https://${APISERVER}:443/apis/apps/v1/namespaces/${t.namespace}/deployments/${t.name}-app?fieldManager=tenant-operator&force=false": dial tcp ${APISERVER}:443: i/o timeout`,
              );
      }),
      klog(
        'E',
        31 * MIN + 12,
        'leaderelection.go:429',
        `Failed to update lock optimitically: Put "https://${APISERVER}:443/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}?timeout=5s": dial tcp ${APISERVER}:443: i/o timeout, falling back to slow path`,
      ),
      klog(
        'E',
        31 * MIN + 6,
        'leaderelection.go:436',
        `error retrieving resource lock ${NS}/${LEASE}: ${dial(`/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}?timeout=5s`)}`,
      ),
      klog(
        'I',
        31 * MIN + 1,
        'leaderelection.go:297',
        `failed to renew lease ${NS}/${LEASE}: timed out waiting for the condition`,
      ),
      zap(
        'console',
        31 * MIN + 0.9,
        'error',
        'problem running manager',
        { error: 'leader election lost' },
        { logger: 'setup', stack: true },
      ),
    ];
    setLogs(f, current, previous);
    operatorUsage(f, '3m', '41Mi');
    return f;
  },
};

const apiserverLegacyToken: Incident = {
  name: 'blind2-apiserver-auth-legacy-token-invalidated',
  cause: 'apiserver-auth',
  alert: 'firing',
  description:
    'the operator runs with automountServiceAccountToken: false and a long-lived legacy token Secret mounted by hand (from its 2024 install); a security clean-up 41 minutes ago labelled every legacy token Secret kubernetes.io/legacy-token-invalid-since, so the API server rejects that token: every request is 401 Unauthorized (reflectors, status updates, applies, events). RBAC is intact and every access review says yes. Decoys: a tenant\'s cert-manager Certificate failing on the cert-manager webhook with "x509: certificate signed by unknown authority" for hours (a certificate lookalike, one tenant, more lines), conflicts',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    const deployment = find(f, 'Deployment', 'tenant-operator-controller-manager');
    const spec = deployment.spec as { template: { spec: Record<string, unknown> } };
    spec.template.spec.automountServiceAccountToken = false;
    spec.template.spec.volumes = [
      {
        name: 'legacy-token',
        secret: { secretName: 'tenant-operator-controller-manager-token', defaultMode: 420 },
      },
    ];
    put(f, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: {
        name: 'tenant-operator-controller-manager-token',
        namespace: NS,
        creationTimestamp: ago(420 * DAY),
        annotations: { 'kubernetes.io/service-account.name': SA },
        labels: {
          'kubernetes.io/legacy-token-last-used': ago(DAY).slice(0, 10),
          'kubernetes.io/legacy-token-invalid-since': ago(41 * MIN).slice(0, 10),
        },
        managedFields: [
          {
            manager: 'kubectl-label',
            operation: 'Update',
            apiVersion: 'v1',
            time: ago(41 * MIN),
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:metadata': { 'f:labels': { 'f:kubernetes.io/legacy-token-invalid-since': {} } } },
          },
        ],
      },
    });
    const certTenant = tenantAt(9);
    const lines: Line[] = [
      ...spread(54, ONSET - 25, 5, (at, i) => {
        const t = tenantAt(i * 3 + 2);
        switch (i % 4) {
          case 0:
            return statusUpdateFailed('json', at, t, 'Unauthorized');
          case 1:
            return applyFailed('json', at, t, 'app', 'failed to apply resource: Unauthorized');
          case 2:
            return klog(
              'E',
              at,
              'reflector.go:158',
              `"Unhandled Error" err="k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: Failed to watch *v1.${['Tenant', 'Deployment', 'Service', 'ConfigMap'][i % 4]}: failed to list *v1.${['Tenant', 'Deployment', 'Service', 'ConfigMap'][i % 4]}: Unauthorized" logger="UnhandledError"`,
            );
          default:
            return klog(
              'E',
              at,
              'event.go:368',
              '"Server rejected event (will not retry!)" err="Unauthorized" event="&Event{ObjectMeta:{customer-00011.18a2c3f4d5e6f7a9  tenants-3 ...}}"',
            );
        }
      }),
      ...spread(80, 3250, 10, (at) =>
        applyFailed(
          'json',
          at,
          certTenant,
          'cert',
          'failed to apply resource: Internal error occurred: failed calling webhook "webhook.cert-manager.io": failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/validate?timeout=30s": tls: failed to verify certificate: x509: certificate signed by unknown authority',
        ),
      ),
      ...conflicts('json', 8, 3200, ONSET + 60),
    ];
    logs(f, 'json', lines, { to: ONSET + 5 });
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// Controller
// ---------------------------------------------------------------------------------------------------

const CR_RT = '/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/internal/controller/controller.go';

/** A reconcile panic that controller-runtime recovers, in the orphan clean-up path. */
function orphanPanic(enc: Enc, at: number, t: TenantRef, goroutine: number): Line[] {
  const panic = 'runtime error: index out of range [1] with length 1';
  const stack = [
    `goroutine ${goroutine} [running]:`,
    'k8s.io/apimachinery/pkg/util/runtime.logPanic({0x1f2a4c8, 0xc0013b2c90}, {0x1a0e6c0, 0xc0021f7a10})',
    '\t/go/pkg/mod/k8s.io/apimachinery@v0.31.2/pkg/util/runtime/runtime.go:107 +0xbc',
    'k8s.io/apimachinery/pkg/util/runtime.handleCrash({0x1f2a4c8, 0xc0013b2c90}, {0x1a0e6c0, 0xc0021f7a10}, {0x2d1e7a0, 0x0, 0x0?})',
    '\t/go/pkg/mod/k8s.io/apimachinery@v0.31.2/pkg/util/runtime/runtime.go:82 +0x5e',
    'sigs.k8s.io/controller-runtime/pkg/internal/controller.(*Controller).Reconcile.func1()',
    `\t${CR_RT}:108 +0x112`,
    'panic({0x1a0e6c0?, 0xc0021f7a10?})',
    '\t/usr/local/go/src/runtime/panic.go:785 +0x132',
    'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).deleteOrphanedResource(0xc000512a80, {0x1f2a4c8, 0xc0013b2c90}, 0xc001a4e008, {0xc0018d2a80, 0x2f})',
    '\t/workspace/internal/controller/tenant_controller.go:1311 +0x7a5',
    'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).reconcileSpec(0xc000512a80, {0x1f2a4c8, 0xc0013b2c90}, 0xc001a4e008, {0xc1c2d3e4f5a6b7c8, 0x2a1b3c4d5e, 0x2d1e7a0})',
    '\t/workspace/internal/controller/tenant_controller.go:1563 +0x8d1',
    'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).Reconcile(0xc000512a80, {0x1f2a4c8, 0xc0013b2c90}, {{{0xc000f1c2a0, 0x9}, {0xc000f1c2b0, 0xe}}})',
    '\t/workspace/internal/controller/tenant_controller.go:166 +0x31d',
  ].join('\n');
  return [
    zap(enc, at + 0.2, 'info', 'Found orphaned resources', { ...rc('Tenant', t, at), count: 1 }),
    zap(enc, at, 'error', 'Observed a panic', {
      ...rc('Tenant', t, at),
      panic,
      panicGoValue: `runtime.boundsError{x:1, y:1, signed:true, code:0x0}`,
      stacktrace: stack,
    }),
    reconcilerError(enc, at - 0.001, 'Tenant', t, `panic: ${panic} [recovered]`),
  ];
}

const controllerBugOrphanPanic: Incident = {
  name: 'blind2-controller-bug-orphan-cleanup-panic',
  cause: 'controller-bug',
  alert: 'firing',
  description:
    'a template change 41 minutes ago dropped the "legacy-config" ConfigMap from the template; for the 22 tenants created before v1.1.5, whose applied-resources annotation still holds keys without "@id", the orphan clean-up path panics ("index out of range [1] with length 1" in deleteOrphanedResource), controller-runtime recovers and requeues: the same tenants fail at every retry, the others reconcile; no restarts, no resource pressure. Decoys: tenant app pods OOMKilled in tenants-2 (BackOff events, an exhaustion lookalike that is not the operator), the template change (the trigger)',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    put(f, templateChanged('spec.configMaps (-1: legacy-config)', 41 * MIN));
    const old = range(22, (i) => (i * 5 + 1) % 40);
    tenantsNotReady(
      f,
      old,
      'ReconcileError',
      'panic: runtime error: index out of range [1] with length 1 [recovered]',
    );
    for (const i of [2, 6, 10]) {
      const t = tenantAt(i);
      put(
        f,
        pod({
          namespace: t.namespace,
          name: `${t.name}-app-5d8f7c9b4-${hex(`oom${i}`, 5).replace(/[0-9]/g, 'w')}`,
          labels: { app: `${t.name}-app` },
          owner: { kind: 'ReplicaSet', name: `${t.name}-app-5d8f7c9b4` },
          nodeName: nodeName((i % 3) + 1),
          podIP: `10.0.${(i % 3) + 1}.${60 + i}`,
          createdSecondsAgo: 5 * DAY,
          containers: [
            {
              name: 'app',
              image: 'ghcr.io/acme/web-app:4.12.1',
              requests: { cpu: '250m', memory: '256Mi' },
              limits: { memory: '256Mi' },
              restartCount: 17,
              ready: false,
              state: {
                waiting: {
                  reason: 'CrashLoopBackOff',
                  message: 'back-off 5m0s restarting failed container=app',
                },
              },
              lastState: {
                terminated: { reason: 'OOMKilled', exitCode: 137, startedAt: ago(400), finishedAt: ago(310) },
              },
            },
          ],
        }),
        eventOf({
          namespace: t.namespace,
          type: 'Warning',
          reason: 'BackOff',
          message: `Back-off restarting failed container app in pod ${t.name}-app-5d8f7c9b4`,
          kind: 'Pod',
          name: `${t.name}-app-5d8f7c9b4-${hex(`oom${i}`, 5).replace(/[0-9]/g, 'w')}`,
          lastSecondsAgo: 40,
          firstSecondsAgo: 5 * HOUR,
          count: 260,
          component: 'kubelet',
          host: nodeName((i % 3) + 1),
        }),
      );
    }
    const lines: Line[] = [
      ...spread(66, ONSET - 30, 6, (at, i) =>
        orphanPanic('console', at, tenantAt(old[i % old.length] ?? 1), 2100 + i * 13),
      ),
      ...conflicts('console', 6),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

const MANAGED_FIELDS = 'failed to apply resource: metadata.managedFields must be nil';

const controllerBugManagedFields: Incident = {
  name: 'blind2-controller-bug-managedfields-after-upgrade',
  cause: 'controller-bug',
  alert: 'firing',
  description:
    'the operator was upgraded to v1.2.0 42 minutes ago; the new version copies the live object\'s managedFields into its server-side apply patch, which the API server refuses for every resource of every tenant ("metadata.managedFields must be nil"), ApplyFailed and TemplateAppliedPartial events everywhere (JSON logs). Nothing else changed. Decoys: a quota exhausted in tenants-3 right now by a nightly CronJob (FailedCreate "exceeded quota", current, not the operator\'s objects), the rollout\'s Killing and Scaled events',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    operatorRollout(f, {
      hash: '6f4b8c2d7e',
      revision: 4,
      secondsAgo: 42 * MIN,
      image: 'ghcr.io/kubernetes-tenants/tenant-operator:v1.2.0',
    });
    const next = operatorPodWith({}, { createdSecondsAgo: 42 * MIN, hash: '6f4b8c2d7e', suffix: 'h3j9v' });
    const container = (next.spec as { containers: { image: string }[] }).containers[0];
    if (container) container.image = 'ghcr.io/kubernetes-tenants/tenant-operator:v1.2.0';
    f.objects = f.objects.filter((o) => o.kind !== 'ResourceQuota' || o.metadata.namespace !== 'tenants-3');
    put(
      f,
      quota(
        'tenants-3',
        'compute',
        { 'requests.cpu': '8', 'requests.memory': '16Gi', pods: '30' },
        { 'requests.cpu': '7750m', 'requests.memory': '12Gi', pods: '30' },
      ),
      eventOf({
        namespace: 'tenants-3',
        type: 'Warning',
        reason: 'FailedCreate',
        message:
          'Error creating: pods "nightly-report-28911330-" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=30, limited: pods=30',
        kind: 'Job',
        apiVersion: 'batch/v1',
        name: 'nightly-report-28911330',
        lastSecondsAgo: 25,
        firstSecondsAgo: 55 * MIN,
        count: 31,
        component: 'job-controller',
      }),
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'Killing',
        message: 'Stopping container manager',
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 42 * MIN - 20,
        component: 'kubelet',
        host: OP_NODE,
      }),
    );
    tenantsNotReady(
      f,
      range(40, (i) => i),
      'ResourcesFailed',
      '3 resources failed',
    );
    put(
      f,
      ...range(14, (i) => i * 3).map((i) =>
        tenantEvent(
          tenantAt(i),
          'ApplyFailed',
          `Failed to apply resource app: ${MANAGED_FIELDS}`,
          20 + i * 6,
          40,
        ),
      ),
      ...range(8, (i) => i * 5 + 1).map((i) => applyPartialEvent(tenantAt(i), 3, 25 + i * 6, 40, '9')),
    );
    const lines: Line[] = [
      ...startup('json', 42 * MIN - 4),
      ...spread(40, ONSET - 20, 8, (at, i) => {
        const t = tenantAt(i * 3 + 1);
        return [
          zap('json', at + 0.4, 'info', 'Using full reconcile path', {
            ...rc('Tenant', t, at),
            tenant: t.name,
            generation: 4,
            observedGeneration: 3,
          }),
          applyFailed('json', at + 0.3, t, 'app', MANAGED_FIELDS),
          applyFailed('json', at + 0.2, t, 'svc', MANAGED_FIELDS),
          applyFailed('json', at + 0.1, t, 'config', MANAGED_FIELDS),
          appliedWithFailures('json', at, t, 3, '9'),
        ];
      }),
    ];
    setLogs(f, [...everyday('json', { from: 42 * MIN - 30, every: 9 }), ...lines]);
    replaceOperatorPod(f, next);
    return f;
  },
};

/** The Go runtime's fatal error for a map read while another goroutine writes it (cannot be recovered). */
function fatalIterationWrite(at: number): Line {
  return {
    at,
    text: [
      'fatal error: concurrent map iteration and map write',
      '',
      'goroutine 3310 [running]:',
      'internal/runtime/maps.fatal({0x1c0e2b1?, 0x0?})',
      '\t/usr/local/go/src/runtime/panic.go:1053 +0x18',
      'github.com/kubernetes-tenants/tenant-operator/internal/template.(*Engine).funcMap(0xc0004b6f00)',
      '\t/workspace/internal/template/engine.go:88 +0x1f4',
      'github.com/kubernetes-tenants/tenant-operator/internal/template.(*Engine).Render(0xc0004b6f00, {0xc0021c3a40, 0x3e}, 0xc001f2e5a0)',
      '\t/workspace/internal/template/engine.go:121 +0x9c',
      'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).renderResource(0xc000512a80, {0x1f2a4c8, 0xc0019a2b40}, 0xc0004b6f00, {{0xc0015a2f30, 0x3}, {0x0, 0x0}}, 0xc001f2e5a0, 0xc001a4e008)',
      '\t/workspace/internal/controller/tenant_controller.go:1412 +0x12c',
      'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).applyResources(0xc000512a80, {0x1f2a4c8, 0xc0019a2b40}, 0xc001a4e008, {0xc002a4c000, 0x3, 0x4}, 0xc001f2e5a0)',
      '\t/workspace/internal/controller/tenant_controller.go:207 +0x2f1',
      '',
      'goroutine 1 [select, 1 minutes]:',
      'sigs.k8s.io/controller-runtime/pkg/manager.(*controllerManager).Start(0xc0003c2b00, {0x1f2a4c8, 0xc0003a1e00})',
      '\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/manager/internal.go:456 +0x85c',
      'main.main()',
      '\t/workspace/cmd/main.go:293 +0x1c45',
    ].join('\n'),
  };
}

const controllerCrashIterationWrite: Incident = {
  name: 'blind2-controller-crash-map-iteration-write',
  cause: 'controller-crash',
  alert: 'firing',
  description:
    'the tenant concurrency was raised from 10 to 40 workers 42 minutes ago (a Deployment args change); with 40 renders at once, the template engine\'s shared function map is written while another worker iterates it: "fatal error: concurrent map iteration and map write" kills the process within a minute or two of each start (exit 2), 9 restarts, CrashLoopBackOff now. Decoys: the concurrency change looks like load (CPU near the limit during each startup resync), liveness probe failures while it starts, one "etcdserver: leader changed" retry',
  metrics: { ...firing(), restartEvery: 260, resetAt: -140 },
  fixture: () => {
    const f = eks();
    const args = [
      '--metrics-bind-address=:8443',
      '--leader-elect',
      '--health-probe-bind-address=:8081',
      '--tenant-concurrency=40',
      '--registry-concurrency=3',
      '--template-concurrency=5',
    ];
    operatorRollout(f, { hash: '7b2e9d4c1f', revision: 4, secondsAgo: 42 * MIN, args });
    const podName = `tenant-operator-controller-manager-7b2e9d4c1f-t6r4m`;
    const next = operatorPodWith(
      {
        ready: false,
        restartCount: 9,
        state: {
          waiting: {
            reason: 'CrashLoopBackOff',
            message: `back-off 2m40s restarting failed container=manager pod=${podName}_${NS}(8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5f6e)`,
          },
        },
        lastState: {
          terminated: { reason: 'Error', exitCode: 2, startedAt: ago(230), finishedAt: ago(140) },
        },
      },
      { createdSecondsAgo: 42 * MIN, hash: '7b2e9d4c1f', suffix: 't6r4m' },
    );
    const nextContainer = (next.spec as { containers: { args?: string[] }[] }).containers[0];
    if (nextContainer) nextContainer.args = args;
    put(
      f,
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container manager in pod ${podName}_${NS}(8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5f6e)`,
        kind: 'Pod',
        name: podName,
        lastSecondsAgo: 30,
        firstSecondsAgo: 37 * MIN,
        count: 28,
        component: 'kubelet',
        host: OP_NODE,
      }),
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'Unhealthy',
        message:
          'Liveness probe failed: Get "http://10.0.1.57:8081/healthz": dial tcp 10.0.1.57:8081: connect: connection refused',
        kind: 'Pod',
        name: podName,
        lastSecondsAgo: 228,
        firstSecondsAgo: 41 * MIN,
        count: 9,
        component: 'kubelet',
        host: OP_NODE,
      }),
    );
    const run = (start: number, end: number, leaderChanged = false): Line[] => [
      ...startup('console', start),
      ...everyday('console', { from: start - 3, to: end + 1, every: 0.8 }),
      ...(leaderChanged
        ? [
            klog(
              'E',
              start - 20,
              'leaderelection.go:429',
              'Failed to update lock optimitically: etcdserver: leader changed, falling back to slow path',
            ),
          ]
        : []),
      fatalIterationWrite(end),
    ];
    setLogs(f, run(230, 140, true), run(520, 430));
    replaceOperatorPod(f, next);
    f.objects = f.objects.filter((o) => !(o.kind === 'PodMetrics' && o.metadata.namespace === NS));
    return f;
  },
};

/** client-go's HandleCrash re-panics a panic in an informer's event handler: nothing recovers it. */
function handlerPanic(at: number): Line {
  return {
    at,
    text: [
      `E${klogTime(at)}       1 runtime.go:79] Observed a panic: "index out of range [1] with length 1" (runtime error: index out of range [1] with length 1)`,
      'goroutine 271 [running]:',
      'k8s.io/apimachinery/pkg/util/runtime.logPanic({0x1f1e2a0, 0x2d1e7a0}, {0x1a0e6c0, 0xc001e3b0d8})',
      '\t/go/pkg/mod/k8s.io/apimachinery@v0.31.2/pkg/util/runtime/runtime.go:107 +0xbc',
      'k8s.io/apimachinery/pkg/util/runtime.HandleCrash({0x0, 0x0, 0xc000a1c380?})',
      '\t/go/pkg/mod/k8s.io/apimachinery@v0.31.2/pkg/util/runtime/runtime.go:56 +0xcd',
      'panic({0x1a0e6c0?, 0xc001e3b0d8?})',
      '\t/usr/local/go/src/runtime/panic.go:785 +0x132',
      'github.com/kubernetes-tenants/tenant-operator/internal/controller.(*TenantReconciler).findTenantForLabeledResource(0xc000512a80, {0x1f2a4c8?, 0xc0003a1e00?}, {0x1f3b5e0, 0xc0024a6000})',
      '\t/workspace/internal/controller/tenant_controller.go:1209 +0x2c5',
      'sigs.k8s.io/controller-runtime/pkg/handler.(*enqueueRequestsFromMapFunc[...]).mapAndEnqueue(0x1f41a20, {0x1f2a4c8, 0xc0003a1e00}, {0x1f4d8e0, 0xc000b2e0f0}, {0x1f3b5e0, 0xc0024a6000}, 0xc001c8f4d0)',
      '\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/handler/enqueue_mapped.go:119 +0x8c',
      'sigs.k8s.io/controller-runtime/pkg/handler.(*enqueueRequestsFromMapFunc[...]).Update(0x1f41a20, {0x1f2a4c8, 0xc0003a1e00}, {{0x1f3b5e0, 0xc0024a5e00}, {0x1f3b5e0, 0xc0024a6000}}, {0x1f4d8e0, 0xc000b2e0f0})',
      '\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/handler/enqueue_mapped.go:96 +0x1c5',
      'sigs.k8s.io/controller-runtime/pkg/internal/source.(*EventHandler[...]).OnUpdate(0x1f3f6c0, {0x1b43e80, 0xc0024a5e00}, {0x1b43e80, 0xc0024a6000})',
      '\t/go/pkg/mod/sigs.k8s.io/controller-runtime@v0.19.1/pkg/internal/source/event_handler.go:123 +0x2ed',
      'k8s.io/client-go/tools/cache.(*processorListener).run.func1()',
      '\t/go/pkg/mod/k8s.io/client-go@v0.31.2/tools/cache/shared_informer.go:978 +0x13e',
      'panic: runtime error: index out of range [1] with length 1 [recovered]',
      '\tpanic: runtime error: index out of range [1] with length 1',
      '',
      'goroutine 271 [running]:',
      'k8s.io/apimachinery/pkg/util/runtime.HandleCrash({0x0, 0x0, 0xc000a1c380?})',
      '\t/go/pkg/mod/k8s.io/apimachinery@v0.31.2/pkg/util/runtime/runtime.go:63 +0x10e',
    ].join('\n'),
  };
}

const controllerCrashEventHandler: Incident = {
  name: 'blind2-controller-crash-event-handler-panic',
  cause: 'controller-crash',
  alert: 'firing',
  description:
    'v1.1.9, rolled out 43 minutes ago, parses a new "kubernetes-tenants.org/tenant-ref" label ("namespace.name") in the map function that routes ConfigMap updates to tenants; ConfigMaps a platform Helm chart labels "tenant-ref: shared" make it index past the split: the panic happens in an informer event handler, which client-go\'s HandleCrash re-panics, so the process dies (exit 2) a few seconds after its caches sync, 11 times, JSON logs around plain-text traces. Decoys: the rollout itself, a DNS lookup timeout 55 minutes ago, a DatabaseQueryFailed event from 5 hours ago',
  metrics: { ...firing(), restartEvery: 210, resetAt: -45 },
  fixture: () => {
    const f = eks({ enc: 'json' });
    operatorRollout(f, {
      hash: '5e8a1c3b9d',
      revision: 4,
      secondsAgo: 43 * MIN,
      image: 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.9',
    });
    const next = operatorPodWith(
      {
        restartCount: 11,
        state: { running: { startedAt: ago(45) } },
        lastState: { terminated: { reason: 'Error', exitCode: 2, startedAt: ago(260), finishedAt: ago(50) } },
      },
      { createdSecondsAgo: 43 * MIN, hash: '5e8a1c3b9d', suffix: 'p2x7w' },
    );
    const container = (next.spec as { containers: { image: string }[] }).containers[0];
    if (container) container.image = 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.9';
    put(
      f,
      configMap(
        'platform',
        'shared-ca-bundle',
        { 'ca.crt': '-----BEGIN CERTIFICATE-----\n...' },
        { labels: { 'kubernetes-tenants.org/tenant-ref': 'shared', 'app.kubernetes.io/managed-by': 'Helm' } },
      ),
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container manager in pod ${next.metadata.name}_${NS}(2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a)`,
        kind: 'Pod',
        name: next.metadata.name,
        lastSecondsAgo: 52,
        firstSecondsAgo: 38 * MIN,
        count: 22,
        component: 'kubelet',
        host: OP_NODE,
      }),
      registryEvent(
        `failed to create datasource: failed to ping MySQL: dial tcp ${MYSQL_VIP}:3306: connect: connection refused`,
        5 * HOUR,
        4,
        5 * HOUR + 200,
      ),
    );
    const run = (start: number, end: number): Line[] => [
      ...startup('json', start),
      ...everyday('json', { from: start - 3, to: end + 1, every: 2 }),
      handlerPanic(end),
    ];
    setLogs(
      f,
      [...startup('json', 44), ...everyday('json', { from: 41, to: 2, every: 2 })],
      [
        ...run(258, 50),
        ...registrySyncFailed(
          'json',
          55 * MIN,
          `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${MYSQL_HOST} on ${KUBE_DNS}:53: read udp ${OP_IP}:40113->${KUBE_DNS}:53: i/o timeout`,
        ),
      ],
    );
    replaceOperatorPod(f, next);
    return f;
  },
};

const exhaustionSecretsCache: Incident = {
  name: 'blind2-controller-oom-secret-cache',
  cause: 'controller-resource-exhaustion',
  alert: 'firing',
  description:
    'v1.1.9 (rolled out 2 days ago, harmless until now) watches Secrets cluster-wide; a CI tool began writing Helm release Secrets into "previews" 45 minutes ago (31,000 of them now) and the manager\'s informer cache outgrows its 512Mi limit: OOMKilled 5 times in 40 minutes, 503Mi now, informers relisting after each start. Decoys: a node that had MemoryPressure 2 hours ago (recovered), API warnings, status updates timing out while the process starts (a control-plane lookalike)',
  metrics: { ...firing({ workqueueDepth: 200 }), restartEvery: 480, resetAt: -6 * MIN },
  fixture: () => {
    const f = eks();
    setOperatorLimits(f, { cpu: '1', memory: '512Mi' });
    put(
      f,
      operatorPodWith(
        {
          restartCount: 5,
          state: { running: { startedAt: ago(6 * MIN) } },
          lastState: {
            terminated: {
              reason: 'OOMKilled',
              exitCode: 137,
              startedAt: ago(14 * MIN),
              finishedAt: ago(6 * MIN + 4),
            },
          },
        },
        { limits: { cpu: '1', memory: '512Mi' } },
      ),
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'previews',
          labels: { 'kubernetes.io/metadata.name': 'previews' },
          creationTimestamp: ago(45 * MIN),
        },
        status: { phase: 'Active' },
      },
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'NodeHasSufficientMemory',
        message: `Node ${nodeName(3)} status is now: NodeHasSufficientMemory`,
        kind: 'Node',
        name: nodeName(3),
        lastSecondsAgo: 2 * HOUR - 300,
        component: 'kubelet',
        host: nodeName(3),
      }),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'NodeHasInsufficientMemory',
        message: `Node ${nodeName(3)} status is now: NodeHasInsufficientMemory`,
        kind: 'Node',
        name: nodeName(3),
        lastSecondsAgo: 2 * HOUR,
        component: 'kubelet',
        host: nodeName(3),
      }),
      eventOf({
        namespace: NS,
        type: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container manager in pod ${POD}_${NS}(4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f)`,
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: 6 * MIN + 2,
        firstSecondsAgo: 30 * MIN,
        count: 5,
        component: 'kubelet',
        host: OP_NODE,
      }),
    );
    operatorUsage(f, '620m', '503Mi');
    // v1.1.9 has run for two days: the Deployment's template and the pod carry its image.
    const image = 'ghcr.io/kubernetes-tenants/tenant-operator:v1.1.9';
    for (const o of [find(f, 'Deployment', 'tenant-operator-controller-manager'), find(f, 'Pod', POD)]) {
      const spec = o.spec as {
        template?: { spec: { containers: { image: string }[] } };
        containers?: { image: string }[];
      };
      for (const c of spec.template?.spec.containers ?? spec.containers ?? []) c.image = image;
      for (const c of (o.status as { containerStatuses?: { image: string }[] }).containerStatuses ?? [])
        c.image = image;
    }
    const starting = (start: number, end: number): Line[] => [
      ...startup('console', start),
      ...spread(6, start - 5, start - 40, (at) =>
        klog(
          'I',
          at,
          'trace.go:236',
          `Trace[${hex(at, 9).replace(/[a-f]/g, '7')}]: "Reflector ListAndWatch" name:k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243 (${klogTime(at + 40).slice(5)}) (total time: 38712ms):\nTrace[1]: ---"Objects listed" error:<nil> 38711ms (${klogTime(at).slice(5)})`,
        ),
      ),
      ...spread(12, start - 20, end + 5, (at, i) => {
        const t = tenantAt(i * 7 + 1);
        return statusUpdateFailed(
          'console',
          at,
          t,
          `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${t.namespace}/tenants/${t.name}/status": context deadline exceeded`,
        );
      }),
      ...everyday('console', { from: start - 45, to: end + 1, every: 5 }),
    ];
    setLogs(
      f,
      [...starting(6 * MIN - 2, 2), ...apiWarnings('console', 20, 6 * MIN - 50, 10)],
      starting(14 * MIN - 2, 6 * MIN + 6),
    );
    return f;
  },
};

const deadlockAfterRestart: Incident = {
  name: 'blind2-controller-deadlock-stuck-after-restart',
  cause: 'controller-deadlock',
  alert: 'firing',
  description:
    "a tenant worker took the template cache's write lock and blocked on a second lock held by a reader 39 minutes ago; the other tenant workers queued behind it one by one. The on-call restarted the Deployment 19 minutes ago (kubectl rollout restart): the new pod resynced for 90 seconds and wedged the same way. Now: tenant queue at 1,100 and growing, longest running processor 1,040 s, the tenant controller silent, the registry controller and the status manager still logging, lease renewed, probes green, CPU idle, no restarts. Decoys: the manual restart (new ReplicaSet, Killing event: a crash lookalike), the registry's normal activity, a burst of conflicts right after the restart",
  metrics: firing({
    success: 0.4,
    error: 0.1,
    crTotal: 0.5,
    crErrors: 0.1,
    rest200: 4,
    workqueueDepth: 1100,
    longestRunning: 1040,
  }),
  fixture: () => {
    const f = eks();
    const restarted = 19 * MIN;
    operatorRollout(f, { hash: '8c1d5e7f3a', revision: 4, secondsAgo: restarted });
    const deployment = find(f, 'Deployment', 'tenant-operator-controller-manager');
    const tpl = (deployment.spec as { template: { metadata: { annotations: Record<string, string> } } })
      .template;
    tpl.metadata.annotations = {
      ...tpl.metadata.annotations,
      'kubectl.kubernetes.io/restartedAt': ago(restarted),
    };
    const next = operatorPodWith({}, { createdSecondsAgo: restarted, hash: '8c1d5e7f3a', suffix: 'k4s8n' });
    put(
      f,
      eventOf({
        namespace: NS,
        type: 'Normal',
        reason: 'Killing',
        message: 'Stopping container manager',
        kind: 'Pod',
        name: POD,
        lastSecondsAgo: restarted - 10,
        component: 'kubelet',
        host: OP_NODE,
      }),
      lease({
        namespace: NS,
        name: LEASE,
        holder: `${next.metadata.name}_${uuid('leader-r')}`,
        renewSecondsAgo: 1.3,
        acquiredSecondsAgo: restarted - 15,
        transitions: 4,
      }),
    );
    operatorUsage(f, '3m', '88Mi');
    const registryLines = (from: number, to: number) =>
      spread(8, from, to, (at, i) =>
        zap('console', at, 'info', 'Updating Tenant data', {
          ...rc('TenantRegistry', REGISTRY, at),
          tenant: tenantAt(i * 4).name,
          template: 'web-app',
          totalResources: 3,
        }),
      );
    setLogs(
      f,
      [
        ...startup('console', restarted - 14),
        ...everyday('console', { from: restarted - 20, to: restarted - 110, every: 0.5, conflicts: false }),
        ...spread(12, restarted - 25, restarted - 100, (at, i) =>
          reconcilerError('console', at, 'Tenant', tenantAt(i * 3), CONFLICT(tenantAt(i * 3))),
        ),
        ...registryLines(restarted - 120, 20),
        ...spread(10, restarted - 130, 30, (at, i) =>
          zap(
            'console',
            at,
            'debug',
            'Batch flush completed',
            { success: 1 + (i % 2), failed: 0, total: 1 + (i % 2) },
            { logger: 'status-manager' },
          ),
        ),
      ],
      [
        ...everyday('console', { from: 3300, to: ONSET - 50 }),
        ...registryLines(ONSET - 60, restarted + 30),
        zap('console', restarted + 12, 'info', 'Stopping and waiting for non leader election runnables'),
        zap('console', restarted + 11.9, 'info', 'Stopping and waiting for leader election runnables'),
      ],
    );
    replaceOperatorPod(f, next);
    statusFrozenSince(f, ONSET + 60);
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// Cluster infrastructure
// ---------------------------------------------------------------------------------------------------

const ETCD_TOO_MANY = 'etcdserver: too many requests';

const etcdApplyLag: Incident = {
  name: 'blind2-etcd-apply-backlog',
  cause: 'etcd-degraded',
  alert: 'firing',
  description:
    'etcd falls behind applying its log (a compaction of 2.1 million revisions a runaway job\'s ConfigMap churn left behind): writes come back "etcdserver: too many requests" (etcd\'s own back-pressure when the applied index lags the committed one, returned as 500, not 429), or "etcdserver: request timed out"; etcd request latency p99 above 2 s in the API server\'s metrics, etcd\'s leader changed twice. Decoys: the words "too many requests" (a throttling lookalike: no 429, no APF rejections, no client-side waits), a quota in tenants-2 lifted before the onset, the job\'s events',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    quotaLiftedBeforeOnset(f);
    apiserverMetrics(f, [
      'apiserver_request_total{code="500",component="apiserver",dry_run="",group="operator.kubernetes-tenants.org",resource="tenants",scope="namespace",subresource="status",verb="UPDATE",version="v1"} 6120',
      'apiserver_request_total{code="504",component="apiserver",dry_run="",group="apps",resource="deployments",scope="namespace",subresource="",verb="PATCH",version="v1"} 811',
      '# TYPE etcd_request_duration_seconds histogram',
      'etcd_request_duration_seconds_bucket{operation="update",type="tenants.operator.kubernetes-tenants.org",le="0.2"} 90210',
      'etcd_request_duration_seconds_bucket{operation="update",type="tenants.operator.kubernetes-tenants.org",le="1"} 91502',
      'etcd_request_duration_seconds_bucket{operation="update",type="tenants.operator.kubernetes-tenants.org",le="2"} 92640',
      'etcd_request_duration_seconds_bucket{operation="update",type="tenants.operator.kubernetes-tenants.org",le="+Inf"} 98911',
      'etcd_request_duration_seconds_count{operation="update",type="tenants.operator.kubernetes-tenants.org"} 98911',
      '# TYPE apiserver_storage_size_bytes gauge',
      'apiserver_storage_size_bytes{storage_cluster_id="etcd-0-b6f2b1c7e9a04d1e"} 6.112e+09',
      '# TYPE apiserver_flowcontrol_rejected_requests_total counter',
      'apiserver_flowcontrol_rejected_requests_total{flow_schema="service-accounts",priority_level="workload-low",reason="queue-full"} 0',
      processStart(18 * DAY),
    ]);
    put(
      f,
      eventOf({
        namespace: 'reporting',
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: 'Created pod: cache-warmer-28911290-7xq2d',
        kind: 'Job',
        apiVersion: 'batch/v1',
        name: 'cache-warmer-28911290',
        lastSecondsAgo: 3 * HOUR,
        component: 'job-controller',
      }),
      eventOf({
        namespace: 'reporting',
        type: 'Normal',
        reason: 'Completed',
        message: 'Job completed',
        kind: 'Job',
        apiVersion: 'batch/v1',
        name: 'cache-warmer-28911290',
        lastSecondsAgo: 50 * MIN,
        component: 'job-controller',
      }),
    );
    const lines: Line[] = [
      ...spread(52, ONSET - 15, 8, (at, i) => {
        const t = tenantAt(i * 3 + 1);
        switch (i % 4) {
          case 0:
            return applyFailed('console', at, t, 'app', `failed to apply resource: ${ETCD_TOO_MANY}`);
          case 1:
          case 2:
            return statusUpdateFailed(
              'console',
              at,
              t,
              i % 4 === 1 ? ETCD_TOO_MANY : 'etcdserver: request timed out',
            );
          default:
            return klog(
              'E',
              at,
              'leaderelection.go:429',
              `Failed to update lock optimitically: ${ETCD_TOO_MANY}, falling back to slow path`,
            );
        }
      }),
      klog(
        'E',
        33 * MIN,
        'leaderelection.go:429',
        'Failed to update lock optimitically: etcdserver: leader changed, falling back to slow path',
      ),
      klog(
        'E',
        12 * MIN,
        'leaderelection.go:429',
        'Failed to update lock optimitically: etcdserver: leader changed, falling back to slow path',
      ),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

const controlPlaneScheduler: Incident = {
  name: 'blind2-control-plane-scheduler-stalled',
  cause: 'control-plane-degraded',
  alert: 'firing',
  description:
    "the kube-scheduler has not renewed its lease for 40 minutes (an EKS control-plane incident): no pod created since has been scheduled or even judged: the tenants whose Deployments rolled (a template change 39 minutes ago) have new pods Pending with no PodScheduled reason and no FailedScheduling event at all, old ReplicaSets keep serving; readiness waits make 30% of reconciles fail. The API server answers fast, /readyz green, the controller manager's lease fresh. Decoys: the Pending pods (a pod-scheduling lookalike), a FailedScheduling 3 hours ago for a batch pod (the last word of the scheduler), nodes with room",
  metrics: firing(),
  fixture: () => {
    const f = eks();
    put(
      f,
      lease({
        namespace: 'kube-system',
        name: 'kube-scheduler',
        holder: 'ip-172-16-51-3.eu-west-1.compute.internal_b3a9e0d2-71c4-4a35-9f0e-5c2d8e1f7a64',
        renewSecondsAgo: 40 * MIN + 7,
        durationSeconds: 15,
        transitions: 6,
      }),
      templateChanged(
        'spec.deployments[0].spec.template.spec.containers[0].image ghcr.io/acme/web-app:4.12.1 -> ghcr.io/acme/web-app:4.13.0',
        39 * MIN,
      ),
      eventOf({
        namespace: 'batch',
        type: 'Warning',
        reason: 'FailedScheduling',
        message:
          '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
        kind: 'Pod',
        name: 'spark-driver-6d2f1',
        lastSecondsAgo: 3 * HOUR,
        firstSecondsAgo: 3 * HOUR + 600,
        count: 12,
        component: 'default-scheduler',
      }),
    );
    const rolled = range(24, (i) => i + 3);
    tenantsNotReady(f, rolled, 'NotAllResourcesReady', 'Not all resources are ready: 2/3 ready');
    for (const i of rolled) {
      const t = tenantAt(i);
      const p = pod({
        namespace: t.namespace,
        name: `${t.name}-app-84c9b7d6f-${hex(`sched${i}`, 5).replace(/[0-9]/g, 'v')}`,
        labels: { app: `${t.name}-app`, 'pod-template-hash': '84c9b7d6f' },
        owner: { kind: 'ReplicaSet', name: `${t.name}-app-84c9b7d6f` },
        phase: 'Pending',
        createdSecondsAgo: 39 * MIN - i * 4,
        containers: [
          { name: 'app', image: 'ghcr.io/acme/web-app:4.13.0', requests: { cpu: '250m', memory: '256Mi' } },
        ],
      });
      // A pod the scheduler has never looked at has no PodScheduled condition at all.
      (p.status as { conditions: unknown[] }).conditions = [];
      put(
        f,
        p,
        eventOf({
          namespace: t.namespace,
          type: 'Normal',
          reason: 'SuccessfulCreate',
          message: `Created pod: ${p.metadata.name}`,
          kind: 'ReplicaSet',
          apiVersion: 'apps/v1',
          name: `${t.name}-app-84c9b7d6f`,
          lastSecondsAgo: 39 * MIN - i * 4,
          component: 'replicaset-controller',
        }),
      );
    }
    const lines: Line[] = [
      ...spread(48, ONSET - 70, 10, (at, i) => {
        const t = tenantAt(rolled[i % rolled.length] ?? 3);
        return [
          zap('console', at + 0.1, 'debug', 'Resource not ready yet, will check again in next reconcile', {
            ...rc('Tenant', t, at),
            id: 'app',
            name: `${t.name}-app`,
          }),
          appliedWithFailures('console', at, t, 1, '15'),
        ];
      }),
      ...notReadyLines('console', rolled, 200),
    ];
    logs(f, 'console', lines, { every: 8 });
    return f;
  },
};

const azPartition: Incident = {
  name: 'blind2-network-az-partition',
  cause: 'network-instability',
  alert: 'firing',
  description:
    "an AWS network event degrades eu-west-1b since the onset: packets between 1b and the other zones are lost. The operator (node 1, 1a) fails towards everything in or through 1b, whatever it is: MySQL on node 2 (i/o timeout), the CoreDNS pod on node 2 (lookups time out about half the time), the control-plane ENI in 1b (connection reset, TLS handshake timeout), while what stays in 1a/1c answers; node 2 flaps NotReady, its aws-node probes time out. Decoys: the registry's DatabaseConnectionFailed and MySQL timeouts (the most lines: a datasource lookalike), the DNS timeouts (a dns lookalike), a MySQL restart 2 days ago",
  metrics: firing(),
  fixture: () => {
    const f = eks();
    registryState(f, 'failed');
    put(
      f,
      ...range(3, (i) => i + 1).map((i) => {
        const n = i === 2 ? flappingNode(2, 90) : node(i);
        return {
          ...n,
          metadata: {
            ...n.metadata,
            labels: { ...n.metadata.labels, 'topology.kubernetes.io/zone': `eu-west-1${'abc'[i - 1]}` },
          },
        };
      }),
      mysqlPod(
        {
          restartCount: 1,
          state: { running: { startedAt: ago(2 * DAY) } },
          lastState: {
            terminated: {
              reason: 'Completed',
              exitCode: 0,
              startedAt: ago(12 * DAY),
              finishedAt: ago(2 * DAY + 20),
            },
          },
        },
        { node: 2, ip: '10.0.2.19' },
      ),
      ...mysqlEndpoints(true, { node: 2, ip: '10.0.2.19', secondsAgo: 2 * DAY }),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'NodeNotReady',
        message: `Node ${nodeName(2)} status is now: NodeNotReady`,
        kind: 'Node',
        name: nodeName(2),
        lastSecondsAgo: 4 * MIN,
        firstSecondsAgo: 37 * MIN,
        count: 6,
        component: 'node-controller',
      }),
      eventOf({
        namespace: 'kube-system',
        type: 'Warning',
        reason: 'Unhealthy',
        message: `Liveness probe failed: {"level":"info","ts":"${ago(6 * MIN)}","caller":"/root/sdk/go1.22.5/src/runtime/proc.go:271","msg":"timeout: failed to connect service \\":50051\\" within 5s"}`,
        kind: 'Pod',
        name: awsNodePod(2).metadata.name,
        lastSecondsAgo: 6 * MIN,
        firstSecondsAgo: 36 * MIN,
        count: 14,
        component: 'kubelet',
        host: nodeName(2),
      }),
      registryEvent(
        `failed to create datasource: failed to ping MySQL: dial tcp ${MYSQL_VIP}:3306: i/o timeout`,
        30,
        27,
      ),
    );
    const lines: Line[] = [
      ...registryFailures(
        'console',
        (i) =>
          i % 3 === 2
            ? `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${MYSQL_HOST} on ${KUBE_DNS}:53: read udp ${OP_IP}:${44100 + i * 17}->${KUBE_DNS}:53: i/o timeout`
            : `failed to create datasource: failed to ping MySQL: dial tcp ${MYSQL_VIP}:3306: i/o timeout`,
        40,
      ),
      ...spread(24, ONSET - 40, 12, (at, i) => {
        const t = tenantAt(i * 5 + 2);
        switch (i % 3) {
          case 0:
            return statusUpdateFailed(
              'console',
              at,
              t,
              `Put "https://${APISERVER}:443/apis/${GROUP}/v1/namespaces/${t.namespace}/tenants/${t.name}/status": read tcp ${OP_IP}:${50122 + i}->${APISERVER}:443: read: connection reset by peer`,
            );
          case 1:
            return klog(
              'W',
              at,
              'reflector.go:561',
              `k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: failed to list *v1.Service: Get "https://${APISERVER}:443/api/v1/services?resourceVersion=48211734": net/http: TLS handshake timeout`,
            );
          default:
            return applyFailed(
              'console',
              at,
              t,
              'app',
              `failed to apply resource: Patch "https://${APISERVER}:443/apis/apps/v1/namespaces/${t.namespace}/deployments/${t.name}-app?fieldManager=tenant-operator&force=false": dial tcp ${APISERVER}:443: i/o timeout`,
            );
        }
      }),
    ];
    const dnsB = COREDNS_PODS[0] as (typeof COREDNS_PODS)[number];
    f.logs = {
      ...f.logs,
      [`kube-system/${dnsB.name}/coredns`]: `${COREDNS_BANNER}${text(
        spread(30, ONSET - 30, 20, (at, i) => ({
          at,
          text: `[ERROR] plugin/errors: 2 ${['sts.eu-west-1.amazonaws.com', 'ghcr.io', 'api.github.com'][i % 3]}. A: read udp ${dnsB.ip}:${41000 + i * 37}->10.0.0.2:53: i/o timeout`,
        })),
      )}`,
    };
    logs(f, 'console', lines);
    return f;
  },
};

const NODELOCAL = '169.254.20.10';

const dnsNodeLocalDown: Incident = {
  name: 'blind2-dns-nodelocal-cache-down',
  cause: 'dns-failure',
  alert: 'firing',
  description:
    'the cluster runs NodeLocal DNSCache (pods resolve through 169.254.20.10); its DaemonSet was upgraded 41 minutes ago to a version whose config fails to parse on the operator\'s node pool, so node-local-dns crash-loops on nodes 1 and 3: every lookup from the operator is refused ("read udp 10.0.1.57:...->169.254.20.10:53: read: connection refused"), MySQL unreachable by name, the registry DatabaseConnectionFailed. CoreDNS itself is healthy (2 ready pods, ready kube-dns endpoints, clean logs) and MySQL is up. Decoys: CoreDNS healthy (the usual DNS check passes), the registry symptom, one tenant\'s render loop',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    registryState(f, 'failed');
    const nodeLocal = (i: number, crashing: boolean) =>
      daemonPod('node-local-dns', i, 'registry.k8s.io/dns/k8s-dns-node-cache:1.23.1', {
        requests: { cpu: '25m', memory: '5Mi' },
        ...(crashing
          ? {
              ready: false,
              restartCount: 14,
              state: {
                waiting: {
                  reason: 'CrashLoopBackOff',
                  message: 'back-off 5m0s restarting failed container=node-local-dns',
                },
              },
              lastState: {
                terminated: { reason: 'Error', exitCode: 1, startedAt: ago(150), finishedAt: ago(149) },
              },
            }
          : {}),
      });
    const pods = [nodeLocal(1, true), nodeLocal(2, false), nodeLocal(3, true)];
    put(
      f,
      workload({
        kind: 'DaemonSet',
        namespace: 'kube-system',
        name: 'node-local-dns',
        labels: { 'k8s-app': 'node-local-dns' },
        replicas: 3,
        ready: 1,
        updated: 3,
        generation: 5,
        createdSecondsAgo: 200 * DAY,
      }),
      ...pods,
      configMap(
        'kube-system',
        'node-local-dns',
        {
          Corefile: `cluster.local:53 {\n    errors\n    cache {\n        success 9984 30\n        denial 9984 5\n    }\n    reload\n    loop\n    bind ${NODELOCAL} ${KUBE_DNS}\n    forward . __PILLAR__CLUSTER__DNS__ {\n        force_tcp\n    }\n    prometheus :9253\n    health ${NODELOCAL}:8080\n}\n.:53 {\n    errors\n    cache 30\n    reload\n    loop\n    bind ${NODELOCAL} ${KUBE_DNS}\n    forward . __PILLAR__UPSTREAM__SERVERS__\n    prometheus :9253\n}\n`,
        },
        { modifiedSecondsAgo: 41 * MIN },
      ),
      ...[1, 3].map((i) =>
        eventOf({
          namespace: 'kube-system',
          type: 'Warning',
          reason: 'BackOff',
          message: `Back-off restarting failed container node-local-dns in pod ${pods[i - 1]?.metadata.name}_kube-system(7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d)`,
          kind: 'Pod',
          name: pods[i - 1]?.metadata.name ?? '',
          lastSecondsAgo: 40,
          firstSecondsAgo: 40 * MIN,
          count: 170,
          component: 'kubelet',
          host: nodeName(i),
        }),
      ),
      registryEvent(
        `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${MYSQL_HOST} on ${NODELOCAL}:53: read udp ${OP_IP}:52219->${NODELOCAL}:53: read: connection refused`,
        35,
        28,
      ),
    );
    f.logs = {
      ...f.logs,
      ...Object.fromEntries(
        [pods[0], pods[2]].map((p) => [
          `kube-system/${p?.metadata.name}/node-local-dns`,
          `${klogTime(150).replace(/^/, 'I')}       1 main.go:67] Using Corefile /etc/Corefile\n${klogTime(149).replace(/^/, 'F')}       1 main.go:72] Failed to setup - failed to create iptables rules: error creating chain "NODE-LOCAL-DNS-RAW": exit status 3: iptables v1.8.9 (nf_tables): CHAIN_ADD failed (No such file or directory): chain PREROUTING\n`,
        ]),
      ),
    };
    logs(f, 'console', [
      ...registryFailures(
        'console',
        (i) =>
          `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${MYSQL_HOST} on ${NODELOCAL}:53: read udp ${OP_IP}:${52219 + i * 11}->${NODELOCAL}:53: read: connection refused`,
        28,
      ),
      ...oneTenantRenderLoop('console', 80),
    ]);
    return f;
  },
};

const dnsSelectorTypo: Incident = {
  name: 'blind2-dns-kube-dns-selector-changed',
  cause: 'dns-failure',
  alert: 'firing',
  description:
    'a Helm migration of CoreDNS 43 minutes ago replaced the kube-dns Service with one selecting app.kubernetes.io/name=coredns, a label the running CoreDNS pods (k8s-app=kube-dns, from the EKS add-on) do not carry: kube-dns has no endpoints, so every lookup from every pod is rejected ("read udp ...->172.20.0.10:53: read: connection refused") although both CoreDNS pods are Running, Ready and quiet (JSON logs). Decoys: CoreDNS pods healthy with clean logs, the registry\'s MySQL errors, a Corefile edited 2 days ago',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    registryState(f, 'failed');
    put(
      f,
      {
        ...serviceObject({
          namespace: 'kube-system',
          name: 'kube-dns',
          clusterIP: KUBE_DNS,
          selector: { 'app.kubernetes.io/name': 'coredns', 'app.kubernetes.io/instance': 'coredns' },
          labels: {
            'app.kubernetes.io/managed-by': 'Helm',
            'app.kubernetes.io/name': 'coredns',
            'k8s-app': 'kube-dns',
            'kubernetes.io/name': 'CoreDNS',
          },
          ports: [
            { name: 'udp-53', port: 53, protocol: 'UDP' },
            { name: 'tcp-53', port: 53 },
          ],
          createdSecondsAgo: 43 * MIN,
        }),
      },
      ...endpointsFor({
        namespace: 'kube-system',
        service: 'kube-dns',
        ready: [],
        ports: [{ name: 'udp-53', port: 53, protocol: 'UDP' }],
        secondsAgo: 43 * MIN,
      }),
      configMap(
        'kube-system',
        'coredns',
        { Corefile: COREFILE },
        {
          labels: { 'eks.amazonaws.com/component': 'coredns', 'k8s-app': 'kube-dns' },
          modifiedSecondsAgo: 2 * DAY,
        },
      ),
      registryEvent(
        `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${MYSQL_HOST} on ${KUBE_DNS}:53: read udp ${OP_IP}:38812->${KUBE_DNS}:53: read: connection refused`,
        30,
        27,
      ),
    );
    logs(f, 'json', [
      ...registryFailures(
        'json',
        (i) =>
          `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${MYSQL_HOST} on ${KUBE_DNS}:53: read udp ${OP_IP}:${38812 + i * 23}->${KUBE_DNS}:53: read: connection refused`,
        27,
      ),
      ...conflicts('json', 8),
    ]);
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// RBAC and admission
// ---------------------------------------------------------------------------------------------------

const SM_FORBIDDEN = (t: TenantRef) =>
  `failed to apply resource: servicemonitors.monitoring.coreos.com "${t.name}-metrics" is forbidden: User "${SA_USER}" cannot patch resource "servicemonitors" in API group "monitoring.coreos.com" in the namespace "${t.namespace}"`;

const rbacNewKind: Incident = {
  name: 'blind2-rbac-template-adds-servicemonitor',
  cause: 'rbac-denied',
  alert: 'firing',
  description:
    "a template change 42 minutes ago added a ServiceMonitor (monitoring.coreos.com) to every tenant; the manager's ClusterRole, unchanged for 30 days, grants nothing in that group, so every apply of it is forbidden. Everything the runbook's \"can-i\" loop checks (tenants, tenants/status, deployments, services, configmaps, secrets) is still allowed. Decoys: the template change (a bug lookalike), the runbook's permission checks all passing, the other two resources of each tenant applying fine",
  metrics: firing(),
  fixture: () => {
    const f = eks();
    put(f, templateChanged('spec.manifests (+1: ServiceMonitor monitoring.coreos.com/v1 metrics)', 42 * MIN));
    f.accessRules = [
      ...(f.accessRules ?? []),
      {
        user: SA_USER,
        verb: 'patch',
        group: 'monitoring.coreos.com',
        resource: 'servicemonitors',
        allowed: false,
      },
      {
        user: SA_USER,
        verb: 'get',
        group: 'monitoring.coreos.com',
        resource: 'servicemonitors',
        allowed: false,
      },
    ];
    const all = range(40, (i) => i);
    tenantsNotReady(f, all, 'ResourcesFailed', '1 resources failed');
    put(
      f,
      ...range(12, (i) => i * 3).map((i) =>
        tenantEvent(
          tenantAt(i),
          'ApplyFailed',
          `Failed to apply resource metrics: ${SM_FORBIDDEN(tenantAt(i))}`,
          20 + i * 7,
          36,
        ),
      ),
    );
    const lines: Line[] = spread(50, ONSET - 25, 8, (at, i) => {
      const t = tenantAt(i * 3 + 1);
      return [
        applyFailed('console', at + 0.1, t, 'metrics', SM_FORBIDDEN(t)),
        appliedWithFailures('console', at, t, 1, '16'),
      ];
    });
    logs(f, 'console', lines);
    return f;
  },
};

const KYVERNO_TIMEOUT = (t: TenantRef) =>
  `failed to apply resource: Internal error occurred: failed calling webhook "validate.kyverno.svc-fail": failed to call webhook: Post "https://kyverno-svc.kyverno.svc:443/validate/fail?timeout=10s": context deadline exceeded (patch deployments.apps ${t.name}-app)`;

const admissionKyvernoTimeout: Incident = {
  name: 'blind2-admission-kyverno-webhook-timeouts',
  cause: 'admission-webhook-denied',
  alert: 'firing',
  description:
    'Kyverno\'s admission controller was cut to 100m CPU by a values change 44 minutes ago; under the cluster\'s usual write load it answers its validating webhook (failurePolicy Fail, timeout 10 s, every Deployment and Service) too slowly, and the API server refuses the operator\'s applies: "failed calling webhook validate.kyverno.svc-fail ... context deadline exceeded". Status updates (not matched by the webhook) still work. Decoys: "context deadline exceeded" (an external-timeout or API server lookalike), Kyverno pods Running and Ready, conflicts',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    put(
      f,
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: 'kyverno',
          labels: { 'kubernetes.io/metadata.name': 'kyverno' },
          creationTimestamp: ago(150 * DAY),
        },
        status: { phase: 'Active' },
      },
      workload({
        kind: 'Deployment',
        namespace: 'kyverno',
        name: 'kyverno-admission-controller',
        labels: { 'app.kubernetes.io/component': 'admission-controller' },
        replicas: 3,
        ready: 3,
        generation: 12,
        createdSecondsAgo: 150 * DAY,
      }),
      ...range(3, (i) => i + 1).map((i) =>
        pod({
          namespace: 'kyverno',
          name: `kyverno-admission-controller-6d9f7c8b5-${hex(`ky${i}`, 5).replace(/[0-9]/g, 'k')}`,
          labels: {
            'app.kubernetes.io/component': 'admission-controller',
            'app.kubernetes.io/instance': 'kyverno',
          },
          owner: { kind: 'ReplicaSet', name: 'kyverno-admission-controller-6d9f7c8b5' },
          nodeName: nodeName(i),
          podIP: `10.0.${i}.130`,
          createdSecondsAgo: 44 * MIN,
          containers: [
            {
              name: 'kyverno',
              image: 'ghcr.io/kyverno/kyverno:v1.13.2',
              requests: { cpu: '100m', memory: '128Mi' },
              limits: { cpu: '100m', memory: '384Mi' },
            },
          ],
        }),
      ),
      serviceObject({
        namespace: 'kyverno',
        name: 'kyverno-svc',
        clusterIP: '172.20.140.9',
        selector: { 'app.kubernetes.io/component': 'admission-controller' },
        ports: [{ name: 'https', port: 443, targetPort: 'https' }],
        createdSecondsAgo: 150 * DAY,
      }),
      ...endpointsFor({
        namespace: 'kyverno',
        service: 'kyverno-svc',
        ready: range(3, (i) => i + 1).map((i) => ({ ip: `10.0.${i}.130`, nodeName: nodeName(i) })),
        ports: [{ name: 'https', port: 9443 }],
        secondsAgo: 43 * MIN,
      }),
      webhookConfiguration(
        'ValidatingWebhookConfiguration',
        'kyverno-resource-validating-webhook-cfg',
        [
          {
            name: 'validate.kyverno.svc-fail',
            service: { namespace: 'kyverno', name: 'kyverno-svc', path: '/validate/fail' },
            failurePolicy: 'Fail',
            timeoutSeconds: 10,
            rules: [
              {
                apiGroups: ['apps'],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['deployments'],
              },
              {
                apiGroups: [''],
                apiVersions: ['v1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['services'],
              },
            ],
            namespaceSelector: {
              matchExpressions: [
                { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kyverno', 'kube-system'] },
              ],
            },
          },
        ],
        { createdSecondsAgo: 150 * DAY },
      ),
      eventOf({
        namespace: 'kyverno',
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled up replica set kyverno-admission-controller-6d9f7c8b5 to 3',
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        name: 'kyverno-admission-controller',
        lastSecondsAgo: 44 * MIN,
        component: 'deployment-controller',
      }),
    );
    f.objects = f.objects.map((o) =>
      o.kind === 'PodMetrics' && o.metadata.namespace === 'kyverno'
        ? { ...o, containers: [{ name: 'kyverno', usage: { cpu: '100m', memory: '210Mi' } }] }
        : o,
    );
    const failing = range(34, (i) => i + 3);
    tenantsNotReady(f, failing, 'ResourcesFailed', '2 resources failed');
    put(
      f,
      ...failing
        .slice(0, 10)
        .map((i) =>
          tenantEvent(
            tenantAt(i),
            'ApplyFailed',
            `Failed to apply resource app: ${KYVERNO_TIMEOUT(tenantAt(i))}`,
            30 + i * 5,
            31,
          ),
        ),
    );
    const lines: Line[] = [
      ...spread(56, ONSET - 35, 9, (at, i) => {
        const t = tenantAt(failing[i % failing.length] ?? 3);
        return i % 2 === 0
          ? applyFailed('console', at, t, 'app', KYVERNO_TIMEOUT(t))
          : applyFailed(
              'console',
              at,
              t,
              'svc',
              KYVERNO_TIMEOUT(t).replace(
                `(patch deployments.apps ${t.name}-app)`,
                `(patch services ${t.name}-svc)`,
              ),
            );
      }),
      ...conflicts('console', 10),
    ];
    logs(f, 'console', lines);
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// Resource constraints
// ---------------------------------------------------------------------------------------------------

const LIMITRANGE_QUOTA = (t: TenantRef, used: string) =>
  `Error creating: pods "${t.name}-app-7f9c6d5b8-" is forbidden: exceeded quota: compute, requested: requests.cpu=750m, used: requests.cpu=${used}, limited: requests.cpu=6`;

const quotaLimitRange: Incident = {
  name: 'blind2-quota-limitrange-defaults',
  cause: 'quota-exceeded',
  alert: 'firing',
  description:
    'a platform baseline 42 minutes ago added a LimitRange to every tenant namespace (default request 500m CPU for containers that declare none); the tenant app\'s log-shipper sidecar declares none, so every new pod asks 750m instead of 250m and the "compute" quotas (6 CPU) refuse them: ReplicaSet FailedCreate "exceeded quota" in all four namespaces, Deployments with ReplicaFailure, the operator\'s readiness waits failing. The operator\'s own applies succeed. Decoys: the LimitRange (the trigger, not a quota itself), a FailedScheduling of a batch pod, "Resource not ready" debug lines in hundreds',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    f.objects = f.objects.filter((o) => o.kind !== 'ResourceQuota');
    put(
      f,
      ...range(4, (n) => n).flatMap((n) => [
        quota(
          `tenants-${n}`,
          'compute',
          { 'requests.cpu': '6', 'requests.memory': '16Gi', pods: '40' },
          { 'requests.cpu': `${5500 + n * 100}m`, 'requests.memory': '3Gi', pods: `${10 + n}` },
        ),
        {
          apiVersion: 'v1',
          kind: 'LimitRange',
          metadata: {
            name: 'baseline-defaults',
            namespace: `tenants-${n}`,
            creationTimestamp: ago(42 * MIN),
            labels: { 'app.kubernetes.io/managed-by': 'kyverno' },
          },
          spec: {
            limits: [
              {
                type: 'Container',
                default: { cpu: '1', memory: '512Mi' },
                defaultRequest: { cpu: '500m', memory: '256Mi' },
              },
            ],
          },
        },
      ]),
      eventOf({
        namespace: 'batch',
        type: 'Warning',
        reason: 'FailedScheduling',
        message:
          '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
        kind: 'Pod',
        name: 'model-train-0',
        lastSecondsAgo: 50,
        firstSecondsAgo: 90 * MIN,
        count: 64,
        component: 'default-scheduler',
      }),
    );
    const failing = range(26, (i) => i + 4);
    tenantsNotReady(f, failing, 'NotAllResourcesReady', 'Not all resources are ready: 2/3 ready');
    put(
      f,
      ...failing
        .slice(0, 16)
        .map((i) =>
          replicaSetFailedCreate(
            tenantAt(i),
            LIMITRANGE_QUOTA(tenantAt(i), `${5500 + (i % 4) * 100}m`),
            30 + i * 4,
            17,
          ),
        ),
      ...failing.slice(0, 10).map((i) => {
        const t = tenantAt(i);
        return workload({
          kind: 'Deployment',
          namespace: t.namespace,
          name: `${t.name}-app`,
          labels: { app: `${t.name}-app` },
          replicas: 1,
          ready: 1,
          updated: 0,
          generation: 8,
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
              message: LIMITRANGE_QUOTA(t, `${5500 + (i % 4) * 100}m`).replace('Error creating: ', ''),
              secondsAgo: 40 * MIN,
            },
          ],
        });
      }),
    );
    logs(
      f,
      'console',
      [
        ...spread(30, ONSET - 40, 12, (at, i) => {
          const t = tenantAt(failing[i % failing.length] ?? 4);
          return [
            zap('console', at + 0.1, 'debug', 'Resource not ready yet, will check again in next reconcile', {
              ...rc('Tenant', t, at),
              id: 'app',
              name: `${t.name}-app`,
            }),
            appliedWithFailures('console', at, t, 1, '17'),
          ];
        }),
        ...notReadyLines('console', failing, 300),
      ],
      { every: 8 },
    );
    return f;
  },
};

const LB_QUOTA = (t: TenantRef) =>
  `failed to apply resource: services "${t.name}-public" is forbidden: exceeded quota: object-counts, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0`;

const quotaObjectCount: Incident = {
  name: 'blind2-quota-loadbalancer-object-count',
  cause: 'quota-exceeded',
  alert: 'firing',
  description:
    'the template gained a public LoadBalancer Service per tenant 41 minutes ago; the tenant namespaces carry an "object-counts" quota that allows no LoadBalancer Services (services.loadbalancers: 0, a cost guard from last year), so the API server refuses every one of them at apply time (JSON logs, ApplyFailed events in all four namespaces). Decoys: the AWS Load Balancer Controller\'s webhook present in the cluster (an admission lookalike: the error is the quota admission plugin, not a webhook), compute quotas far from full, the template change',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    put(
      f,
      ...range(4, (n) => n).map((n) =>
        quota(
          `tenants-${n}`,
          'object-counts',
          { 'services.loadbalancers': '0', 'services.nodeports': '0', 'count/configmaps': '200' },
          { 'services.loadbalancers': '0', 'services.nodeports': '0', 'count/configmaps': `${22 + n}` },
        ),
      ),
      templateChanged('spec.services (+1: public, type LoadBalancer)', 41 * MIN),
      webhookConfiguration(
        'MutatingWebhookConfiguration',
        'aws-load-balancer-webhook',
        [
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
          },
        ],
        { createdSecondsAgo: 200 * DAY },
      ),
    );
    const all = range(40, (i) => i);
    tenantsNotReady(f, all, 'ResourcesFailed', '1 resources failed');
    put(
      f,
      ...range(16, (i) => i * 2 + 1).map((i) =>
        tenantEvent(
          tenantAt(i),
          'ApplyFailed',
          `Failed to apply resource public: ${LB_QUOTA(tenantAt(i))}`,
          20 + i * 6,
          34,
        ),
      ),
    );
    logs(
      f,
      'json',
      spread(52, ONSET - 30, 9, (at, i) => {
        const t = tenantAt(i * 3 + 2);
        return [
          applyFailed('json', at + 0.1, t, 'public', LB_QUOTA(t)),
          appliedWithFailures('json', at, t, 1, '18'),
        ];
      }),
    );
    return f;
  },
};

const capacityPodsPerNode: Incident = {
  name: 'blind2-capacity-max-pods-per-node',
  cause: 'cluster-capacity',
  alert: 'firing',
  description:
    'every node runs its 58 pods, the VPC CNI\'s limit for an m6i.xlarge, after a preview-environments controller created 90 small pods 45 minutes ago; CPU and memory are mostly free, the node group has no autoscaler: tenant pods Pending with "0/3 nodes are available: 3 Too many pods". Decoys: nodes at 25% CPU (a capacity check on CPU/memory alone says fine), the operator OOMKilled 3 days ago, "Resource not ready" lines',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    oomKilledThreeDaysAgo(f);
    const perNode = new Map<string, number>();
    for (const o of f.objects) {
      const n = (o.spec as { nodeName?: string } | undefined)?.nodeName;
      if (o.kind === 'Pod' && n) perNode.set(n, (perNode.get(n) ?? 0) + 1);
    }
    const fillers: KubeObject[] = [];
    for (let i = 1; i <= 3; i++) {
      const name = nodeName(i);
      for (let k = 0; k < 58 - (perNode.get(name) ?? 0); k++) {
        const p = workloadPod(
          'previews',
          `pr-${1000 + i * 100 + k}-web-${hex(`pr${i}${k}`, 5).replace(/[0-9]/g, 'p')}`,
          name,
          { cpu: '10m', memory: '32Mi' },
        );
        fillers.push({ ...p, metadata: { ...p.metadata, creationTimestamp: ago(45 * MIN - k * 5) } });
      }
    }
    put(f, ...fillers);
    f.objects = f.objects.map((o) =>
      o.kind === 'NodeMetrics' ? { ...o, usage: { cpu: '980m', memory: '6120Mi' } } : o,
    );
    const pending = range(14, (i) => i * 2 + 1);
    tenantsNotReady(f, pending, 'NotAllResourcesReady', 'Not all resources are ready: 2/3 ready');
    unschedulable(
      f,
      pending,
      '0/3 nodes are available: 3 Too many pods. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
    logs(f, 'console', notReadyLines('console', pending, 220), { every: 8 });
    return f;
  },
};

const capacityKarpenterLimit: Incident = {
  name: 'blind2-capacity-karpenter-nodepool-limit',
  cause: 'cluster-capacity',
  alert: 'firing',
  description:
    'the Karpenter NodePool "general" is capped at 48 vCPU; an analytics backfill 46 minutes ago filled it to the cap, so Karpenter will not launch more ("all available instance types exceed limits for nodepool") and tenant pods stay Pending with "Insufficient memory" (JSON logs). Decoys: Karpenter\'s own pod healthy, the nodes Ready without pressure conditions, a PodDisruptionBudget blocking a consolidation (a scheduling lookalike)',
  metrics: firing(),
  fixture: () => {
    const f = eks({ nodes: 6, enc: 'json' });
    fillNodes(f, 6, 300);
    f.objects = f.objects.map((o) =>
      o.kind === 'NodeMetrics' ? { ...o, usage: { cpu: '2900m', memory: '14210Mi' } } : o,
    );
    put(
      f,
      {
        apiVersion: 'karpenter.sh/v1',
        kind: 'NodePool',
        metadata: { name: 'general', creationTimestamp: ago(200 * DAY) },
        spec: {
          limits: { cpu: '48', memory: '192Gi' },
          template: {
            spec: {
              requirements: [
                { key: 'karpenter.k8s.aws/instance-family', operator: 'In', values: ['m6i', 'm7i'] },
              ],
            },
          },
        },
        status: { resources: { cpu: '48', memory: '92Gi', pods: '348', nodes: '6' } },
      },
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'DisruptionBlocked',
        message: 'Cannot disrupt Node: pdb "analytics/backfill-pdb" prevents pod evictions',
        kind: 'Node',
        name: nodeName(4),
        lastSecondsAgo: 120,
        firstSecondsAgo: 40 * MIN,
        count: 15,
        component: 'karpenter',
      }),
    );
    const pending = range(12, (i) => i * 3 + 2);
    tenantsNotReady(f, pending, 'NotAllResourcesReady', 'Not all resources are ready: 2/3 ready');
    unschedulable(
      f,
      pending,
      '0/6 nodes are available: 6 Insufficient memory. preemption: 0/6 nodes are available: 6 No preemption victims found for incoming pod.',
      {
        scaleUp: {
          component: 'karpenter',
          reason: 'FailedScheduling',
          message:
            'Failed to schedule pod, all available instance types exceed limits for nodepool: "general"',
        },
      },
    );
    logs(f, 'json', notReadyLines('json', pending, 200), { every: 8 });
    return f;
  },
};

const schedulingAntiAffinity: Incident = {
  name: 'blind2-scheduling-required-anti-affinity',
  cause: 'pod-scheduling',
  alert: 'firing',
  description:
    'a template change 41 minutes ago made the tenant app 4 replicas with a required pod anti-affinity on kubernetes.io/hostname against every tenant app (matching the shared label app.kubernetes.io/part-of=tenant-app, not the tenant\'s own): with three nodes, at most three such pods cluster-wide can run, so the new ReplicaSets\' pods of every tenant stay Pending "didn\'t match pod anti-affinity rules"; nodes have plenty of room. Decoys: the 429 counters of an API server that has run 41 days, one node cordoned for maintenance an hour ago, "Resource not ready" lines',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    apiserverMetrics(f, OLD_429_TOTALS);
    put(
      f,
      templateChanged(
        'spec.deployments[0].spec.replicas 1 -> 4, spec.deployments[0].spec.template.spec.affinity.podAntiAffinity (+requiredDuringScheduling: kubernetes.io/hostname)',
        41 * MIN,
      ),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'NodeSchedulable',
        message: `Node ${nodeName(3)} status is now: NodeSchedulable`,
        kind: 'Node',
        name: nodeName(3),
        lastSecondsAgo: 55 * MIN,
        component: 'kubelet',
        host: nodeName(3),
      }),
      eventOf({
        namespace: 'default',
        objectNamespace: null,
        type: 'Normal',
        reason: 'NodeNotSchedulable',
        message: `Node ${nodeName(3)} status is now: NodeNotSchedulable`,
        kind: 'Node',
        name: nodeName(3),
        lastSecondsAgo: 65 * MIN,
        component: 'kubelet',
        host: nodeName(3),
      }),
    );
    const pending = range(18, (i) => i * 2);
    tenantsNotReady(f, pending, 'NotAllResourcesReady', 'Not all resources are ready: 2/3 ready');
    unschedulable(
      f,
      pending,
      "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
    );
    logs(
      f,
      'console',
      [
        ...spread(30, ONSET - 40, 15, (at, i) =>
          appliedWithFailures('console', at, tenantAt(pending[i % pending.length] ?? 0), 1, '19'),
        ),
        ...notReadyLines('console', pending, 260),
      ],
      { every: 8 },
    );
    return f;
  },
};

const KMS_VOLUME = (i: number) =>
  `failed to provision volume with StorageClass "gp3-encrypted": rpc error: code = Internal desc = Could not create volume "pvc-${uuid(`kms${i}`)}": failed to get an available volume in EC2: InvalidVolume.NotFound: The volume 'vol-0${hex(`kmsvol${i}`, 16)}' does not exist.\n\tstatus code: 400, request id: ${uuid(`kmsreq${i}`)}`;

const storageKmsKey: Incident = {
  name: 'blind2-storage-gp3-kms-key-unusable',
  cause: 'storage-provisioning',
  alert: 'firing',
  description:
    'the data volumes a template change added 41 minutes ago use the new StorageClass gp3-encrypted, whose kmsKeyId is a key in the security account the EBS CSI driver\'s role may not use: EC2 accepts each CreateVolume, the volume fails to encrypt and vanishes, and the driver reports "failed to get an available volume in EC2: InvalidVolume.NotFound" (the classic sign of a KMS grant problem). Claims Pending, pods waiting on the volume binding. The CSI controller itself is Running. Decoys: "NotFound" (a lookalike of something deleted), the everyday readiness probe on the CSI controller, a quota on requests.storage at 40%',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    put(
      f,
      storageClass({
        name: 'gp3-encrypted',
        provisioner: 'ebs.csi.aws.com',
        parameters: {
          type: 'gp3',
          encrypted: 'true',
          kmsKeyId: 'arn:aws:kms:eu-west-1:444455556666:key/7d3f1a2b-9c8e-4d6f-a1b2-c3d4e5f60718',
          'csi.storage.k8s.io/fstype': 'ext4',
        },
      }),
      quota(
        'tenants-1',
        'storage',
        { 'requests.storage': '1Ti', persistentvolumeclaims: '50' },
        { 'requests.storage': '410Gi', persistentvolumeclaims: '19' },
      ),
    );
    const pending = range(12, (i) => i * 3);
    tenantsNotReady(f, pending, 'NotAllResourcesReady', 'Not all resources are ready: 2/4 ready');
    for (const i of pending) {
      const t = tenantAt(i);
      const p = pendingTenantPod(
        i,
        'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded',
        { pvc: true },
      );
      put(
        f,
        p,
        pvcPending(i, 'gp3-encrypted', nodeName((i % 3) + 1)),
        eventOf({
          namespace: t.namespace,
          type: 'Warning',
          reason: 'ProvisioningFailed',
          message: KMS_VOLUME(i),
          kind: 'PersistentVolumeClaim',
          name: `${t.name}-data`,
          lastSecondsAgo: 25 + i * 3,
          firstSecondsAgo: ONSET - 40,
          count: 13,
          component: 'ebs.csi.aws.com_ebs-csi-controller-7c9d8-abcde_0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f',
        }),
        eventOf({
          namespace: t.namespace,
          type: 'Warning',
          reason: 'FailedScheduling',
          message: 'running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded',
          kind: 'Pod',
          name: p.metadata.name,
          lastSecondsAgo: 60 + i,
          firstSecondsAgo: ONSET - 30,
          count: 6,
          component: 'default-scheduler',
        }),
      );
    }
    f.logs = {
      ...f.logs,
      'kube-system/ebs-csi-controller-7c9d8-abcde/ebs-plugin': text(
        spread(30, ONSET - 40, 25, (at, i) =>
          klog(
            'E',
            at,
            'driver.go:108',
            `"GRPC error" err="rpc error: code = Internal desc = Could not create volume \\"pvc-${uuid(`kms${pending[i % pending.length]}`)}\\": failed to get an available volume in EC2: InvalidVolume.NotFound: The volume 'vol-0${hex(`kmsvol${pending[i % pending.length]}`, 16)}' does not exist."`,
          ),
        ),
      ),
    };
    templateAddsVolume(f, 'console', pending, 'gp3-encrypted');
    return f;
  },
};

const EFS_LIMIT = (t: TenantRef) =>
  `failed to provision volume with StorageClass "efs-shared": rpc error: code = Internal desc = Failed to create Access point in File System fs-0a1b2c3d4e5f67890 : Failed to create access point: AccessPointLimitExceeded: You have reached the maximum number of access points (1000) for your file system fs-0a1b2c3d4e5f67890. Delete an access point and add a new one.\n\tstatus code: 403, request id: ${uuid(`efs${t.name}`)}`;

const storageEfsAccessPoints: Incident = {
  name: 'blind2-storage-efs-access-point-limit',
  cause: 'storage-provisioning',
  alert: 'firing',
  description:
    'tenant uploads live on EFS through the EFS CSI driver (dynamic provisioning, one access point per claim); preview environments created hundreds of claims and the file system reached its 1,000 access points 44 minutes ago: every new tenant claim fails ("AccessPointLimitExceeded"), the 14 tenants onboarded since stay not ready (JSON logs). Decoys: "403" and "exceeded" (quota and RBAC lookalikes), the EBS CSI controller\'s everyday probe failures, a FailedScheduling for a batch pod',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    put(
      f,
      storageClass({
        name: 'efs-shared',
        provisioner: 'efs.csi.aws.com',
        volumeBindingMode: 'Immediate',
        parameters: {
          provisioningMode: 'efs-ap',
          fileSystemId: 'fs-0a1b2c3d4e5f67890',
          directoryPerms: '700',
        },
      }),
      workload({
        kind: 'Deployment',
        namespace: 'kube-system',
        name: 'efs-csi-controller',
        labels: { app: 'efs-csi-controller' },
        replicas: 2,
        ready: 2,
        createdSecondsAgo: 120 * DAY,
      }),
      eventOf({
        namespace: 'batch',
        type: 'Warning',
        reason: 'FailedScheduling',
        message:
          '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
        kind: 'Pod',
        name: 'reindex-full-0',
        lastSecondsAgo: 70,
        firstSecondsAgo: 2 * HOUR,
        count: 140,
        component: 'default-scheduler',
      }),
    );
    const added = range(14, (i) => i).map((i) => ({
      name: `customer-${String(40 + i).padStart(5, '0')}`,
      namespace: `tenants-${i % 4}`,
    }));
    const message =
      '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.';
    for (const [k, t] of added.entries()) {
      const created = ONSET - 60 - k * 120 > 60 ? ONSET - 60 - k * 120 : 90;
      put(
        f,
        {
          ...tenant('tenant-operator', {
            ...t,
            ready: 'False',
            reason: 'NotAllResourcesReady',
            message: 'Not all resources are ready: 2/4 ready',
            degraded: true,
          }),
          metadata: { name: t.name, namespace: t.namespace, creationTimestamp: ago(created), generation: 1 },
        },
        persistentVolumeClaim({
          namespace: t.namespace,
          name: `${t.name}-uploads`,
          storageClassName: 'efs-shared',
          request: '5Gi',
          phase: 'Pending',
          provisioner: 'efs.csi.aws.com',
          createdSecondsAgo: created - 2,
        }),
        eventOf({
          namespace: t.namespace,
          type: 'Warning',
          reason: 'ProvisioningFailed',
          message: EFS_LIMIT(t),
          kind: 'PersistentVolumeClaim',
          name: `${t.name}-uploads`,
          lastSecondsAgo: 15 + k * 7,
          firstSecondsAgo: created - 3,
          count: 9,
          component:
            'efs.csi.aws.com_efs-csi-controller-5b8c7d9f4-2kx8q_4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a',
        }),
        pod({
          namespace: t.namespace,
          name: `${t.name}-app-7f9c6d5b8-${hex(`efs${k}`, 5).replace(/[0-9]/g, 'e')}`,
          labels: { app: `${t.name}-app` },
          owner: { kind: 'ReplicaSet', name: `${t.name}-app-7f9c6d5b8` },
          phase: 'Pending',
          createdSecondsAgo: created - 2,
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }],
          volumes: [{ name: 'uploads', persistentVolumeClaim: { claimName: `${t.name}-uploads` } }],
          containers: [
            { name: 'app', image: 'ghcr.io/acme/web-app:4.12.1', requests: { cpu: '250m', memory: '256Mi' } },
          ],
        }),
      );
    }
    registryState(f, 'connected', { tenants: 54 });
    const hub = find(f, 'TenantRegistry', 'customers');
    put(f, { ...hub, status: { ...(hub.status as object), ready: 40, failed: 14 } });
    logs(f, 'json', [
      ...added.map((t, k) =>
        zap('json', Math.max(ONSET - 60 - k * 120, 90), 'info', 'Creating Tenant', {
          ...rc('TenantRegistry', REGISTRY, ONSET - 60 - k * 120),
          tenant: t.name,
          uid: t.name,
          template: 'web-app',
        }),
      ),
      ...spread(160, ONSET - 70, 6, (at, i) => {
        const t = added[i % added.length] as TenantRef;
        return zap('json', at, 'debug', 'Resource not ready', {
          ...rc('Tenant', t, at),
          id: 'uploads',
          name: `${t.name}-uploads`,
        });
      }),
    ]);
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// External dependencies
// ---------------------------------------------------------------------------------------------------

const TOO_MANY_CONNECTIONS =
  'failed to create datasource: failed to ping MySQL: Error 1040 (08004): Too many connections';

const datasourceMaxConnections: Incident = {
  name: 'blind2-datasource-mysql-max-connections',
  cause: 'datasource-unavailable',
  alert: 'firing',
  description:
    "a new billing exporter Deployment (12 replicas, a 50-connection pool each, never closing) was rolled out 43 minutes ago against the registry's MySQL; max_connections (151) is exhausted and mysqld answers every new session \"Error 1040 (08004): Too many connections\" (MySQL's log shows it; the pod is Running and Ready, its Service has its endpoint). DNS and the policy are fine. Decoys: the exporter's own CrashLoopBackOff (it is not the operator), the permissive egress policy, one tenant's render loop repeated more often",
  metrics: firing(),
  fixture: () => {
    const f = eks();
    registryState(f, 'failed');
    put(
      f,
      permissiveOperatorEgress(),
      workload({
        kind: 'Deployment',
        namespace: 'reporting',
        name: 'billing-exporter',
        labels: { app: 'billing-exporter' },
        replicas: 12,
        ready: 9,
        createdSecondsAgo: 43 * MIN,
      }),
      eventOf({
        namespace: 'reporting',
        type: 'Warning',
        reason: 'BackOff',
        message:
          'Back-off restarting failed container exporter in pod billing-exporter-5c6d7e8f9-2lq8x_reporting(0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b)',
        kind: 'Pod',
        name: 'billing-exporter-5c6d7e8f9-2lq8x',
        lastSecondsAgo: 60,
        firstSecondsAgo: 35 * MIN,
        count: 44,
        component: 'kubelet',
        host: nodeName(2),
      }),
      eventOf({
        namespace: 'reporting',
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: 'Scaled up replica set billing-exporter-5c6d7e8f9 to 12',
        kind: 'Deployment',
        apiVersion: 'apps/v1',
        name: 'billing-exporter',
        lastSecondsAgo: 43 * MIN,
        component: 'deployment-controller',
      }),
      registryEvent(TOO_MANY_CONNECTIONS, 45, 26),
    );
    f.logs = {
      ...f.logs,
      'data/mysql-0/mysql': `${text(
        spread(40, ONSET - 60, 10, (at, i) => ({
          at,
          text: `${ago(at)} ${8120 + i * 3} [Warning] [MY-010055] [Server] IP address '10.0.${(i % 3) + 1}.${200 + (i % 9)}' could not be resolved: Name or service not known`,
        })).concat(
          spread(30, ONSET - 40, 12, (at) => ({
            at,
            text: `${ago(at)} 0 [Warning] [MY-011046] [Server] Too many connections`,
          })),
        ),
      )}`,
    };
    logs(f, 'console', [
      ...registryFailures('console', () => TOO_MANY_CONNECTIONS, 26),
      ...oneTenantRenderLoop('console', 90),
    ]);
    return f;
  },
};

const MYSQL_NO_ENDPOINT = `failed to create datasource: failed to ping MySQL: dial tcp ${MYSQL_VIP}:3306: connect: connection refused`;

const datasourceSelectorTypo: Incident = {
  name: 'blind2-datasource-service-selector-typo',
  cause: 'datasource-unavailable',
  alert: 'firing',
  description:
    'a Helm upgrade of the database chart 42 minutes ago rewrote the mysql Service\'s selector to app.kubernetes.io/name=mysql-primary; mysql-0 (Running, Ready, labelled app=mysql) no longer backs it: the Service has no endpoints and connections to its ClusterIP are refused. DNS resolves the name, the egress policy allows 3306, mysqld is healthy and idle (JSON logs). Decoys: mysql-0 healthy (a "the database is up" trap), the registry condition, a MySQL restart 6 hours ago',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    mysqlOutageSixHoursAgo(f);
    registryState(f, 'failed');
    put(
      f,
      permissiveOperatorEgress(),
      serviceObject({
        namespace: 'data',
        name: 'mysql',
        clusterIP: MYSQL_VIP,
        selector: { 'app.kubernetes.io/name': 'mysql-primary', 'app.kubernetes.io/instance': 'tenants-db' },
        labels: { 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'mysql-12.2.1' },
        ports: [{ name: 'mysql', port: 3306 }],
        createdSecondsAgo: 30 * DAY,
      }),
      ...endpointsFor({
        namespace: 'data',
        service: 'mysql',
        ready: [],
        ports: [{ name: 'mysql', port: 3306 }],
        secondsAgo: 42 * MIN,
      }),
      registryEvent(MYSQL_NO_ENDPOINT, 40, 25),
    );
    logs(f, 'json', [...registryFailures('json', () => MYSQL_NO_ENDPOINT, 25), ...conflicts('json', 6)]);
    return f;
  },
};

const PHZ_HOST = 'tenants-db.internal.acme.io';
const PHZ_NXDOMAIN = `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${PHZ_HOST} on ${KUBE_DNS}:53: no such host`;

const externalDnsPrivateZone: Incident = {
  name: 'blind2-external-dns-private-zone-detached',
  cause: 'external-dns',
  alert: 'firing',
  description:
    'the registry reads an Aurora cluster through a Route 53 private hosted zone name (tenants-db.internal.acme.io); a networking Terraform run 41 minutes ago re-created the VPC\'s zone associations and left internal.acme.io out, so the VPC resolver answers NXDOMAIN: "lookup tenants-db.internal.acme.io on 172.20.0.10:53: no such host". Cluster DNS is healthy: in-cluster names resolve, both CoreDNS pods ready, no errors in their logs. Decoys: a CoreDNS restart 3 days ago, the registry condition, optimistic-lock conflicts',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    corednsRestartedDaysAgo(f);
    registryState(f, 'failed', { host: PHZ_HOST });
    put(f, registryEvent(PHZ_NXDOMAIN, 40, 24));
    logs(f, 'console', [...registryFailures('console', () => PHZ_NXDOMAIN, 24), ...conflicts('console', 12)]);
    return f;
  },
};

const PARTNER_HOST = 'eu1.mysql.partner-dbaas.net';
const SERVFAIL = `failed to create datasource: failed to ping MySQL: dial tcp: lookup ${PARTNER_HOST} on ${KUBE_DNS}:53: server misbehaving`;

const externalDnsServfail: Incident = {
  name: 'blind2-external-dns-partner-servfail',
  cause: 'external-dns',
  alert: 'firing',
  description:
    'the registry\'s database is a hosted MySQL at eu1.mysql.partner-dbaas.net; the provider\'s DNSSEC key rollover 42 minutes ago broke the chain of trust, so validating resolvers (the VPC resolver among them) answer SERVFAIL: Go reports "lookup ... server misbehaving"; CoreDNS forwards the SERVFAIL and logs nothing, in-cluster names resolve, the API server and everything in the cluster work (JSON logs). Decoys: "server misbehaving" on 172.20.0.10 (a cluster-DNS lookalike), an old CoreDNS upstream timeout, API warnings',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    registryState(f, 'failed', { host: PARTNER_HOST });
    put(f, registryEvent(SERVFAIL, 35, 26));
    const first = COREDNS_PODS[1] as (typeof COREDNS_PODS)[number];
    f.logs = {
      ...f.logs,
      [`kube-system/${first.name}/coredns`]: `${COREDNS_BANNER}[ERROR] plugin/errors: 2 sts.eu-west-1.amazonaws.com. AAAA: read udp ${first.ip}:50177->10.0.0.2:53: i/o timeout\n`,
    };
    logs(f, 'json', [...registryFailures('json', () => SERVFAIL, 26), ...apiWarnings('json', 40)]);
    return f;
  },
};

const AUTH0_TIMEOUT =
  'Post "https://acme-tenants.eu.auth0.com/api/v2/organizations": context deadline exceeded (Client.Timeout exceeded while awaiting headers)';

const externalSaasJob: Incident = {
  name: 'blind2-external-saas-onboarding-job',
  cause: 'external-api-timeout',
  alert: 'firing',
  description:
    "each tenant's template includes an onboarding Job (waitForReady) that creates the tenant's organization in the identity SaaS (Auth0); since the onset the SaaS API accepts connections but answers after 30 s+, the Jobs' HTTP client gives up (\"context deadline exceeded (Client.Timeout exceeded while awaiting headers)\"), the Jobs hit their backoff limit and the tenants onboarded since (and those whose Job re-ran after a template change) are not ready. The operator's applies succeed. Decoys: the Jobs' pods in Error (a crash lookalike, not the operator), BackoffLimitExceeded events, \"Resource not ready\" lines",
  metrics: firing(),
  fixture: () => {
    const f = eks();
    const affected = range(16, (i) => i * 2 + 1);
    tenantsNotReady(f, affected, 'NotAllResourcesReady', 'Not all resources are ready: 3/4 ready');
    put(
      f,
      templateChanged(
        'spec.jobs[0].spec.template.spec.containers[0].env (+1: AUTH0_ORG_METADATA)',
        ONSET + 30,
      ),
    );
    for (const [k, i] of affected.entries()) {
      const t = tenantAt(i);
      const job = `${t.name}-onboard`;
      const podName = `${job}-${hex(`job${i}`, 5).replace(/[0-9]/g, 'j')}`;
      put(
        f,
        pod({
          namespace: t.namespace,
          name: podName,
          labels: { 'job-name': job, 'batch.kubernetes.io/job-name': job },
          owner: { kind: 'Job', name: job, apiVersion: 'batch/v1' },
          nodeName: nodeName((i % 3) + 1),
          podIP: `10.0.${(i % 3) + 1}.${100 + k}`,
          phase: 'Failed',
          createdSecondsAgo: ONSET - 60 - k * 30,
          containers: [
            {
              name: 'onboard',
              image: 'ghcr.io/acme/tenant-onboard:2.3.0',
              requests: { cpu: '50m', memory: '64Mi' },
              ready: false,
              state: {
                terminated: {
                  reason: 'Error',
                  exitCode: 1,
                  startedAt: ago(ONSET - 60 - k * 30),
                  finishedAt: ago(ONSET - 95 - k * 30),
                },
              },
            },
          ],
        }),
        eventOf({
          namespace: t.namespace,
          type: 'Warning',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
          kind: 'Job',
          apiVersion: 'batch/v1',
          name: job,
          lastSecondsAgo: 5 * MIN + k * 40,
          component: 'job-controller',
        }),
      );
      f.logs = {
        ...f.logs,
        [`${t.namespace}/${podName}/onboard`]: [
          `time="${ago(ONSET - 61 - k * 30)}" level=info msg="creating organization" tenant=${t.name}`,
          `time="${ago(ONSET - 91 - k * 30)}" level=warning msg="retrying" attempt=1 error="${AUTH0_TIMEOUT.replace(/"/g, '\\"')}"`,
          `time="${ago(ONSET - 95 - k * 30)}" level=fatal msg="onboarding failed" tenant=${t.name} error="${AUTH0_TIMEOUT.replace(/"/g, '\\"')}"`,
          '',
        ].join('\n'),
      };
    }
    logs(
      f,
      'console',
      [
        ...spread(30, ONSET - 80, 15, (at, i) =>
          appliedWithFailures('console', at, tenantAt(affected[i % affected.length] ?? 1), 1, '20'),
        ),
        ...notReadyLines('console', affected, 240, ONSET - 60, 5, 'onboard'),
      ],
      { every: 8 },
    );
    return f;
  },
};

const ESO_TIMEOUT = (t: TenantRef) =>
  `error processing spec.data[0] (key: tenants/${t.name}/db), err: operation error Secrets Manager: GetSecretValue, exceeded maximum number of attempts, 3, https response error StatusCode: 0, RequestID: , canceled, context deadline exceeded`;

const externalSecretsManager: Incident = {
  name: 'blind2-external-secrets-manager-slow',
  cause: 'external-api-timeout',
  alert: 'firing',
  description:
    'each tenant gets its database password through an ExternalSecret (External Secrets Operator, AWS Secrets Manager); since the onset Secrets Manager answers the cluster\'s VPC endpoint too slowly and ESO\'s calls run out of their deadline ("GetSecretValue, exceeded maximum number of attempts, 3 ... context deadline exceeded"): the ExternalSecrets are not Ready (SecretSyncedError in every tenant namespace), so the operator counts them as not ready and the pods that mount the missing Secrets cannot start (CreateContainerConfigError). Decoys: "secret not found" (an RBAC lookalike), the pods that cannot start (a crash lookalike), conflicts',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    const affected = range(20, (i) => i * 2);
    tenantsNotReady(f, affected, 'NotAllResourcesReady', 'Not all resources are ready: 2/4 ready');
    put(
      f,
      workload({
        kind: 'Deployment',
        namespace: 'external-secrets',
        name: 'external-secrets',
        labels: { 'app.kubernetes.io/name': 'external-secrets' },
        replicas: 1,
        ready: 1,
        createdSecondsAgo: 200 * DAY,
      }),
      ...affected.slice(0, 14).flatMap((i) => {
        const t = tenantAt(i);
        return [
          eventOf({
            namespace: t.namespace,
            type: 'Warning',
            reason: 'UpdateFailed',
            message: ESO_TIMEOUT(t),
            kind: 'ExternalSecret',
            apiVersion: 'external-secrets.io/v1beta1',
            name: `${t.name}-db`,
            lastSecondsAgo: 30 + i * 4,
            firstSecondsAgo: ONSET - 20,
            count: 25,
            component: 'external-secrets',
          }),
          eventOf({
            namespace: t.namespace,
            type: 'Warning',
            reason: 'Failed',
            message: `Error: secret "${t.name}-db" not found`,
            kind: 'Pod',
            name: `${t.name}-app-7f9c6d5b8-${hex(`eso${i}`, 5).replace(/[0-9]/g, 's')}`,
            lastSecondsAgo: 20 + i * 3,
            firstSecondsAgo: ONSET - 10,
            count: 180,
            component: 'kubelet',
            host: nodeName((i % 3) + 1),
          }),
        ];
      }),
    );
    f.logs = {
      ...f.logs,
      'external-secrets/external-secrets-6b7c8d9e5f-q2w3e/external-secrets': text(
        spread(40, ONSET - 20, 10, (at, i) => {
          const t = tenantAt(affected[i % affected.length] ?? 0);
          return {
            at,
            text: JSON.stringify({
              level: 'error',
              ts: Date.parse(ago(at)) / 1000,
              logger: 'controllers.ExternalSecret',
              msg: `error processing spec.data[0] (key: tenants/${t.name}/db)`,
              ExternalSecret: { name: `${t.name}-db`, namespace: t.namespace },
              error: ESO_TIMEOUT(t).replace(/^.*err: /, ''),
            }),
          };
        }),
      ),
    };
    logs(
      f,
      'json',
      [
        ...spread(30, ONSET - 50, 12, (at, i) =>
          appliedWithFailures('json', at, tenantAt(affected[i % affected.length] ?? 0), 1, '21'),
        ),
        ...notReadyLines('json', affected, 200, ONSET - 40, 5, 'db-secret'),
        ...conflicts('json', 10),
      ],
      { every: 8 },
    );
    return f;
  },
};

const MYSQL_TIMEOUT = `failed to create datasource: failed to ping MySQL: dial tcp ${MYSQL_VIP}:3306: i/o timeout`;

const netpolWrongNamespaceLabel: Incident = {
  name: 'blind2-netpol-egress-namespace-label',
  cause: 'network-policy-blocking',
  alert: 'firing',
  description:
    'a new egress policy for the operator 42 minutes ago allows DNS, the API server and MySQL, but selects the database namespace by the label name=data, which the namespace does not carry (only kubernetes.io/metadata.name=data and team=data): traffic to MySQL matches no rule and times out. MySQL is healthy with a ready endpoint, DNS resolves (JSON logs). Decoys: the policy does mention 3306 and the data namespace (it looks right), the registry condition, a MySQL restart 6 hours ago',
  metrics: firing(),
  fixture: () => {
    const f = eks({ enc: 'json' });
    mysqlOutageSixHoursAgo(f);
    registryState(f, 'failed');
    f.objects = f.objects.map((o) =>
      o.kind === 'Namespace' && o.metadata.name === 'data'
        ? { ...o, metadata: { ...o.metadata, labels: { ...o.metadata.labels, team: 'data' } } }
        : o,
    );
    const policy = networkPolicy(NS, 'tenant-operator-egress', {
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
        {
          to: [
            {
              namespaceSelector: { matchLabels: { name: 'data' } },
              podSelector: { matchLabels: { app: 'mysql' } },
            },
          ],
          ports: [{ port: 3306, protocol: 'TCP' }],
        },
      ],
    });
    put(
      f,
      { ...policy, metadata: { ...policy.metadata, creationTimestamp: ago(42 * MIN) } },
      registryEvent(MYSQL_TIMEOUT, 40, 24),
    );
    logs(
      f,
      'json',
      registryFailures('json', () => MYSQL_TIMEOUT, 24),
    );
    return f;
  },
};

const netpolIngressSide: Incident = {
  name: 'blind2-netpol-mysql-ingress-same-namespace',
  cause: 'network-policy-blocking',
  alert: 'firing',
  description:
    'the block is on the database side: someone "tightened" data/mysql-allow-tenant-operator 41 minutes ago to a podSelector for the operator\'s labels without a namespaceSelector, which in an ingress rule means "pods with these labels in the data namespace": the operator\'s connections from tenant-operator-system time out. The operator\'s namespace has no egress policy at all, MySQL is healthy, DNS resolves. Decoys: the operator namespace\'s only policy (metrics ingress, harmless), the registry condition, a transient MySQL "Aborted connection" warning from yesterday',
  metrics: firing(),
  fixture: () => {
    const f = eks();
    registryState(f, 'failed');
    const policy = networkPolicy('data', 'mysql-allow-tenant-operator', {
      podSelector: { matchLabels: { app: 'mysql' } },
      policyTypes: ['Ingress'],
      ingress: [
        {
          from: [
            {
              podSelector: {
                matchLabels: {
                  'control-plane': 'controller-manager',
                  'app.kubernetes.io/name': 'tenant-operator',
                },
              },
            },
          ],
          ports: [{ port: 3306, protocol: 'TCP' }],
        },
      ],
    });
    put(
      f,
      {
        ...policy,
        metadata: {
          ...policy.metadata,
          creationTimestamp: ago(30 * DAY),
          generation: 2,
          managedFields: [
            {
              manager: 'kubectl-edit',
              operation: 'Update',
              apiVersion: 'networking.k8s.io/v1',
              time: ago(41 * MIN),
              fieldsType: 'FieldsV1',
              fieldsV1: { 'f:spec': { 'f:ingress': {} } },
            },
          ],
        },
      },
      registryEvent(MYSQL_TIMEOUT, 45, 25),
    );
    f.logs = {
      ...f.logs,
      'data/mysql-0/mysql': `${ago(20 * HOUR)} 20341 [Note] [MY-010914] [Server] Aborted connection 20341 to db: 'tenants' user: 'tenants' host: '${OP_IP}' (Got an error reading communication packets).\n`,
    };
    logs(f, 'console', [...registryFailures('console', () => MYSQL_TIMEOUT, 25), ...conflicts('console', 8)]);
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// Lynq (the operator after its rename)
// ---------------------------------------------------------------------------------------------------

const LYNQ = operatorNames('lynq');
const LYNQ_GROUP = LYNQ.crds.group;
const NATIVE_PASSWORD =
  "failed to create datasource: failed to ping MySQL: Error 1524 (HY000): Plugin 'mysql_native_password' is not loaded";

const lynqMysql84: Incident = {
  name: 'blind2-lynq-hub-mysql-8.4-auth-plugin',
  cause: 'datasource-unavailable',
  alert: 'firing',
  preset: 'lynq',
  description:
    "a Lynq cluster (lynq-system, LynqHub/LynqNode/LynqForm in operator.lynq.sh): the hub's MySQL was upgraded from 8.0 to 8.4 LTS 42 minutes ago; 8.4 no longer loads mysql_native_password, which the hub's database user still uses, so every sync is refused at login (\"Error 1524 (HY000): Plugin 'mysql_native_password' is not loaded\"), the LynqHub is DatabaseConnectionFailed. The pod is Running and Ready, its Service has its endpoint, DNS works (JSON logs). Decoys: the MySQL pod restarted by the upgrade (a crash lookalike that is over), the runbook's names (tenant-operator-system, app=tenant-operator) find nothing here, conflicts on LynqNodes",
  metrics: firing(),
  fixture: () => {
    const f = healthyCluster({ preset: 'lynq', logEncoding: 'json' });
    const podName = `${LYNQ.deployment}-7d9f8b6c5d-x7k2p`;
    const key = `${LYNQ.namespace}/${podName}/manager`;
    f.objects = f.objects.map((o) =>
      o.kind === LYNQ.crds.registry.kind
        ? {
            ...o,
            status: {
              ...(o.status as object),
              desired: 0,
              ready: 0,
              failed: 0,
              conditions: [
                {
                  type: 'Ready',
                  status: 'False',
                  reason: 'DatabaseConnectionFailed',
                  message: 'Failed to connect to database or query tenant data',
                  lastTransitionTime: ago(38),
                },
              ],
            },
          }
        : o,
    );
    f.objects.push(
      workload({
        kind: 'StatefulSet',
        namespace: DATASOURCE.namespace,
        name: 'mysql',
        labels: { 'app.kubernetes.io/name': 'mysql' },
        replicas: 1,
        ready: 1,
        generation: 7,
        createdSecondsAgo: 300 * DAY,
      }),
      pod({
        namespace: DATASOURCE.namespace,
        name: 'mysql-0',
        labels: { 'app.kubernetes.io/name': 'mysql', 'statefulset.kubernetes.io/pod-name': 'mysql-0' },
        owner: { kind: 'StatefulSet', name: 'mysql' },
        nodeName: nodeName(3),
        podIP: DATASOURCE.podIp,
        createdSecondsAgo: 42 * MIN,
        containers: [
          {
            name: 'mysql',
            image: 'mysql:8.4.3',
            requests: { cpu: '500m', memory: '1Gi' },
            ports: [{ containerPort: 3306, name: 'mysql' }],
          },
        ],
      }),
      eventOf({
        namespace: DATASOURCE.namespace,
        type: 'Normal',
        reason: 'SuccessfulDelete',
        message: 'delete Pod mysql-0 in StatefulSet mysql successful',
        kind: 'StatefulSet',
        apiVersion: 'apps/v1',
        name: 'mysql',
        lastSecondsAgo: 42 * MIN + 20,
        component: 'statefulset-controller',
      }),
      eventOf({
        namespace: 'tenants-0',
        type: 'Warning',
        reason: 'DatabaseQueryFailed',
        message: `Failed to query database: ${NATIVE_PASSWORD}`,
        kind: LYNQ.crds.registry.kind,
        apiVersion: `${LYNQ_GROUP}/v1`,
        name: 'customers',
        lastSecondsAgo: 38,
        firstSecondsAgo: ONSET - 20,
        count: 27,
        component: 'lynqhub-controller',
      }),
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
    );
    const hub = { name: 'customers', namespace: 'tenants-0' };
    const fields = (at: number, kind: 'LynqHub' | 'LynqNode', o: TenantRef) => ({
      controller: kind.toLowerCase(),
      controllerGroup: LYNQ_GROUP,
      controllerKind: kind,
      [kind]: { name: o.name, namespace: o.namespace },
      namespace: o.namespace,
      name: o.name,
      reconcileID: uuid(`${kind}/${o.name}/${Math.round(at * 10)}`),
    });
    const lines: Line[] = [
      ...spread(200, 3300, 5, (at, i) => {
        const t = tenantAt(i * 7 + 3);
        return zap('json', at, 'debug', 'Status-only reconcile completed', {
          ...fields(at, 'LynqNode', t),
          node: t.name,
          ready: 3,
          failed: 0,
          conflicted: 0,
          duration: `${(19 + (i % 13) * 1.9).toFixed(1)}ms`,
        });
      }),
      ...spread(8, 3000, 60, (at, i) => {
        const t = tenantAt(i * 9 + 4);
        return zap(
          'json',
          at,
          'error',
          'Reconciler error',
          {
            ...fields(at, 'LynqNode', t),
            error: `Operation cannot be fulfilled on lynqnodes.${LYNQ_GROUP} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`,
          },
          { stack: true },
        );
      }),
      ...spread(27, ONSET - 20, 38, (at) => [
        zap(
          'json',
          at,
          'error',
          'Failed to query database',
          { ...fields(at, 'LynqHub', hub), error: NATIVE_PASSWORD },
          { stack: true },
        ),
        zap(
          'json',
          at - 0.002,
          'error',
          'Reconciler error',
          { ...fields(at, 'LynqHub', hub), error: NATIVE_PASSWORD },
          { stack: true },
        ),
      ]),
    ];
    f.logs = {
      ...f.logs,
      [key]: text(lines),
      [`${DATASOURCE.namespace}/mysql-0/mysql`]: [
        `${ago(42 * MIN - 5)} 0 [System] [MY-015015] [Server] MySQL Server - start.`,
        `${ago(42 * MIN - 4)} 0 [System] [MY-010116] [Server] /usr/sbin/mysqld (mysqld 8.4.3) starting as process 1`,
        `${ago(42 * MIN - 2)} 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '8.4.3'  socket: '/var/run/mysqld/mysqld.sock'  port: 3306  MySQL Community Server - GPL.`,
        '',
      ].join('\n'),
    };
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------
// The checker's own access
// ---------------------------------------------------------------------------------------------------

const checkerGroupTypo: Incident = {
  name: 'blind2-checker-group-name-mismatch',
  cause: 'none',
  alert: 'inactive',
  checker: 'forbidden',
  description:
    'the checker\'s access entry maps its role to the Kubernetes group "tenant-checker", but the ClusterRoleBinding from k8s/checker-rbac.yaml was edited to bind "tenant-checkers": the checker is authenticated and allowed nothing beyond the health endpoints and discovery. Behind it the LimitRange-versus-quota incident is under way (which it cannot see): the report must say it is not allowed, with the remedy, and name no runbook cause',
  metrics: QUIET,
  fixture: () => {
    const f = quotaLimitRange.fixture();
    f.deniedReads = { user: 'arn:aws:sts::111122223333:assumed-role/tenant-checker-prod/tenant-check' };
    return f;
  },
};

// ---------------------------------------------------------------------------------------------------

export const BLIND2_INCIDENTS: Incident[] = [
  healthyRollout,
  healthyOldIncidents,
  busyNoisyNamespace,
  alertBlindTopologySpread,
  apiserverCrdFlood,
  apiserverClientLimiter,
  apiserverSgRule,
  apiserverLegacyToken,
  controllerBugOrphanPanic,
  controllerBugManagedFields,
  controllerCrashIterationWrite,
  controllerCrashEventHandler,
  exhaustionSecretsCache,
  deadlockAfterRestart,
  etcdApplyLag,
  controlPlaneScheduler,
  azPartition,
  dnsNodeLocalDown,
  dnsSelectorTypo,
  rbacNewKind,
  admissionKyvernoTimeout,
  quotaLimitRange,
  quotaObjectCount,
  capacityPodsPerNode,
  capacityKarpenterLimit,
  schedulingAntiAffinity,
  storageKmsKey,
  storageEfsAccessPoints,
  datasourceMaxConnections,
  datasourceSelectorTypo,
  externalDnsPrivateZone,
  externalDnsServfail,
  externalSaasJob,
  externalSecretsManager,
  netpolWrongNamespaceLabel,
  netpolIngressSide,
  lynqMysql84,
  checkerGroupTypo,
];

/** Every cause of the runbook the set covers (a check for whoever extends it). */
export const BLIND2_CAUSES: (CauseId | 'none')[] = [...new Set(BLIND2_INCIDENTS.map((i) => i.cause))];
