/**
 * The runbook's "Possible Causes", one id each (a contract: scripts and dashboards rely on these).
 * Extend, don't rename.
 */
export const CAUSES = {
  'apiserver-unavailable': { group: 'API server', title: 'API server overloaded or unavailable' },
  'apiserver-throttling': { group: 'API server', title: 'API server throttling requests' },
  'apiserver-network': { group: 'API server', title: 'network connectivity problems to the API server' },
  'apiserver-auth': { group: 'API server', title: 'certificate or authentication errors' },
  'controller-bug': { group: 'controller', title: 'bugs in reconciliation logic' },
  'controller-crash': { group: 'controller', title: 'panic or crashes in controller code' },
  'controller-resource-exhaustion': {
    group: 'controller',
    title: 'operator resource exhaustion (memory, CPU)',
  },
  'controller-deadlock': { group: 'controller', title: 'deadlocks or goroutine leaks' },
  'etcd-degraded': { group: 'cluster infrastructure', title: 'etcd performance degradation' },
  'control-plane-degraded': { group: 'cluster infrastructure', title: 'control plane issues' },
  'network-instability': { group: 'cluster infrastructure', title: 'network partitions or instability' },
  'dns-failure': { group: 'cluster infrastructure', title: 'cluster DNS resolution failures' },
  'rbac-denied': { group: 'RBAC and admission', title: 'operator permissions revoked or missing' },
  'admission-webhook-denied': {
    group: 'RBAC and admission',
    title: 'admission webhooks blocking operations',
  },
  'quota-exceeded': { group: 'resource constraints', title: 'namespace quotas exceeded' },
  'cluster-capacity': { group: 'resource constraints', title: 'cluster resource exhaustion' },
  'storage-provisioning': { group: 'resource constraints', title: 'storage provisioner failures' },
  'pod-scheduling': { group: 'resource constraints', title: 'pod scheduling failures' },
  'datasource-unavailable': { group: 'external dependencies', title: 'datasource (database) unavailable' },
  'external-api-timeout': { group: 'external dependencies', title: 'external APIs timing out' },
  'external-dns': { group: 'external dependencies', title: 'DNS failures for external services' },
  'network-policy-blocking': { group: 'external dependencies', title: 'network policies blocking traffic' },
} as const;

export type CauseId = keyof typeof CAUSES;
export const CAUSE_IDS = Object.keys(CAUSES) as CauseId[];
