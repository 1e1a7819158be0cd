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

/** The pod with its own address (replicas of one deployment each have their own). */
export function withPodIP(pod: KubeObject, podIP: string): KubeObject {
  const status = pod.status as Record<string, unknown>;
  return { ...pod, status: { ...status, podIP, podIPs: [{ ip: podIP }] } };
}

/**
 * The fixture with its operator run as `--metrics-secure=false`: the metrics endpoint without
 * authentication (readable through the API server's proxy), and the flag in the deployment's args, as
 * `kubectl get deploy -o yaml` would show it. For tests about what the metrics say, not who may read them.
 */
export function insecureMetrics(fixture: ClusterFixture): ClusterFixture {
  for (const o of fixture.objects) {
    if (o.kind !== 'Deployment') continue;
    const containers = ((
      o.spec as { template?: { spec?: { containers?: { args?: string[] }[] } } } | undefined
    )?.template?.spec?.containers ?? []) as { args?: string[] }[];
    for (const c of containers)
      if (
        c.args?.some((a) => a.startsWith('--metrics-bind-address')) &&
        !c.args.includes('--metrics-secure=false')
      )
        c.args = [...c.args, '--metrics-secure=false'];
  }
  fixture.operatorMetrics = { ...fixture.operatorMetrics, secure: false };
  return fixture;
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

/** Where healthyCluster's registry reads its tenants: a MySQL Service in namespace tenant-db. */
export const DATASOURCE = {
  namespace: 'tenant-db',
  service: 'mysql',
  host: 'mysql.tenant-db.svc.cluster.local',
  port: 3306,
  podIp: '10.0.3.7',
} as const;

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
    /** spec.source.mysql's host and port (default: the in-cluster DATASOURCE, mysql.tenant-db.svc.cluster.local:3306). */
    datasource?: { host: string; port?: number };
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
          host: r.datasource?.host ?? DATASOURCE.host,
          port: r.datasource ? (r.datasource.port ?? 3306) : DATASOURCE.port,
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

/** A ClusterIP Service (only what the checker and kubectl read of one). */
export function service(
  namespace: string,
  name: string,
  options: {
    clusterIP?: string;
    ports?: { port: number; name?: string; protocol?: string }[];
    selector?: Record<string, string>;
  } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, creationTimestamp: ago(40 * 86_400) },
    spec: {
      type: 'ClusterIP',
      clusterIP: options.clusterIP ?? '172.20.100.10',
      selector: options.selector ?? { app: name },
      ports: (options.ports ?? [{ port: 80 }]).map((p) => ({
        protocol: p.protocol ?? 'TCP',
        port: p.port,
        targetPort: p.port,
        ...(p.name ? { name: p.name } : {}),
      })),
    },
  };
}

/** Addresses `base.1`, `base.2`... for a Service's endpoints. */
function addresses(count: number, base: string, offset: number) {
  return Array.from({ length: count }, (_, i) => ({ ip: `${base}.${offset + i + 1}` }));
}

/**
 * A Service's Endpoints object with `ready` addresses and `notReady` ones (what kube-proxy routes
 * to, and what it holds back). `ips` names the ready and then not-ready addresses, else 10.0.3.x.
 */
export function endpoints(
  namespace: string,
  name: string,
  ready: number,
  notReady = 0,
  options: { port?: number; portName?: string; protocol?: string; ips?: string[] } = {},
): KubeObject {
  const ips = options.ips;
  const ready_ = ips ? ips.slice(0, ready).map((ip) => ({ ip })) : addresses(ready, '10.0.3', 6);
  const notReady_ = ips
    ? ips.slice(ready, ready + notReady).map((ip) => ({ ip }))
    : addresses(notReady, '10.0.3', 6 + ready);
  const ports = [
    {
      port: options.port ?? 80,
      protocol: options.protocol ?? 'TCP',
      ...(options.portName ? { name: options.portName } : {}),
    },
  ];
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace, creationTimestamp: ago(40 * 86_400) },
    subsets:
      ready + notReady === 0
        ? []
        : [
            {
              ...(ready_.length > 0 ? { addresses: ready_ } : {}),
              ...(notReady_.length > 0 ? { notReadyAddresses: notReady_ } : {}),
              ports,
            },
          ],
  };
}

