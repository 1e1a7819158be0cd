/**
 * The runbook's resolution for each cause, written with the cluster's real names (namespace,
 * deployment, selector, the flags the operator really runs with) and a note wherever the runbook's
 * literal command would mislead on the real operator.
 */

import type { CauseId } from '../model/causes.js';
import { mebibytes } from '../model/format.js';
import type { OperatorNames } from '../model/operator.js';
import type { OperatorDeployment } from '../model/snapshot.js';

export interface Names {
  operator: OperatorNames;
  deployment?: OperatorDeployment;
}

export const RUNBOOK_NOTES = {
  selector: (o: OperatorNames) =>
    `Note: the runbook's \`-l app=tenant-operator\` selects no pod of the real operator; use \`-l ${o.podSelector}\`.`,
  metricsPort: (o: OperatorNames) =>
    `Note: the operator serves metrics over HTTPS on :${o.metricsPort} with authentication (service ${o.metricsService}), not on :8080 as the runbook's port-forward assumes.`,
  envVars:
    "Note: the operator reads flags, not environment variables: the runbook's `kubectl set env ... TENANT_CONCURRENCY=...` changes nothing.",
  pause:
    "Note: the operator does not implement the runbook's `tenant.operator.kubernetes-tenants.org/pause` annotation: annotating a registry pauses nothing.",
  canI: (o: OperatorNames) =>
    `Note: the runbook's \`kubectl auth can-i update ${o.crds.tenant.plural}/status\` asks about a ${o.crds.tenant.kind} named "status" and says yes even when the status subresource is denied; ask \`kubectl auth can-i update ${o.crds.tenant.plural} --subresource=status\`.`,
};

function flag(n: Names, name: string, fallback: string): string {
  return n.deployment?.flags[name] ?? fallback;
}

