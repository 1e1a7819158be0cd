/**
 * The operator as it really runs (see shared/reference/tenant-operator/ and DESIGN.md), not as the
 * runbook's commands assume: the runbook's `-l app=tenant-operator` selects nothing, metrics are on
 * :8443 over HTTPS, and concurrency is set by flags. Lynq is the same operator after its rename.
 */

export interface CustomResourceNames {
  kind: string;
  plural: string;
}

export interface OperatorNames {
  namespace: string;
  deployment: string;
  container: string;
  serviceAccount: string;
  /** Label selector of the operator's pods, as `kubectl -l` takes it. */
  podSelector: string;
  metricsService: string;
  metricsPort: number;
  /** The histogram whose `_count{result=...}` the runbook's alert divides. */
  reconcileMetric: string;
  crds: {
    group: string;
    version: string;
    tenant: CustomResourceNames;
    registry: CustomResourceNames;
    template: CustomResourceNames;
  };
}
