/**
 * What an error message says about its cause, as an experienced engineer reads the operator's logs
 * and the cluster's events: the API server's own address and paths tell an API server problem from
 * an external one, Kubernetes' and Go's standard messages tell throttling from RBAC from a webhook.
 * Conflicts ("the object has been modified") are normal optimistic-concurrency noise: no cause.
 */
import type { CauseId } from './causes.js';

/** The in-cluster API server as the operator reaches it: its Service IP, name or REST paths. */
const API_SERVER =
  /kubernetes\.default|(172\.20\.0\.1|10\.100\.0\.1|10\.96\.0\.1)(:443)?\/|(172\.20\.0\.1|10\.100\.0\.1|10\.96\.0\.1):443|[a-z0-9.-]+\.eks\.(?:amazonaws\.com|c2s\.ic\.gov|sc2s\.sgov\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)|the server (is currently unable|was unable|has received too many)/i;
const CLUSTER_DNS_NAME = /lookup [^\s:]+\.(svc|cluster\.local)\S*/i;
const DNS = /no such host|server misbehaving|lookup \S+ on \S+:53|dial udp \S+:53/i;
const TIMEOUT = /timeout|timed out|deadline exceeded|Client\.Timeout/i;

interface Rule {
  cause: CauseId | null;
  weight: number;
  test: (text: string) => boolean;
}

const re = (pattern: RegExp) => (text: string) => pattern.test(text);

const RULES: Rule[] = [
  // Probes failing on some pod are that pod's business, not the operator's cause.
  { cause: null, weight: 0, test: re(/(Readiness|Liveness|Startup) probe failed/i) },
  // A workload that is not up yet is a symptom: scheduling, capacity, quota or image checks name why.
  {
    cause: null,
    weight: 0,
    test: re(/\d+\/\d+ replicas available|is not ready yet|waiting for (the )?rollout/i),
  },
  { cause: null, weight: 0, test: re(/the object has been modified|Operation cannot be fulfilled on/i) },
  {
    cause: 'admission-webhook-denied',
    weight: 0.9,
    test: re(
      /admission webhook "?[^"\s]*"? denied the request|failed calling webhook|denied by ValidatingAdmissionPolicy/i,
    ),
  },
  { cause: 'quota-exceeded', weight: 0.9, test: re(/exceeded quota|quota exceeded/i) },
  {
    cause: 'rbac-denied',
    weight: 0.9,
    test: re(
      /is forbidden: User "[^"]+" cannot|cannot (get|list|watch|create|update|patch|delete) resource/i,
    ),
  },
  {
    cause: 'apiserver-auth',
    weight: 0.85,
    test: re(
      /x509:|certificate has expired|certificate signed by unknown authority|\bUnauthorized\b|invalid bearer token|provide credentials|token has expired/i,
    ),
  },
  {
    cause: 'apiserver-throttling',
    weight: 0.85,
    test: re(
      /\b429\b|Too Many Requests|client-side throttling|rate: Wait\(n=\d+\) would exceed context deadline|TooManyRequests|throttl/i,
    ),
  },
  {
    cause: 'etcd-degraded',
    weight: 0.85,
    test: re(
      /etcdserver|etcd cluster is unavailable|possibly due to previous leader failure|database space exceeded/i,
    ),
  },
  {
    cause: 'storage-provisioning',
    weight: 0.8,
    test: re(
      /ProvisioningFailed|failed to provision volume|FailedAttachVolume|FailedMount|persistentvolumeclaim "[^"]+" not found|waiting for a volume to be created/i,
    ),
  },
  {
    cause: 'pod-scheduling',
    weight: 0.8,
    test: re(
      /FailedScheduling|\d+\/\d+ nodes are available|Insufficient (cpu|memory)|didn't match Pod's node affinity|untolerated taint/i,
    ),
  },
  {
    cause: 'datasource-unavailable',
    weight: 0.85,
    test: re(
      /mysql|mariadb|:3306\b|Error 104[0-9]|Error 2003|DatabaseConnectionFailed|sql: |database is (down|unavailable)|connection to (the )?database/i,
    ),
  },
  {
    cause: 'dns-failure',
    weight: 0.85,
    test: (t) => DNS.test(t) && (CLUSTER_DNS_NAME.test(t) || API_SERVER.test(t)),
  },
  { cause: 'external-dns', weight: 0.8, test: (t) => DNS.test(t) },
  {
    cause: 'apiserver-network',
    weight: 0.8,
    test: (t) =>
      API_SERVER.test(t) &&
      /connection refused|no route to host|network is unreachable|dial tcp [^:]+:443: i\/o timeout/i.test(t),
  },
  {
    cause: 'network-instability',
    weight: 0.6,
    test: re(
      /connection reset by peer|http2: client connection lost|use of closed network connection|GOAWAY|broken pipe|unexpected EOF|http2: server sent GOAWAY/i,
    ),
  },
  {
    cause: 'apiserver-unavailable',
    weight: 0.75,
    test: (t) =>
      /the server is currently unable to handle the request|ServiceUnavailable|Timeout: request did not complete|the server was unable to return a response/i.test(
        t,
      ) ||
      (API_SERVER.test(t) && TIMEOUT.test(t)),
  },
  {
    cause: 'external-api-timeout',
    weight: 0.7,
    test: (t) => TIMEOUT.test(t) && /https?:\/\/|dial tcp/i.test(t) && !API_SERVER.test(t),
  },
  {
    cause: 'controller-crash',
    weight: 0.8,
    test: re(/\bpanic\b|nil pointer dereference|invalid memory address|Observed a panic|fatal error:/i),
  },
];

export interface Classified {
  cause: CauseId | null;
  weight: number;
}

/** The cause an error message points at, or null (noise, or nothing recognisable). */
export function classifyMessage(text: string): Classified | undefined {
  const rule = RULES.find((r) => r.test(text));
  return rule ? { cause: rule.cause, weight: rule.weight } : undefined;
}
