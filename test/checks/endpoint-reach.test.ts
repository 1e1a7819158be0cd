/**
 * An endpoint the function cannot reach, judged from DescribeCluster's settings and where the function
 * runs: the checker's own trouble with exactly what to configure, never the cluster's outage.
 */
import { describe, expect, it } from 'vitest';
import { checkerAccess, checkerTrouble, endpointReach } from '../../lambda/checks/checker-access.js';
import type { ClusterSnapshot, EndpointAccess } from '../../lambda/model/snapshot.js';
import type { SourceError } from '../../lambda/model/source.js';
import { CLUSTER_SOURCE_NAMES } from '../../lambda/model/sources.js';
import { healthySnapshot, unreadable } from '../unit/snapshot.js';
import { firing, THRESHOLD, verdictOf } from './incident.js';

const TIMEOUT: SourceError = {
  kind: 'timeout',
  message: 'GET /api/v1/namespaces/tenant-operator-system/pods: no answer within 10000 ms',
};

const privateOnly: EndpointAccess = {
  endpointPublicAccess: false,
  endpointPrivateAccess: true,
  publicAccessCidrs: [],
  vpcId: 'vpc-0c1a2b3c4d5e6f708',
  clusterSecurityGroupId: 'sg-0cafe0cafe0cafe00',
};
const inClusterVpc = { vpcId: 'vpc-0c1a2b3c4d5e6f708', securityGroupIds: ['sg-0f00d0f00d0f00d00'] };

function unreachableWith(
  endpoint: EndpointAccess,
  base: ClusterSnapshot = healthySnapshot(),
): ClusterSnapshot {
  const out = { ...base, endpoint } as Record<string, unknown>;
  for (const name of CLUSTER_SOURCE_NAMES) out[name] = unreadable(TIMEOUT);
  return out as unknown as ClusterSnapshot;
}

describe('endpointReach: why the function cannot reach the endpoint, and what to configure', () => {
  it("private-only endpoint, function in no VPC: set vpc to the cluster's VPC", () => {
    const reach = endpointReach(privateOnly);
    expect(reach?.why).toBe(
      'the endpoint is private only (endpointPublicAccess false) and the function runs in no VPC',
    );
    expect(reach?.remedy.join('\n')).toMatch(/set `vpc` in the config to vpc-0c1a2b3c4d5e6f708/);
    expect(reach?.remedy.join('\n')).toMatch(/allow TCP 443 into sg-0cafe0cafe0cafe00/);
  });

  it('public endpoint for a few CIDRs, function in no VPC: NAT egress IPs in publicAccessCidrs, or vpc', () => {
    const reach = endpointReach({
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['203.0.113.0/24'],
      vpcId: 'vpc-0c1a2b3c4d5e6f708',
    });
    expect(reach?.why).toMatch(
      /^the public endpoint admits only 203\.0\.113\.0\/24 \(publicAccessCidrs\) and the function runs in no VPC/,
    );
    const remedy = reach?.remedy.join('\n') ?? '';
    expect(remedy).toMatch(/NAT gateway whose Elastic IPs you add to publicAccessCidrs/);
    expect(remedy).toMatch(/set `vpc` in the config to vpc-0c1a2b3c4d5e6f708/);
  });

  it("in the cluster's VPC and timing out: the cluster security group must allow 443 from the function's", () => {
    const reach = endpointReach({ ...privateOnly, checker: inClusterVpc });
    expect(reach?.why).toMatch(
      /runs in vpc-0c1a2b3c4d5e6f708, the cluster's VPC, and its connections to the private endpoint go unanswered/,
    );
    expect(reach?.remedy.join('\n')).toContain(
      'allow TCP 443 into sg-0cafe0cafe0cafe00 from sg-0f00d0f00d0f00d00',
    );
    expect(reach?.remedy.join('\n')).toContain(
      'aws ec2 authorize-security-group-ingress --group-id sg-0cafe0cafe0cafe00 --protocol tcp --port 443',
    );
  });

  it("private-only endpoint in another VPC than the function's: the cluster's VPC, or route to it", () => {
    const reach = endpointReach({ ...privateOnly, checker: { vpcId: 'vpc-0aaaaaaaaaaaaaaaa' } });
    expect(reach?.why).toBe(
      'the endpoint is private only in vpc-0c1a2b3c4d5e6f708 and the function runs in vpc-0aaaaaaaaaaaaaaaa',
    );
    expect(reach?.remedy.join('\n')).toMatch(/set `vpc.vpcId` in the config to vpc-0c1a2b3c4d5e6f708/);
  });

  it("public endpoint for a few CIDRs, function in a VPC: that VPC's NAT addresses", () => {
    const reach = endpointReach({
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['203.0.113.0/24'],
      checker: { vpcId: 'vpc-0aaaaaaaaaaaaaaaa' },
    });
    expect(reach?.remedy.join('\n')).toMatch(
      /Elastic IPs of vpc-0aaaaaaaaaaaaaaaa's NAT gateways to publicAccessCidrs/,
    );
  });

  it('public endpoint open to all, function in no VPC: nothing of ours in the way (no specific advice)', () => {
    expect(
      endpointReach({
        endpointPublicAccess: true,
        endpointPrivateAccess: false,
        publicAccessCidrs: ['0.0.0.0/0'],
      }),
    ).toBeUndefined();
  });
});