/** An EndpointSlice of a Service (for clusters where only slices are served or kept). */
export function endpointSlice(
  namespace: string,
  serviceName: string,
  ready: number,
  notReady = 0,
  options: { port?: number; suffix?: string; addressType?: 'IPv4' | 'IPv6' } = {},
): KubeObject {
  const endpointsOf = (count: number, isReady: boolean, offset: number) =>
    Array.from({ length: count }, (_, i) => ({
      addresses: [`10.0.3.${offset + i + 1}`],
      conditions: { ready: isReady, serving: isReady, terminating: false },
    }));
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${serviceName}-${options.suffix ?? 'x8k2f'}`,
      namespace,
      labels: {
        'kubernetes.io/service-name': serviceName,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      creationTimestamp: ago(40 * 86_400),
    },
    addressType: options.addressType ?? 'IPv4',
    endpoints: [...endpointsOf(ready, true, 6), ...endpointsOf(notReady, false, 6 + ready)],
    ports: [{ port: options.port ?? 80, protocol: 'TCP' }],
  };
}

export type SystemApp = 'coredns' | 'aws-node' | 'kube-proxy';

/** The kube-dns Service's ClusterIP on EKS (the VPC's 172.20.0.0/16 service range). */
export const KUBE_DNS_IP = '172.20.0.10';

/**
 * A pod of kube-system as EKS runs it: CoreDNS (`coredns-<hash>-<suffix>`, label k8s-app=kube-dns,
 * container coredns), aws-node (the VPC CNI DaemonSet, containers aws-node and aws-eks-nodeagent) or
 * kube-proxy. `container` sets the main container's state as in operatorPod; `phase` the pod's.
 * No resource requests, so that the nodes' requested totals stay those of the workloads.
 */
export function systemPod(
  app: SystemApp,
  suffix: string,
  nodeName: string,
  container: ContainerState & { phase?: string; podIP?: string } = {},
): KubeObject {
  const ready = container.ready ?? true;
  const specs: Record<
    SystemApp,
    {
      name: string;
      labels: Record<string, string>;
      owner: { kind: string; name: string };
      containers: { name: string; image: string }[];
    }
  > = {
    coredns: {
      name: `coredns-5b9dfbf96-${suffix}`,
      labels: {
        'k8s-app': 'kube-dns',
        'eks.amazonaws.com/component': 'coredns',
        'pod-template-hash': '5b9dfbf96',
      },
      owner: { kind: 'ReplicaSet', name: 'coredns-5b9dfbf96' },
      containers: [
        {
          name: 'coredns',
          image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/coredns:v1.11.3-eksbuild.2',
        },
      ],
    },
    'aws-node': {
      name: `aws-node-${suffix}`,
      labels: {
        'k8s-app': 'aws-node',
        'app.kubernetes.io/name': 'aws-node',
        'controller-revision-hash': '6f5c8d7b9',
      },
      owner: { kind: 'DaemonSet', name: 'aws-node' },
      containers: [
        {
          name: 'aws-node',
          image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.19.0-eksbuild.1',
        },
        {
          name: 'aws-eks-nodeagent',
          image:
            '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon/aws-network-policy-agent:v1.1.5-eksbuild.1',
        },
      ],
    },
    'kube-proxy': {
      name: `kube-proxy-${suffix}`,
      labels: { 'k8s-app': 'kube-proxy', 'controller-revision-hash': '7c6b5d4f8' },
      owner: { kind: 'DaemonSet', name: 'kube-proxy' },
      containers: [
        {
          name: 'kube-proxy',
          image: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/kube-proxy:v1.31.2-minimal-eksbuild.3',
        },
      ],
    },
  };
  const spec = specs[app];
  const [main, ...sidecars] = spec.containers;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: spec.name,
      namespace: 'kube-system',
      labels: spec.labels,
      creationTimestamp: ago(20 * 86_400),
      ownerReferences: [{ apiVersion: 'apps/v1', ...spec.owner, controller: true }],
    },
    spec: {
      nodeName,
      priorityClassName: 'system-node-critical',
      containers: spec.containers.map((c) => ({ ...c, resources: {} })),
    },
    status: {
      phase: container.phase ?? 'Running',
      podIP:
        container.podIP ??
        (app === 'coredns' ? '10.0.1.23' : nodeName.replace(/^ip-(\d+)-(\d+)-(\d+)-(\d+).*$/, '$1.$2.$3.$4')),
      startTime: ago(20 * 86_400),
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False' },
        { type: 'ContainersReady', status: ready ? 'True' : 'False' },
      ],
      containerStatuses: [
        {
          name: main?.name,
          ready,
          restartCount: container.restartCount ?? 0,
          image: main?.image,
          state: container.state ?? { running: { startedAt: ago(20 * 86_400) } },
          lastState: container.lastState ?? {},
        },
        ...sidecars.map((c) => ({
          name: c.name,
          ready: true,
          restartCount: 0,
          image: c.image,
          state: { running: { startedAt: ago(20 * 86_400) } },
          lastState: {},
        })),
      ],
    },
  };
}

/** CoreDNS's start-up output, as `kubectl logs -n kube-system coredns-...` shows it on a healthy pod. */
export const COREDNS_STARTUP = [
  '.:53',
  '[INFO] plugin/reload: Running configuration SHA512 = 8a7d59126e7f114ab49c6d2613be93d8ef7d408af8ee61a710210843dc409f03133727e38f64469d9bb180f396c84ebf48a42bde3b3769730865ca9df5eb281c',
  'CoreDNS-1.11.3',
  'linux/amd64, go1.22.7, a6338e9',
];

/**
 * A CoreDNS errors-plugin line: `[ERROR] plugin/errors: 2 <name>. <type>: <error>`; by default an
 * upstream (the VPC resolver) that does not answer.
 */
export function coreDnsError(
  name: string,
  error = 'read udp 10.0.1.23:53012->10.0.0.2:53: i/o timeout',
  type = 'A',
): string {
  return `[ERROR] plugin/errors: 2 ${name.endsWith('.') ? name : `${name}.`} ${type}: ${error}`;
}

/**
 * kube-system as EKS runs it on these nodes: 2 ready CoreDNS pods (on the first two nodes), the kube-dns
 * Service with their 2 ready endpoints, and aws-node and kube-proxy on every node; with CoreDNS's logs.
 */
export function kubeSystem(nodeNames: string[]): { objects: KubeObject[]; logs: Record<string, string> } {
  const suffixes = ['4xk9p', 'q7m2n', 'z8w3r', 'c5t6y', 'h2j4k', 'n9b8v'];
  const dnsNodes =
    nodeNames.length > 1
      ? nodeNames.slice(0, 2)
      : [
          nodeNames[0] ?? 'ip-10-0-1-11.eu-west-1.compute.internal',
          nodeNames[0] ?? 'ip-10-0-1-11.eu-west-1.compute.internal',
        ];
  const dnsIps = ['10.0.1.23', '10.0.2.23'];
  const coreDns = dnsNodes.map((n, i) =>
    systemPod('coredns', ['r8fkd', 'w2lx9'][i] as string, n, { podIP: dnsIps[i] as string }),
  );
  const perNode = nodeNames.flatMap((n, i) => [
    systemPod('aws-node', suffixes[i] ?? `n${i}`, n),
    systemPod('kube-proxy', suffixes[i] ?? `n${i}`, n),
  ]);
  return {
    objects: [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'kube-system', creationTimestamp: ago(40 * 86_400) },
      },
      ...coreDns,
      ...perNode,
      service('kube-system', 'kube-dns', {
        clusterIP: KUBE_DNS_IP,
        selector: { 'k8s-app': 'kube-dns' },
        ports: [
          { port: 53, name: 'dns', protocol: 'UDP' },
          { port: 53, name: 'dns-tcp', protocol: 'TCP' },
        ],
      }),
      endpoints('kube-system', 'kube-dns', 2, 0, { port: 53, portName: 'dns', protocol: 'UDP', ips: dnsIps }),
    ],
    logs: Object.fromEntries(
      coreDns.map((p) => [`kube-system/${p.metadata.name}/coredns`, `${COREDNS_STARTUP.join('\n')}\n`]),
    ),
  };
}

/** The registry's MySQL as a Service of this cluster, with `ready` and `notReady` endpoints. */
export function datasourceService(ready = 1, notReady = 0): KubeObject[] {
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: DATASOURCE.namespace, creationTimestamp: ago(40 * 86_400) },
    },
    service(DATASOURCE.namespace, DATASOURCE.service, {
      clusterIP: '172.20.87.14',
      selector: { 'app.kubernetes.io/name': 'mysql' },
      ports: [{ port: DATASOURCE.port, name: 'mysql' }],
    }),
    endpoints(DATASOURCE.namespace, DATASOURCE.service, ready, notReady, {
      port: DATASOURCE.port,
      portName: 'mysql',
    }),
  ];
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
    withPodIP(
      operatorPod(preset, ['x7k2p', 'm4q8z', 'r2d2c'][i] ?? `p${i}`),
      `10.0.${(i % 3) + 1}.${57 + Math.floor(i / 3)}`,
    ),
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
  const system = kubeSystem(nodes.map((n) => n.metadata.name));
  const logs = {
    ...Object.fromEntries(
      pods.map((p) => [`${names.namespace}/${p.metadata.name}/manager`, `${logLines.join('\n')}\n`]),
    ),
    ...system.logs,
  };

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
      ...datasourceService(1, 0),
      ...system.objects,
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

// ---------------------------------------------------------------------------------------------------
// The rest of a real EKS cluster: system pods and their controllers, Services with their Endpoints and
// EndpointSlices, volumes, webhooks, leases and RBAC objects, and events with all their fields. The
// checker's collectors need not read all of these: they are what `kubectl` would show an engineer.
// ---------------------------------------------------------------------------------------------------

export interface ContainerSpec extends ContainerState {
  name: string;
  image: string;
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  ports?: { containerPort: number; name?: string; protocol?: string }[];
  args?: string[];
  env?: { name: string; value: string }[];
}

/** Any pod, with its owner, node, IP and containers as the kubelet reports them. */
export function pod(p: {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  owner?: { kind: string; name: string; apiVersion?: string };
  nodeName?: string;
  podIP?: string;
  hostNetwork?: boolean;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  createdSecondsAgo?: number;
  containers: ContainerSpec[];
  /** Extra pod conditions (PodScheduled False with its reason, for a pending pod). */
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  volumes?: Record<string, unknown>[];
  nodeSelector?: Record<string, string>;
  tolerations?: Record<string, unknown>[];
  priorityClassName?: string;
}): KubeObject {
  const created = p.createdSecondsAgo ?? 86_400;
  const phase = p.phase ?? 'Running';
  const allReady = phase === 'Running' && p.containers.every((c) => c.ready ?? true);
  const scheduled = p.nodeName !== undefined;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: p.labels ?? {},
      creationTimestamp: ago(created),
      ...(p.owner
        ? {
            ownerReferences: [
              {
                apiVersion: p.owner.apiVersion ?? 'apps/v1',
                kind: p.owner.kind,
                name: p.owner.name,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      ...(p.nodeName ? { nodeName: p.nodeName } : {}),
      ...(p.hostNetwork ? { hostNetwork: true } : {}),
      ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}),
      ...(p.tolerations ? { tolerations: p.tolerations } : {}),
      ...(p.priorityClassName ? { priorityClassName: p.priorityClassName } : {}),
      ...(p.volumes ? { volumes: p.volumes } : {}),
      containers: p.containers.map((c) => ({
        name: c.name,
        image: c.image,
        ...(c.args ? { args: c.args } : {}),
        ...(c.env ? { env: c.env } : {}),
        ...(c.ports ? { ports: c.ports } : {}),
        resources: {
          ...(c.requests ? { requests: c.requests } : {}),
          ...(c.limits ? { limits: c.limits } : {}),
        },
      })),
    },
    status: {
      phase,
      ...(p.podIP ? { podIP: p.podIP, podIPs: [{ ip: p.podIP }] } : {}),
      ...(p.hostNetwork && p.podIP ? { hostIP: p.podIP } : {}),
      ...(scheduled ? { startTime: ago(created) } : {}),
      conditions: [
        { type: 'PodScheduled', status: scheduled ? 'True' : 'False' },
        ...(scheduled
          ? [
              { type: 'Initialized', status: 'True' },
              { type: 'ContainersReady', status: allReady ? 'True' : 'False' },
              { type: 'Ready', status: allReady ? 'True' : 'False' },
            ]
          : []),
      ]
        .filter((c) => !(p.conditions ?? []).some((extra) => extra.type === c.type))
        .concat(p.conditions ?? []),
      ...(scheduled
        ? {
            containerStatuses: p.containers.map((c) => ({
              name: c.name,
              image: c.image,
              ready: phase === 'Running' && (c.ready ?? true),
              started: c.state ? 'running' in c.state : true,
              restartCount: c.restartCount ?? 0,
              state: c.state ?? { running: { startedAt: ago(created) } },
              lastState: c.lastState ?? {},
            })),
          }
        : {}),
    },
  };
}

/** A Deployment, StatefulSet or DaemonSet with its status counts. */
export function workload(w: {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet';
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  replicas: number;
  ready: number;
  updated?: number;
  generation?: number;
  observedGeneration?: number;
  createdSecondsAgo?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string; secondsAgo?: number }[];
  template?: Record<string, unknown>;
  annotations?: Record<string, string>;
}): KubeObject {
  const generation = w.generation ?? 1;
  const status =
    w.kind === 'DaemonSet'
      ? {
          desiredNumberScheduled: w.replicas,
          currentNumberScheduled: w.replicas,
          numberReady: w.ready,
          numberAvailable: w.ready,
          numberUnavailable: w.replicas - w.ready || undefined,
          updatedNumberScheduled: w.updated ?? w.replicas,
          observedGeneration: w.observedGeneration ?? generation,
        }
      : {
          replicas: w.replicas,
          readyReplicas: w.ready,
          availableReplicas: w.ready,
          updatedReplicas: w.updated ?? w.replicas,
          ...(w.kind === 'StatefulSet' ? { currentReplicas: w.replicas } : {}),
          observedGeneration: w.observedGeneration ?? generation,
          ...(w.conditions
            ? {
                conditions: w.conditions.map((c) => ({
                  type: c.type,
                  status: c.status,
                  ...(c.reason ? { reason: c.reason } : {}),
                  ...(c.message ? { message: c.message } : {}),
                  lastUpdateTime: ago(c.secondsAgo ?? 3600),
                  lastTransitionTime: ago(c.secondsAgo ?? 3600),
                })),
              }
            : {}),
        };
  return {
    apiVersion: 'apps/v1',
    kind: w.kind,
    metadata: {
      name: w.name,
      namespace: w.namespace,
      labels: w.labels ?? {},
      ...(w.annotations ? { annotations: w.annotations } : {}),
      creationTimestamp: ago(w.createdSecondsAgo ?? 40 * 86_400),
      generation,
    },
    spec: {
      ...(w.kind === 'DaemonSet' ? {} : { replicas: w.replicas }),
      selector: { matchLabels: w.labels ?? {} },
      ...(w.template ? { template: w.template } : {}),
    },
    status,
  };
}

export function serviceObject(s: {
  namespace: string;
  name: string;
  clusterIP?: string;
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  externalName?: string;
  selector?: Record<string, string>;
  ports?: { name?: string; port: number; targetPort?: number | string; protocol?: string }[];
  labels?: Record<string, string>;
  createdSecondsAgo?: number;
  publishNotReadyAddresses?: boolean;
}): KubeObject {
  const type = s.type ?? 'ClusterIP';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: s.labels ?? {},
      creationTimestamp: ago(s.createdSecondsAgo ?? 40 * 86_400),
    },
    spec: {
      type,
      ...(type === 'ExternalName'
        ? { externalName: s.externalName }
        : {
            clusterIP: s.clusterIP ?? 'None',
            clusterIPs: [s.clusterIP ?? 'None'],
            ipFamilies: ['IPv4'],
            sessionAffinity: 'None',
          }),
      ...(s.selector ? { selector: s.selector } : {}),
      ...(s.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
      ports: (s.ports ?? []).map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        port: p.port,
        targetPort: p.targetPort ?? p.port,
        protocol: p.protocol ?? 'TCP',
      })),
    },
    status: { loadBalancer: {} },
  };
}

export interface EndpointAddress {
  ip: string;
  nodeName?: string;
  /** The pod behind the address. */
  pod?: string;
}

/**
 * A Service's Endpoints and its EndpointSlice, as the endpoints controllers write them: ready
 * addresses and not-ready ones. No address at all means the Service has no endpoints.
 */
export function endpointsFor(e: {
  namespace: string;
  service: string;
  ready: EndpointAddress[];
  notReady?: EndpointAddress[];
  ports: { name?: string; port: number; protocol?: string }[];
  secondsAgo?: number;
}): KubeObject[] {
  const notReady = e.notReady ?? [];
  const address = (a: EndpointAddress) => ({
    ip: a.ip,
    ...(a.nodeName ? { nodeName: a.nodeName } : {}),
    ...(a.pod ? { targetRef: { kind: 'Pod', name: a.pod, namespace: e.namespace } } : {}),
  });
  const ports = e.ports.map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    port: p.port,
    protocol: p.protocol ?? 'TCP',
  }));
  const touched = ago(e.secondsAgo ?? 3600);
  const endpoints: KubeObject = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: e.service,
      namespace: e.namespace,
      creationTimestamp: ago(40 * 86_400),
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': touched },
    },
    subsets:
      e.ready.length + notReady.length === 0
        ? []
        : [
            {
              ...(e.ready.length > 0 ? { addresses: e.ready.map(address) } : {}),
              ...(notReady.length > 0 ? { notReadyAddresses: notReady.map(address) } : {}),
              ports,
            },
          ],
  };
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${e.service}-${(e.service.length * 7919).toString(36).slice(0, 5)}`,
      namespace: e.namespace,
      labels: {
        'kubernetes.io/service-name': e.service,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
      },
      creationTimestamp: ago(40 * 86_400),
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': touched },
    },
    addressType: 'IPv4',
    endpoints: [
      ...e.ready.map((a) => ({ a, ready: true })),
      ...notReady.map((a) => ({ a, ready: false })),
    ].map(({ a, ready }) => ({
      addresses: [a.ip],
      conditions: { ready, serving: ready, terminating: false },
      ...(a.nodeName ? { nodeName: a.nodeName } : {}),
      ...(a.pod ? { targetRef: { kind: 'Pod', name: a.pod, namespace: e.namespace } } : {}),
    })),
    ports,
  };
  return [endpoints, slice];
}

