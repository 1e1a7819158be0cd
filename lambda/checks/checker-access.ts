/**
 * The checker's own access, judged before anything about the cluster: a kubeconfig pointing at a
 * closed port, an access entry without the RBAC manifest, a private endpoint out of the function's
 * reach. These are the checker's trouble, with the checker's remedy, and never one of the runbook's
 * causes: an operator that cannot be read is not an operator that fails.
 */
import type { Finding } from '../model/finding.js';
import type { ClusterSnapshot } from '../model/snapshot.js';
import type { SourceErrorKind, SourceResult } from '../model/source.js';
import { CLUSTER_SOURCE_NAMES, CLUSTER_SOURCES, type ClusterSourceName } from '../model/sources.js';
import type { CheckerTrouble } from '../model/verdict.js';
import { findings } from './finding.js';
import type { Check } from './types.js';

const CHECK = 'checker-access';
const CONNECTION: ReadonlySet<SourceErrorKind> = new Set(['unreachable', 'tls', 'timeout']);

/** The group the stack's access entry maps the function's role to (config `kubernetesGroup`). */
const GROUP = 'tenant-checker-readers';

function failedWith(snapshot: ClusterSnapshot, kinds: ReadonlySet<SourceErrorKind>): ClusterSourceName[] {
  return CLUSTER_SOURCE_NAMES.filter((name) => {
    const result = snapshot[name] as SourceResult<unknown>;
    return !result.ok && kinds.has(result.error.kind);
  });
}

function firstError(snapshot: ClusterSnapshot, names: ClusterSourceName[]): string {
  const result = snapshot[names[0] as ClusterSourceName] as SourceResult<unknown>;
  return result.ok ? '' : result.error.message;
}

/** What keeps the checker from reading the cluster, if anything does. */
export function checkerTrouble(snapshot: ClusterSnapshot): CheckerTrouble | undefined {
  const total = CLUSTER_SOURCE_NAMES.length;
  const labels = (names: ClusterSourceName[]) => names.map((n) => CLUSTER_SOURCES[n]);
  const server = snapshot.server || 'the API server';
  const unreachable = failedWith(snapshot, CONNECTION);
  if (unreachable.length >= total - 1) {
    const message = firstError(snapshot, unreachable);
    const eks = /DescribeCluster/.test(message);
    return {
      problem: 'unreachable',
      summary: `the checker cannot reach ${server}: ${message}`,
      remedy: eks
        ? [
            'DescribeCluster failed: check the cluster name, region and account in the config, and that the function role may call eks:DescribeCluster on it.',
          ]
        : [
            `From where the checker runs, test the endpoint: \`kubectl get --raw /readyz\` with the same kubeconfig and context (${server}).`,
            'On a laptop: the kubeconfig context, the VPN, and `aws eks update-kubeconfig --name <cluster>` if the cluster was replaced.',
            "Deployed: a private-only endpoint (`aws eks describe-cluster --query cluster.resourcesVpcConfig`: endpointPublicAccess false) needs `vpc` in the cluster's config so the function runs in the cluster's VPC, and the endpoint's security group must allow TCP/443 from the function's; a public endpoint must list the function's egress addresses in publicAccessCidrs.",
          ],
      sources: labels(unreachable),
    };
  }
  const unauthorized = failedWith(snapshot, new Set(['unauthorized']));
  if (unauthorized.length >= total / 2) {
    return {
      problem: 'unauthorized',
      summary: `${server} does not accept the checker's credentials (401 on ${unauthorized.length} of ${total} sources)`,
      remedy: [
        `Deployed: the function's role needs an EKS access entry with the Kubernetes group ${GROUP} (the stack creates it unless createAccessEntry is false: \`aws eks list-access-entries --cluster-name ${snapshot.cluster}\`), and the cluster's authentication mode must include API.`,
        "On a laptop: refresh the kubeconfig's credentials (`aws eks update-kubeconfig --name <cluster>`, or your exec plugin's login).",
      ],
      sources: labels(unauthorized),
    };
  }
  const forbidden = failedWith(snapshot, new Set(['forbidden']));
  if (forbidden.length > 0) {
    const most = forbidden.length >= total / 2;
    return {
      problem: most ? 'forbidden' : 'partly-forbidden',
      summary: most
        ? `the checker is authenticated but not allowed to read the cluster (403 on ${forbidden.length} of ${total} sources)`
        : `the checker may not read ${labels(forbidden).join(', ')} (403)`,
      remedy: [
        `Apply the checker's read-only RBAC: \`kubectl apply -f k8s/checker-rbac.yaml\` (binds the group ${GROUP}; edit its namespaced roles if the operator is not in ${snapshot.operator.namespace}).`,
        `Check that the access entry maps the checker to that group: \`aws eks describe-access-entry --cluster-name ${snapshot.cluster} --principal-arn <the function's role ARN>\` (kubernetesGroups), as the config's kubernetesGroup says.`,
        `Verify: \`kubectl auth can-i list pods -n ${snapshot.operator.namespace} --as-group=${GROUP} --as=tenant-checker\`.`,
      ],
      sources: labels(forbidden),
    };
  }
  const throttled = failedWith(snapshot, new Set(['throttled']));
  if (throttled.length >= total / 2) {
    return {
      problem: 'throttled',
      summary: `the API server throttles the checker's own requests (429 on ${throttled.length} of ${total} sources)`,
      remedy: [
        'The checker retries within its budget; if this persists, give the checker its own FlowSchema or run it less often.',
      ],
      sources: labels(throttled),
    };
  }
  return undefined;
}

export const checkerAccess: Check = (snapshot) => {
  const trouble = checkerTrouble(snapshot);
  if (!trouble) return [];
  const f = findings(snapshot, CHECK);
  const finding: Finding = (trouble.problem === 'partly-forbidden' ? f.warn : f.fail)(null, {
    summary: trouble.summary,
    evidence: [`sources not read: ${trouble.sources.join(', ')}`],
    notes: trouble.remedy,
  });
  return [finding];
};
