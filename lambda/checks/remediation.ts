/**
 * The runbook's resolution for each cause, written with the cluster's real names (namespace,
 * deployment, selector, the flags the operator really runs with) and a note wherever the runbook's
 * literal command would mislead on the real operator.
 */

import type { CauseId } from '../model/causes.js';
import { mebibytes } from '../model/format.js';
import type { OperatorNames } from '../model/operator.js';
import type { OperatorDeployment } from '../model/snapshot.js';

/** What the evidence names, so the resolution can name it too (never a placeholder where it is known). */
export interface Hints {
  /** The registry's datasource, from its spec. */
  datasource?: { host: string; port: number; registry?: string };
  /** Who throttles: the API server (429 from Priority and Fairness) or the operator's own client-go limiter. */
  throttling?: 'server' | 'client';
  /** The external host that times out, or whose name does not resolve. */
  externalHost?: string;
  /** The NetworkPolicies that confine the operator. */
  policies?: string[];
  /** The quotas at their limit (`namespace/name`). */
  quotas?: string[];
  /** The webhook that denies. */
  webhook?: string;
}

export interface Names {
  operator: OperatorNames;
  /** The watched cluster's name (its EKS name in the deployed checker). */
  cluster: string;
  deployment?: OperatorDeployment;
  hints: Hints;
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
      // The operator has no flag for client-go's QPS and burst (cmd/main.go): an unknown flag makes it
      // exit at start. What it does have is its concurrency.
      return n.hints.throttling === 'client'
        ? [
            `The operator's own client-go rate limiter makes it wait (client-side throttling, not the API server): lower its concurrency so fewer requests queue, ${concurrency}, via ${editArgs}.`,
            "The operator has no flag to raise its client QPS or burst (its flags are in cmd/main.go): don't add --kube-api-qps or --kube-api-burst, an unknown flag makes it exit at start. Raising them needs a release of the operator.",
            RUNBOOK_NOTES.envVars,
          ]
        : [
            `The API server rejects requests (429 from API Priority and Fairness): lower the operator's concurrency, ${concurrency}, via ${editArgs}.`,
            'Find the other heavy API consumers: `kubectl get --raw /metrics | grep apiserver_flowcontrol_rejected_requests_total` and apiserver_request_total by user agent.',
            'The operator has no flag to raise its client QPS or burst (cmd/main.go): do not add --kube-api-qps or --kube-api-burst, an unknown flag makes it exit at start.',
            RUNBOOK_NOTES.envVars,
          ];
    case 'apiserver-unavailable':
    case 'control-plane-degraded':
      return [
        `Check the API server's health and logs (on EKS: the control plane logs in CloudWatch, log group /aws/eks/${n.cluster}/cluster); \`kubectl get --raw '/readyz?verbose'\`.`,
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
    case 'datasource-unavailable': {
      const ds = n.hints.datasource;
      const host = ds?.host ?? '<database-host>';
      const port = ds?.port ?? 3306;
      return [
        `Check the registry's database${ds ? ` at ${host}:${port}` : ''}: \`kubectl get ${o.crds.registry.plural} --all-namespaces\` (Ready reason DatabaseConnectionFailed), the database itself (is it up, does it accept the operator's user: credentials in the registry's passwordRef Secret, max_connections).`,
        `Test from the operator's namespace with a debug pod: \`kubectl run db-test -n ${ns} --rm -it --image=busybox:1.36 --restart=Never -- nc -zv ${host} ${port}\` (the operator image has no shell for the runbook's \`kubectl exec ... nc\`).`,
        ...(ds && /\.svc(\.|$)|^[a-z0-9-]+\.[a-z0-9-]+$/.test(host)
          ? [
              `It is a Service of this cluster: \`kubectl get endpoints -n ${host.split('.')[1]} ${host.split('.')[0]}\` must list ready addresses; if not, look at the database pods.`,
            ]
          : []),
        RUNBOOK_NOTES.pause,
      ];
    }
    case 'external-api-timeout':
    case 'external-dns': {
      const host = n.hints.externalHost ?? n.hints.datasource?.host ?? '<external-host>';
      return cause === 'external-dns'
        ? [
            `The name ${host} does not resolve: check its DNS record (\`dig ${host}\` from outside the cluster) and any private hosted zone associated with the VPC.`,
            `Test from ${ns} with a debug pod: \`kubectl run dns-test -n ${ns} --rm -it --image=busybox:1.36 --restart=Never -- nslookup ${host}\`.`,
          ]
        : [
            `${host} accepts connections but answers too slowly: check its health and latency on its side, and its rate limits.`,
            `Test from ${ns} with a debug pod: \`kubectl run net-test -n ${ns} --rm -it --image=busybox:1.36 --restart=Never -- wget -S -T 10 -O /dev/null https://${host}/\`.`,
            'Check the VPC route tables, NAT gateway and security groups between the nodes and that endpoint.',
          ];
    }
    case 'network-policy-blocking': {
      const ds = n.hints.datasource;
      const policies = n.hints.policies?.length ? n.hints.policies.join(', ') : '';
      return [
        `\`kubectl get networkpolicies -n ${ns}\`${policies ? ` and \`kubectl describe networkpolicy -n ${ns} ${policies}\`` : ''}: allow the operator's egress to ${ds ? `its datasource ${ds.host} on TCP/${ds.port}, ` : 'its datasource, '}the API server (TCP/443) and DNS (UDP and TCP/53).`,
        `Verify from a pod with the operator's labels (${sel}) in ${ns} before and after the change.`,
      ];
    }
  }
}

function describeResources(d: OperatorDeployment | undefined): string {
  if (!d) return 'unknown';
  const mem = mebibytes;
  const cpu = (c?: number) => (c === undefined ? '?' : `${Math.round(c * 1000)}m`);
  return `requests ${mem(d.requests.memory)}/${cpu(d.requests.cpu)}, limits ${mem(d.limits.memory)}/${cpu(d.limits.cpu)}`;
}