export function configMap(
  namespace: string,
  name: string,
  data: Record<string, string>,
  options: { labels?: Record<string, string>; createdSecondsAgo?: number; modifiedSecondsAgo?: number } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      labels: options.labels ?? {},
      creationTimestamp: ago(options.createdSecondsAgo ?? 40 * 86_400),
      ...(options.modifiedSecondsAgo !== undefined
        ? {
            managedFields: [
              {
                manager: 'kubectl-edit',
                operation: 'Update',
                apiVersion: 'v1',
                time: ago(options.modifiedSecondsAgo),
                fieldsType: 'FieldsV1',
                fieldsV1: { 'f:data': { 'f:Corefile': {} } },
              },
            ],
          }
        : {}),
    },
    data,
  };
}

export function storageClass(s: {
  name: string;
  provisioner: string;
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  parameters?: Record<string, string>;
  isDefault?: boolean;
  allowVolumeExpansion?: boolean;
}): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: {
      name: s.name,
      creationTimestamp: ago(40 * 86_400),
      ...(s.isDefault ? { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    provisioner: s.provisioner,
    parameters: s.parameters ?? {},
    reclaimPolicy: 'Delete',
    volumeBindingMode: s.volumeBindingMode ?? 'WaitForFirstConsumer',
    allowVolumeExpansion: s.allowVolumeExpansion ?? true,
  };
}

export function persistentVolumeClaim(c: {
  namespace: string;
  name: string;
  storageClassName: string;
  request: string;
  phase: 'Pending' | 'Bound' | 'Lost';
  volumeName?: string;
  createdSecondsAgo?: number;
  /** The provisioner the PV controller is waiting for (annotation volume.kubernetes.io/storage-provisioner). */
  provisioner?: string;
  selectedNode?: string;
  labels?: Record<string, string>;
}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: c.name,
      namespace: c.namespace,
      labels: c.labels ?? {},
      creationTimestamp: ago(c.createdSecondsAgo ?? 86_400),
      annotations: {
        ...(c.provisioner
          ? {
              'volume.beta.kubernetes.io/storage-provisioner': c.provisioner,
              'volume.kubernetes.io/storage-provisioner': c.provisioner,
            }
          : {}),
        ...(c.selectedNode ? { 'volume.kubernetes.io/selected-node': c.selectedNode } : {}),
        ...(c.phase === 'Bound'
          ? { 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' }
          : {}),
      },
      finalizers: ['kubernetes.io/pvc-protection'],
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: c.request } },
      storageClassName: c.storageClassName,
      volumeMode: 'Filesystem',
      ...(c.volumeName ? { volumeName: c.volumeName } : {}),
    },
    status: {
      phase: c.phase,
      ...(c.phase === 'Bound' ? { accessModes: ['ReadWriteOnce'], capacity: { storage: c.request } } : {}),
    },
  };
}

