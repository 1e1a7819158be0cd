/**
 * What one collection read from the cluster: one field per runbook source, each a SourceResult so
 * that what could not be read is as visible to the checks as what could. Only the fields the checks
 * need are kept (a tenant is a handful of strings, not its object).
 */

import type { LogSummary } from './logs.js';
import type { MetricsEvaluation } from './metrics.js';
import type { OperatorNames } from './operator.js';
import type { SourceResult } from './source.js';

export interface Resources {
  /** CPU in cores. */
  cpu?: number;
  /** Memory in bytes. */
  memory?: number;
}

export interface ContainerState {
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  reason?: string;
  message?: string;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface OperatorContainer {
  name: string;
  ready: boolean;
  restartCount: number;
  current: ContainerState;
  /** How the previous run of the container ended (OOMKilled, Error, ...), when it restarted. */
  last?: ContainerState;
  requests: Resources;
  limits: Resources;
}

export interface OperatorPod {
  name: string;
  phase: string;
  ready: boolean;
  nodeName?: string;
  startTime?: string;
  createdAt?: string;
  replicaSet?: string;
  containers: OperatorContainer[];
}

export interface OperatorPods {
  selector: string;
  pods: OperatorPod[];
  /** What the runbook's `-l app=tenant-operator` selects: nothing, on the real operator. */
  runbookSelector: { selector: string; matched: number } | { selector: string; error: string };
}

export interface ContainerUsage {
  pod: string;
  container: string;
  usage: Resources;
}

export interface LogStream {
  pod: string;
  container: string;
  previous: boolean;
  lines: number;
  /** The text as read (redacted before it leaves memory, by the bundle). */
  text: string;
}

export interface OperatorLogs {
  tailLines: number;
  streams: LogStream[];
  /** Streams that could not be read, and why. */
  unread: { pod: string; container: string; previous: boolean; error: string }[];
  summary: LogSummary;
}

export interface ReplicaSetRevision {
  name: string;
  revision?: number;
  createdAt?: string;
  replicas: number;
  readyReplicas: number;
  image?: string;
}

export interface OperatorDeployment {
  name: string;
  replicas: { desired: number; ready: number; available: number; updated: number };
  image?: string;
  args: string[];
  /** The flags as set (`--tenant-concurrency=10` → `{ "tenant-concurrency": "10" }`). */
  flags: Record<string, string>;
  concurrency: { tenant?: number; registry?: number; template?: number };
  kubeApi: { qps?: number; burst?: number };
  /** Env var names set on the container (the runbook's TENANT_CONCURRENCY is not read by the operator). */
  envNames: string[];
  requests: Resources;
  limits: Resources;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  replicaSets: ReplicaSetRevision[];
  /** When the newest ReplicaSet was created: the last rollout. */
  lastRolloutAt?: string;
}

export interface HealthProbe {
  path: string;
  status: number;
  body: string;
  elapsedMs: number;
  /** `[-]etcd failed: reason withheld` lines of a verbose readyz/livez. */
  failedChecks: string[];
}

export interface ApiServerHealth {
  probes: (HealthProbe | { path: string; error: string; kind: string })[];
}

export interface ApiServerMetrics {
  /** The lines the runbook greps (`apiserver_*`, etcd request latency), for the bundle. */
  text: string;
  requestsByCode: Record<string, number>;
  /** Requests refused by API Priority and Fairness, by priority level. */
  flowControlRejected: number;
  requestDuration?: { sum: number; count: number };
  etcdRequestDuration?: { sum: number; count: number };
  inflight: Record<string, number>;
}

export interface NotReadyTenant {
  namespace: string;
  name: string;
  ready: string;
  reason?: string;
  message?: string;
}

export interface TenantSummary {
  kind: string;
  total: number;
  byReady: Record<'True' | 'False' | 'Unknown' | 'Missing', number>;
  degraded: number;
  conflicted: number;
  /** Not-ready tenants, the first ones in list order (bounded; `total` counts them all). */
  notReady: NotReadyTenant[];
  notReadyByReason: Record<string, number>;
  namespaces: number;
  pages: number;
}

export interface RegistryStatus {
  namespace: string;
  name: string;
  desired?: number;
  ready?: number;
  failed?: number;
  readyCondition?: { status: string; reason?: string; message?: string; since?: string };
  /** Where the registry's datasource is (spec.source.mysql), and what the cluster knows of it. */
  datasource?: DatasourceTarget;
}

/** A registry's datasource: its address, and, when that address is a Service of this cluster, its endpoints. */
export interface DatasourceTarget {
  type: string;
  host: string;
  port: number;
  /** `cluster`: a Service name (`name.namespace`, `*.svc`, `*.svc.cluster.local`); `external`: anything else. */
  scope: 'cluster' | 'external';
  /** For a cluster Service: its ready and not-ready endpoint addresses, or why they could not be read. */
  service?:
    | {
        namespace: string;
        name: string;
        exists: boolean;
        readyEndpoints: number;
        notReadyEndpoints: number;
        /** An ExternalName Service: the outside name it points to (it has no endpoints of its own). */
        externalName?: string;
      }
    | { namespace: string; name: string; error: string };
}

export interface TemplateStatus {
  namespace: string;
  name: string;
  ready?: string;
  reason?: string;
}

export interface RbacCheck {
  id: string;
  /** The runbook's command this check answers (or corrects). */
  runbookCommand: string;
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  /** True where the runbook's literal command asks a different question than the operator needs. */
  misleading?: boolean;
  allowed?: boolean;
  reason?: string;
  error?: string;
}

export interface RbacChecks {
  user: string;
  checks: RbacCheck[];
}

export interface NodeStatus {
  name: string;
  ready: string;
  pressures: string[];
  unschedulable: boolean;
  allocatable: Resources & { pods?: number };
  requested: Resources & { pods: number };
  usage?: Resources;
  kubeletVersion?: string;
}

export interface NodeSummary {
  nodes: NodeStatus[];
  /** How long the list of nodes took: the runbook's `time kubectl get nodes`. */
  listElapsedMs: number;
  podsCounted: number;
  /** Requests could not be summed (the pod list failed or was cut): `requested` is a lower bound. */
  requestsIncomplete?: string;
  usageUnavailable?: string;
}

export interface QuotaUsage {
  namespace: string;
  name: string;
  resource: string;
  used: number;
  hard: number;
  usedText: string;
  hardText: string;
}

export interface ResourceQuotaSummary {
  quotas: number;
  /** Resources at 90% of their hard limit or more, fullest first (bounded). */
  nearLimit: QuotaUsage[];
  atLimit: number;
}

/** One egress rule: the ports it allows (empty: every port) and to whom (empty: everyone). */
export interface EgressRule {
  ports: string[];
  /** `cidr:10.0.0.0/16` (with `except:` ranges), `namespace:{k=v}`, `pod:{k=v}`; empty = any destination. */
  peers: string[];
}

export interface NetworkPolicyStatus {
  name: string;
  policyTypes: string[];
  selectsOperator: boolean;
  ingressRules: number;
  egressRules: number;
  /** Egress is restricted for the operator's pods (and to which ports, when listed). */
  restrictsEgress: boolean;
  egressPorts: string[];
  /** The egress rules as written (bounded). */
  egress: EgressRule[];
}

export interface EventRecord {
  namespace?: string;
  kind?: string;
  name?: string;
  type: string;
  reason?: string;
  message?: string;
  count: number;
  /** When the event was first seen (firstTimestamp, or the series' start). */
  firstTime?: string;
  lastTime?: string;
}

export interface EventSummary {
  /** The last 100 by time, warnings first. */
  recent: EventRecord[];
  warningsByReason: Record<string, number>;
  total: number;
  truncated: boolean;
}

/** A pod of kube-system (CoreDNS, aws-node, kube-proxy, CSI drivers): its health as `kubectl get pods` shows it. */
export interface SystemPod {
  name: string;
  /** The `k8s-app` or `app.kubernetes.io/name` (or `app`) label: `kube-dns`, `aws-node`, `kube-proxy`, ... */
  app: string;
  phase: string;
  ready: boolean;
  nodeName?: string;
  restartCount: number;
  /** Why a container waits (CrashLoopBackOff, ...). */
  waitingReason?: string;
  /** How the last run of a container ended, and when. */
  lastTerminated?: { reason?: string; exitCode?: number; finishedAt?: string };
  startedAt?: string;
}

/** The cluster's own plumbing the runbook's causes hinge on: DNS, the CNI, kube-proxy. */
export interface KubeSystemSummary {
  pods: SystemPod[];
  /** The kube-dns Service's endpoints: ready and not-ready addresses (or why they could not be read). */
  dnsEndpoints: { ready: number; notReady: number } | { error: string };
  /** CoreDNS's error lines (`[ERROR] plugin/errors: ...`, `[WARNING]`), summarised as the operator's logs are. */
  dnsLogs?: LogSummary;
  /** CoreDNS pods whose logs could not be read, and why (absent when every log was read). */
  dnsLogsUnread?: { pod: string; error: string }[];
  /** The control plane's own controllers, by their leader-election leases (absent when not readable). */
  controlPlaneLeases?: { name: string; holder?: string; renewTime?: string; durationSeconds?: number }[];
}

/**
 * How the API server's endpoint may be reached (DescribeCluster's `resourcesVpcConfig`) and where the
 * checker runs: what decides, when the endpoint cannot be reached, what to configure.
 */
export interface EndpointAccess {
  endpointPublicAccess: boolean;
  endpointPrivateAccess: boolean;
  /** Who may reach the public endpoint; `0.0.0.0/0` is everyone. */
  publicAccessCidrs: string[];
  vpcId?: string;
  clusterSecurityGroupId?: string;
  /** The function's VPC (config `vpc`); absent when it runs outside any VPC (or on a laptop, unknown). */
  checker?: { vpcId: string; securityGroupIds?: string[] };
}

export interface ClusterSnapshot {
  cluster: string;
  server: string;
  collectedAt: string;
  operator: OperatorNames;
  /** How long the whole collection took, and its budget. */
  elapsedMs: number;
  budgetMs: number;
  operatorPods: SourceResult<OperatorPods>;
  podMetrics: SourceResult<ContainerUsage[]>;
  operatorLogs: SourceResult<OperatorLogs>;
  operatorDeployment: SourceResult<OperatorDeployment>;
  apiServerHealth: SourceResult<ApiServerHealth>;
  apiServerMetrics: SourceResult<ApiServerMetrics>;
  tenants: SourceResult<TenantSummary>;
  registries: SourceResult<RegistryStatus[]>;
  templates: SourceResult<TemplateStatus[]>;
  rbacChecks: SourceResult<RbacChecks>;
  nodes: SourceResult<NodeSummary>;
  resourceQuotas: SourceResult<ResourceQuotaSummary>;
  networkPolicies: SourceResult<NetworkPolicyStatus[]>;
  events: SourceResult<EventSummary>;
  /** kube-system: CoreDNS (pods, endpoints, logs), aws-node, kube-proxy and the CSI drivers. */
  kubeSystem: SourceResult<KubeSystemSummary>;
  /** The runbook's error rate and the signals around it, from the cluster's metrics source. */
  metrics: SourceResult<MetricsEvaluation>;
  /** The endpoint's access settings, when the cluster was reached through EKS (DescribeCluster). */
  endpoint?: EndpointAccess;
}