export function remediationFor(cause: CauseId, n: Names): string[] {
  const { operator: o } = n;
  const ns = o.namespace;
  const deploy = o.deployment;
  const sel = o.podSelector;
  const sa = `system:serviceaccount:${ns}:${o.serviceAccount}`;
  const editArgs = `kubectl edit deployment -n ${ns} ${deploy}   # container ${o.container}, args`;
  const concurrency = `--tenant-concurrency (now ${flag(n, 'tenant-concurrency', 'unset, default 10')}), --registry-concurrency (now ${flag(n, 'registry-concurrency', 'unset')})`;
  switch (cause) {
    case 'apiserver-throttling':
      return [
        `Raise the operator's client rate limits: ${editArgs}; add or raise --kube-api-qps=50 and --kube-api-burst=100 (now ${flag(n, 'kube-api-qps', 'unset')}/${flag(n, 'kube-api-burst', 'unset')}).`,
        `If the API server itself rejects (429 from API Priority and Fairness), lower the operator's concurrency instead: ${concurrency}.`,
        'Identify other heavy API consumers (apiserver_request_total by user agent in the API server metrics).',
        RUNBOOK_NOTES.envVars,
      ];
    case 'apiserver-unavailable':
    case 'control-plane-degraded':
      return [
        "Check the API server's health and logs (on EKS: the control plane logs in CloudWatch, log group /aws/eks/<cluster>/cluster); `kubectl get --raw /readyz?verbose`.",
        `Reduce the operator's load temporarily: ${concurrency} via ${editArgs}; or \`kubectl scale deployment -n ${ns} ${deploy} --replicas=1\`.`,
        'Identify other heavy API consumers; on EKS, open a support case if the control plane stays degraded.',
      ];
    case 'apiserver-network':
    case 'network-instability':
      return [
        `Check connectivity from the operator's node to the API server: \`kubectl get pods -n ${ns} -l ${sel} -o wide\`, then the node's VPC CNI (aws-node) pods and security groups.`,
        'Check kube-proxy and the aws-node DaemonSet in kube-system for restarts and errors.',
        RUNBOOK_NOTES.selector(o),
      ];
    case 'apiserver-auth':
      return [
        `Check the operator's service account and token: \`kubectl get serviceaccount -n ${ns} ${o.serviceAccount}\` (tokens are projected; the runbook's \`kubectl get secrets | grep\` finds none on current Kubernetes).`,
        `Restart the operator to get a fresh projected token: \`kubectl rollout restart deployment -n ${ns} ${deploy}\`.`,
        'Check certificate expiry of any webhook or API service the operator calls (x509 errors name it).',
      ];
    case 'controller-crash':
    case 'controller-bug':
      return [
        `Read the panics and stack traces: \`kubectl logs -n ${ns} -l ${sel} --previous --tail=500 | grep -i -A20 "panic\\|fatal"\`.`,
        `Restart the controller: \`kubectl rollout restart deployment -n ${ns} ${deploy}\` and \`kubectl rollout status deployment -n ${ns} ${deploy} --timeout=60s\`.`,
        `If a recent rollout introduced it, roll back: \`kubectl rollout undo deployment -n ${ns} ${deploy}\`.`,
        "Open an issue in the operator's repository with the escalation bundle.",
        RUNBOOK_NOTES.selector(o),
      ];
    case 'controller-resource-exhaustion':
      return [
        `Raise the operator's resources: ${editArgs}; e.g. requests memory 512Mi / cpu 500m, limits memory 2Gi / cpu 2000m (now ${describeResources(n.deployment)}).`,
        `Or reduce its concurrency: ${concurrency}.`,
        RUNBOOK_NOTES.envVars,
      ];
    case 'controller-deadlock':
      return [
        `Restart the controller to clear stuck workers: \`kubectl rollout restart deployment -n ${ns} ${deploy}\`.`,
        `Capture goroutines first if you can (pprof, if enabled) and attach the escalation bundle to an operator issue.`,
        `Reduce concurrency while it is investigated: ${concurrency}.`,
      ];
    case 'etcd-degraded':
      return [
        'etcd is managed by EKS: check the control plane metrics (etcd request latency, apiserver_storage_objects) and the EKS health of the cluster; open a support case if latency stays high.',
        `Reduce write load: lower the operator's concurrency (${concurrency}) and look for objects with very large or very many writes.`,
      ];
    case 'dns-failure':
      return [
        'Check CoreDNS: `kubectl get pods -n kube-system -l k8s-app=kube-dns` and its logs; scale it or the node-local DNS cache if overloaded.',
        `Test from the operator's namespace: \`kubectl run dns-test -n ${ns} --rm -it --image=busybox:1.36 --restart=Never -- nslookup kubernetes.default\` (the operator image has no shell for the runbook's \`kubectl exec ... nslookup\`).`,
      ];
    case 'rbac-denied':
      return [
        `Reapply the operator's RBAC (config/rbac/ of the release you run) and check its ClusterRoleBinding names ${o.serviceAccount} in ${ns}.`,
        `Verify: \`kubectl auth can-i list ${o.crds.tenant.plural}.${o.crds.group} --as=${sa}\` and \`kubectl auth can-i update ${o.crds.tenant.plural} --subresource=status --as=${sa}\`.`,
        RUNBOOK_NOTES.canI(o),
      ];
    case 'admission-webhook-denied':
      return [
        "Find the webhook that denies: `kubectl get validatingwebhookconfigurations,mutatingwebhookconfigurations` and the message in the evidence; fix the policy or exempt the operator's resources.",
        "Check the webhook's own pods: a webhook that is down with failurePolicy Fail blocks every write it matches.",
      ];
    case 'quota-exceeded':
      return [
        "`kubectl get resourcequotas --all-namespaces` and raise the quotas listed in the evidence, or lower what the tenants' templates request.",
      ];
    case 'cluster-capacity':
    case 'pod-scheduling':
      return [
        '`kubectl get nodes`, `kubectl describe nodes | grep -A 5 "Allocated resources"` and `kubectl top nodes`: add nodes (scale the node group or let the autoscaler act) or free capacity.',
        'For Pending pods: `kubectl get events --all-namespaces --field-selector reason=FailedScheduling`.',
      ];
    case 'storage-provisioning':
      return [
        'Check the CSI driver (EBS CSI: `kubectl get pods -n kube-system -l app.kubernetes.io/name=aws-ebs-csi-driver`), the StorageClass and the PVC events named in the evidence.',
      ];
    case 'datasource-unavailable':
      return [
        `Check the registry's database: \`kubectl get ${o.crds.registry.plural} --all-namespaces\` (Ready reason DatabaseConnectionFailed) and the database itself (reachability on its port, credentials in the registry's passwordRef Secret).`,
        `Test from the operator's namespace with a debug pod: \`kubectl run db-test -n ${ns} --rm -it --image=busybox:1.36 --restart=Never -- nc -zv <database-host> 3306\` (the operator image has no shell for the runbook's \`kubectl exec ... nc\`).`,
        RUNBOOK_NOTES.pause,
      ];
    case 'external-api-timeout':
    case 'external-dns':
      return [
        `Test the external endpoint named in the evidence from ${ns} with a debug pod (DNS: nslookup; reachability: nc -zv or wget).`,
        'Check the VPC route tables, NAT gateway and security groups between the nodes and that endpoint.',
      ];
    case 'network-policy-blocking':
      return [
        `\`kubectl get networkpolicies -n ${ns}\` and \`kubectl describe networkpolicy -n ${ns}\`: allow the operator's egress to the API server (443), DNS (53) and its datasource.`,
      ];
  }
}

function describeResources(d: OperatorDeployment | undefined): string {
  if (!d) return 'unknown';
  const mem = mebibytes;
  const cpu = (c?: number) => (c === undefined ? '?' : `${Math.round(c * 1000)}m`);
  return `requests ${mem(d.requests.memory)}/${cpu(d.requests.cpu)}, limits ${mem(d.limits.memory)}/${cpu(d.limits.cpu)}`;
}