export function persistentVolume(v: {
  name: string;
  claim: { namespace: string; name: string };
  storageClassName: string;
  capacity: string;
  volumeHandle: string;
  zone: string;
  phase?: 'Bound' | 'Released' | 'Available' | 'Failed';
  createdSecondsAgo?: number;
}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: v.name,
      creationTimestamp: ago(v.createdSecondsAgo ?? 30 * 86_400),
      annotations: { 'pv.kubernetes.io/provisioned-by': 'ebs.csi.aws.com' },
      finalizers: ['kubernetes.io/pv-protection', 'external-attacher/ebs-csi-aws-com'],
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: v.capacity },
      claimRef: { kind: 'PersistentVolumeClaim', namespace: v.claim.namespace, name: v.claim.name },
      csi: { driver: 'ebs.csi.aws.com', fsType: 'ext4', volumeHandle: v.volumeHandle },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            {
              matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [v.zone] }],
            },
          ],
        },
      },
      persistentVolumeReclaimPolicy: 'Delete',
      storageClassName: v.storageClassName,
      volumeMode: 'Filesystem',
    },
    status: { phase: v.phase ?? 'Bound' },
  };
}

export interface WebhookSpec {
  name: string;
  service?: { namespace: string; name: string; path: string; port?: number };
  url?: string;
  failurePolicy?: 'Fail' | 'Ignore';
  rules: { apiGroups: string[]; apiVersions: string[]; operations: string[]; resources: string[] }[];
  namespaceSelector?: Record<string, unknown>;
  objectSelector?: Record<string, unknown>;
  timeoutSeconds?: number;
}

