import type { OperatorNames } from './model/operator.js';

export const OPERATOR_PRESETS = {
  'tenant-operator': {
    namespace: 'tenant-operator-system',
    deployment: 'tenant-operator-controller-manager',
    container: 'manager',
    serviceAccount: 'tenant-operator-controller-manager',
    podSelector: 'control-plane=controller-manager,app.kubernetes.io/name=tenant-operator',
    metricsService: 'tenant-operator-controller-manager-metrics-service',
    metricsPort: 8443,
    reconcileMetric: 'tenant_reconcile_duration_seconds',
    crds: {
      group: 'operator.kubernetes-tenants.org',
      version: 'v1',
      tenant: { kind: 'Tenant', plural: 'tenants' },
      registry: { kind: 'TenantRegistry', plural: 'tenantregistries' },
      template: { kind: 'TenantTemplate', plural: 'tenanttemplates' },
    },
  },
  lynq: {
    namespace: 'lynq-system',
    deployment: 'lynq-controller-manager',
    container: 'manager',
    serviceAccount: 'lynq-controller-manager',
    podSelector: 'control-plane=controller-manager,app.kubernetes.io/name=lynq',
    metricsService: 'lynq-controller-manager-metrics-service',
    metricsPort: 8443,
    reconcileMetric: 'lynqnode_reconcile_duration_seconds',
    crds: {
      group: 'operator.lynq.sh',
      version: 'v1',
      tenant: { kind: 'LynqNode', plural: 'lynqnodes' },
      registry: { kind: 'LynqHub', plural: 'lynqhubs' },
      template: { kind: 'LynqForm', plural: 'lynqforms' },
    },
  },
} as const satisfies Record<string, OperatorNames>;

export type OperatorPreset = keyof typeof OPERATOR_PRESETS;

/** The selector the runbook's commands use; recorded where it would have misled. */
export const RUNBOOK_POD_SELECTOR = 'app=tenant-operator';
