/**
 * The checker's own access, judged before anything about the cluster: a kubeconfig pointing at a
 * closed port, an access entry without the RBAC manifest, a private endpoint out of the function's
 * reach. These are the checker's trouble, with the checker's remedy, and never one of the runbook's
 * causes: an operator that cannot be read is not an operator that fails.
 */
import type { Finding } from '../model/finding.js';
import type { ClusterSnapshot, EndpointAccess } from '../model/snapshot.js';
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
  const assume = failedWith(snapshot, new Set(['forbidden', 'unauthorized', 'unreachable', 'timeout']));
  const assumeMessage = assume.length >= total - 1 ? firstError(snapshot, assume) : '';
  if (/STS AssumeRole/.test(assumeMessage)) {
    const role = /STS AssumeRole (\S+):/.exec(assumeMessage)?.[1] ?? "the member account's role";
    return {
      problem: 'forbidden',
      summary: `the checker cannot assume ${role} to read ${snapshot.cluster}: ${assumeMessage}`,
      remedy: [
        `In the cluster's account, deploy the member stack (bin/member-account.ts, -c checkerRoleArn=<the checker stack's CheckerRoleArn>): ${role} must trust the checker's role with the external id in the config's accounts entry.`,
        'Check that accounts[<account>].roleArn and externalId in the config match the role and its trust policy (sts:ExternalId).',
      ],
      sources: labels(assume),
    };
  }
  const unreachable = failedWith(snapshot, CONNECTION);
  if (unreachable.length >= total - 1) {
    const message = firstError(snapshot, unreachable);
    const eks = /DescribeCluster/.test(message);
    const reach = !eks && snapshot.endpoint ? endpointReach(snapshot.endpoint) : undefined;
    if (reach) {
      return {
        problem: 'unreachable',
        summary: `the checker cannot reach ${server} from where it runs: ${reach.why} (${message})`,
        remedy: reach.remedy,
        sources: labels(unreachable),
      };
    }
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

const EVERYONE = '0.0.0.0/0';

/**
 * Why an endpoint that refused or timed out is out of the checker's reach, from the endpoint's
 * settings and the function's placement, and exactly what to configure; undefined when the settings
 * allow the checker in (then the endpoint itself is down, or something outside both is in the way).
 */
export function endpointReach(endpoint: EndpointAccess): { why: string; remedy: string[] } | undefined {
  const vpc = endpoint.vpcId ?? "the cluster's VPC";
  const clusterSg = endpoint.clusterSecurityGroupId ?? "the cluster's security group";
  const checkerSgs = endpoint.checker?.securityGroupIds?.join(', ') ?? "the function's security group";
  const publicFor = endpoint.endpointPublicAccess ? endpoint.publicAccessCidrs : [];
  const openToAll = publicFor.includes(EVERYONE);
  const setVpc = `set \`vpc\` in the config to ${vpc} (vpcId, with subnetIds of that VPC that have a route to the AWS endpoints) and deploy again, so that the function runs in the cluster's VPC`;
  const allow443 = `allow TCP 443 into ${clusterSg} from ${checkerSgs}: \`aws ec2 authorize-security-group-ingress --group-id ${clusterSg} --protocol tcp --port 443 --source-group <the function's security group>\``;
  if (!endpoint.checker) {
    if (!endpoint.endpointPublicAccess)
      return {
        why: `the endpoint is private only (endpointPublicAccess false) and the function runs in no VPC`,
        remedy: [`${setVpc}; then ${allow443}.`],
      };
    if (!openToAll)
      return {
        why: `the public endpoint admits only ${publicFor.join(', ') || 'no address'} (publicAccessCidrs) and the function runs in no VPC, from AWS's addresses`,
        remedy: [
          `Either ${setVpc}, with a NAT gateway whose Elastic IPs you add to publicAccessCidrs (\`aws eks update-cluster-config --name <cluster> --resources-vpc-config publicAccessCidrs=...\`)${endpoint.endpointPrivateAccess ? ', or reach the private endpoint from that VPC' : ''}; or, for a function outside a VPC, open publicAccessCidrs to it (its addresses are not fixed).`,
        ],
      };
    return undefined;
  }
  const sameVpc = endpoint.vpcId === undefined || endpoint.checker.vpcId === endpoint.vpcId;
  if (endpoint.endpointPrivateAccess && sameVpc)
    return {
      why: `the function runs in ${endpoint.checker.vpcId}, the cluster's VPC, and its connections to the private endpoint go unanswered`,
      remedy: [
        `The cluster security group must ${allow443}; and the function's security group must allow HTTPS out.`,
      ],
    };
  if (!endpoint.endpointPublicAccess)
    return {
      why: `the endpoint is private only in ${vpc} and the function runs in ${endpoint.checker.vpcId}`,
      remedy: [
        `${setVpc.replace('set `vpc`', 'set `vpc.vpcId`')} (or route and resolve the private endpoint from ${endpoint.checker.vpcId}: peering or Transit Gateway with the endpoint's DNS); then ${allow443}.`,
      ],
    };
  if (!openToAll)
    return {
      why: `the public endpoint admits only ${publicFor.join(', ')} (publicAccessCidrs) and the function goes out from ${endpoint.checker.vpcId}`,
      remedy: [
        `Add the Elastic IPs of ${endpoint.checker.vpcId}'s NAT gateways to publicAccessCidrs (\`aws eks update-cluster-config --name <cluster> --resources-vpc-config publicAccessCidrs=...\`)${endpoint.endpointPrivateAccess ? `, or ${setVpc}` : ''}.`,
      ],
    };
  if (!endpoint.endpointPrivateAccess)
    return {
      why: `the function runs in ${endpoint.checker.vpcId} and the endpoint is public only: the function's connections leave through that VPC`,
      remedy: [
        `The function's subnets need a route to the internet (a NAT gateway) and its security group HTTPS out; or turn on the endpoint's private access and ${allow443}.`,
      ],
    };
  return undefined;
}

export const checkerAccess: Check = (snapshot) => {
  const trouble = checkerTrouble(snapshot);
  if (!trouble) return [];
  const f = findings(snapshot, CHECK);
  const endpoint = snapshot.endpoint;
  const finding: Finding = (trouble.problem === 'partly-forbidden' ? f.warn : f.fail)(null, {
    summary: trouble.summary,
    evidence: [
      `sources not read: ${trouble.sources.join(', ')}`,
      ...(trouble.problem === 'unreachable' && endpoint ? [endpointEvidence(endpoint)] : []),
    ],
    notes: trouble.remedy,
  });
  return [finding];
};

/** The endpoint's settings and the function's placement, as one line of evidence. */
function endpointEvidence(e: EndpointAccess): string {
  const publicPart = e.endpointPublicAccess ? `public for ${e.publicAccessCidrs.join(', ')}` : 'not public';
  const where = e.checker
    ? `the function runs in ${e.checker.vpcId}${e.checker.securityGroupIds ? ` (security groups ${e.checker.securityGroupIds.join(', ')})` : ''}`
    : 'the function runs in no VPC';
  return `endpoint: ${publicPart}, private access ${e.endpointPrivateAccess ? 'on' : 'off'}${e.vpcId ? ` in ${e.vpcId}` : ''}${e.clusterSecurityGroupId ? `, cluster security group ${e.clusterSecurityGroupId}` : ''}; ${where}`;
}