export function webhookConfiguration(
  kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration',
  name: string,
  webhooks: WebhookSpec[],
  options: { createdSecondsAgo?: number; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind,
    metadata: {
      name,
      labels: options.labels ?? {},
      creationTimestamp: ago(options.createdSecondsAgo ?? 40 * 86_400),
      generation: 1,
    },
    webhooks: webhooks.map((w) => ({
      name: w.name,
      admissionReviewVersions: ['v1'],
      clientConfig: w.service
        ? {
            service: {
              namespace: w.service.namespace,
              name: w.service.name,
              path: w.service.path,
              port: w.service.port ?? 443,
            },
            caBundle:
              'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUMvakNDQWVhZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwK',
          }
        : { url: w.url },
      failurePolicy: w.failurePolicy ?? 'Fail',
      matchPolicy: 'Equivalent',
      namespaceSelector: w.namespaceSelector ?? {},
      objectSelector: w.objectSelector ?? {},
      rules: w.rules.map((r) => ({ ...r, scope: '*' })),
      sideEffects: 'None',
      timeoutSeconds: w.timeoutSeconds ?? 10,
      ...(kind === 'MutatingWebhookConfiguration' ? { reinvocationPolicy: 'Never' } : {}),
    })),
  };
}

/** A coordination.k8s.io Lease (leader election, or a node's heartbeat). */
export function lease(l: {
  namespace: string;
  name: string;
  holder: string;
  renewSecondsAgo: number;
  acquiredSecondsAgo?: number;
  durationSeconds?: number;
  transitions?: number;
}): KubeObject {
  const micro = (s: number) => ago(s).replace('Z', '000Z');
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: l.name, namespace: l.namespace, creationTimestamp: ago(40 * 86_400) },
    spec: {
      holderIdentity: l.holder,
      leaseDurationSeconds: l.durationSeconds ?? 15,
      acquireTime: micro(l.acquiredSecondsAgo ?? 2 * 86_400),
      renewTime: micro(l.renewSecondsAgo),
      leaseTransitions: l.transitions ?? 3,
    },
  };
}

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** A ClusterRole; `modified` records who last wrote it and when (its managedFields), as `kubectl get -o yaml --show-managed-fields` shows. */
export function clusterRole(
  name: string,
  rules: PolicyRule[],
  modified?: { manager: string; secondsAgo: number },
): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name,
      creationTimestamp: ago(30 * 86_400),
      labels: { 'app.kubernetes.io/name': 'tenant-operator', 'app.kubernetes.io/managed-by': 'kustomize' },
      ...(modified
        ? {
            managedFields: [
              {
                manager: modified.manager,
                operation: 'Update',
                apiVersion: 'rbac.authorization.k8s.io/v1',
                time: ago(modified.secondsAgo),
                fieldsType: 'FieldsV1',
                fieldsV1: { 'f:rules': {} },
              },
            ],
          }
        : {}),
    },
    rules,
  };
}