describe("checker-access with the endpoint's settings", () => {
  it('says the checker cannot reach it from where it runs, with the settings as evidence, and names no cause', () => {
    const s = unreachableWith(privateOnly);
    const [f] = checkerAccess(s, THRESHOLD);
    expect(f?.status).toBe('fail');
    expect(f?.cause).toBeNull();
    expect(f?.summary).toMatch(/cannot reach .* from where it runs: the endpoint is private only/);
    expect(f?.evidence).toContain(
      'endpoint: not public, private access on in vpc-0c1a2b3c4d5e6f708, cluster security group sg-0cafe0cafe0cafe00; the function runs in no VPC',
    );
    expect(f?.remediation.join('\n')).toMatch(/set `vpc`/);
    const v = verdictOf(s);
    expect(v.checker?.problem).toBe('unreachable');
    expect(v.causes).toEqual([]);
  });

  it('decoy: the metrics (AMP) fire while the endpoint is out of reach: still the checker, not apiserver-unavailable', () => {
    const v = verdictOf(unreachableWith(privateOnly, firing()));
    expect(v.checker?.problem).toBe('unreachable');
    expect(v.causes.map((c) => c.id)).not.toContain('apiserver-unavailable');
    expect(v.causes.map((c) => c.id)).not.toContain('apiserver-network');
  });

  it("a refused AssumeRole is the checker's, with the member stack to deploy", () => {
    const error: SourceError = {
      kind: 'forbidden',
      status: 403,
      message:
        'EKS DescribeCluster prod-eks-1 (eu-west-1): AssumeRoleFailed STS AssumeRole arn:aws:iam::222222222222:role/tenant-checker-access: AccessDenied User: x is not authorized to perform: sts:AssumeRole',
    };
    const out = { ...healthySnapshot() } as Record<string, unknown>;
    for (const name of CLUSTER_SOURCE_NAMES) out[name] = unreadable(error);
    const trouble = checkerTrouble(out as unknown as ClusterSnapshot);
    expect(trouble?.problem).toBe('forbidden');
    expect(trouble?.summary).toMatch(
      /cannot assume arn:aws:iam::222222222222:role\/tenant-checker-access to read/,
    );
    expect(trouble?.remedy.join('\n')).toMatch(/bin\/member-account\.ts/);
    expect(trouble?.remedy.join('\n')).not.toMatch(/checker-rbac/);
  });
});