export function roleBinding(b: {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  namespace?: string;
  role: { kind: 'ClusterRole' | 'Role'; name: string };
  subjects: { kind: 'ServiceAccount' | 'Group' | 'User'; name: string; namespace?: string }[];
  createdSecondsAgo?: number;
}): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: b.kind,
    metadata: {
      name: b.name,
      ...(b.namespace ? { namespace: b.namespace } : {}),
      creationTimestamp: ago(b.createdSecondsAgo ?? 30 * 86_400),
    },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: b.role.kind, name: b.role.name },
    subjects: b.subjects.map((s) => ({
      kind: s.kind,
      name: s.name,
      ...(s.namespace ? { namespace: s.namespace } : {}),
      ...(s.kind === 'ServiceAccount' ? {} : { apiGroup: 'rbac.authorization.k8s.io' }),
    })),
  };
}

/**
 * An event with every field `kubectl get events -o yaml` shows: first and last time, count, the
 * component (and host) that reported it, the involved object's API version.
 */
export function eventOf(e: {
  namespace: string;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  kind: string;
  name: string;
  objectNamespace?: string | null;
  apiVersion?: string;
  /** Seconds ago the event was last seen, and first seen (defaults to the last). */
  lastSecondsAgo: number;
  firstSecondsAgo?: number;
  count?: number;
  component: string;
  host?: string;
}): KubeObject {
  const first = e.firstSecondsAgo ?? e.lastSecondsAgo;
  // Event names are the object's name and a unique suffix: a hash of what tells events apart.
  let hash = 2166136261;
  for (const ch of `${e.reason}/${e.message}/${first}/${e.lastSecondsAgo}`)
    hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${e.name}.${(hash >>> 0).toString(16).padStart(8, '0')}${(first % 256).toString(16).padStart(2, '0')}`,
      namespace: e.namespace,
      creationTimestamp: ago(first),
    },
    involvedObject: {
      kind: e.kind,
      name: e.name,
      ...(e.objectNamespace === null ? {} : { namespace: e.objectNamespace ?? e.namespace }),
      ...(e.apiVersion ? { apiVersion: e.apiVersion } : {}),
    },
    reason: e.reason,
    message: e.message,
    type: e.type,
    count: e.count ?? 1,
    firstTimestamp: ago(first),
    lastTimestamp: ago(e.lastSecondsAgo),
    source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
    reportingComponent: e.component,
    reportingInstance: e.host ?? '',
  };
}
