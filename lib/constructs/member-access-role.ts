import { ArnFormat, Stack } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import { ArnPrincipal, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** A cluster of the member account, and its AMP workspace if its metrics come from AMP. */
export interface MemberCluster {
  readonly name: string;
  readonly region: string;
  readonly workspace?: { readonly workspaceId: string; readonly region: string };
}

export interface MemberAccessRoleProps {
  /** The checker function's role, in the deployment's account: the only principal the role trusts. */
  readonly checkerRoleArn: string;
  /** Required in the trust policy's sts:ExternalId condition. */
  readonly externalId: string;
  /** The role's name (and path), as the checker's config names it in `accounts[...].roleArn`. */
  readonly roleName: string;
  readonly path?: string;
  /** The member account's watched clusters (all regions): the role may describe these and no other. */
  readonly clusters: readonly MemberCluster[];
}

/**
 * The role a member account lends the checker: trusted by the checker's role alone, with the external
 * id, and allowed exactly eks:DescribeCluster on the account's watched clusters and aps:QueryMetrics on
 * their workspaces. Kubernetes access is the access entry's (`MemberAccessEntries`), not IAM's.
 */
export class MemberAccessRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: MemberAccessRoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const arn = (service: string, region: string, resource: string, resourceName: string) =>
      stack.formatArn({ service, region, resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const clusterArns = [...new Set(props.clusters.map((c) => arn('eks', c.region, 'cluster', c.name)))];
    const workspaceArns = [
      ...new Set(
        props.clusters.flatMap((c) =>
          c.workspace ? [arn('aps', c.workspace.region, 'workspace', c.workspace.workspaceId)] : [],
        ),
      ),
    ];
    const statements = [
      new PolicyStatement({
        sid: 'DescribeWatchedClusters',
        actions: ['eks:DescribeCluster'],
        resources: clusterArns,
      }),
      ...(workspaceArns.length > 0
        ? [
            new PolicyStatement({
              sid: 'QueryWorkspaces',
              actions: ['aps:QueryMetrics'],
              resources: workspaceArns,
            }),
          ]
        : []),
    ];
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      ...(props.path ? { path: props.path } : {}),
      description:
        "Tenant reconciliation checker: read this account's watched EKS clusters (assumed by the checker)",
      assumedBy: new ArnPrincipal(props.checkerRoleArn).withConditions({
        StringEquals: { 'sts:ExternalId': props.externalId },
      }),
      inlinePolicies: { ReadWatchedClusters: new PolicyDocument({ statements }) },
    });
  }
}

export interface MemberAccessEntriesProps {
  /** The member role's ARN (made in the same account, possibly by the stack of another region). */
  readonly roleArn: string;
  /** The clusters of this stack's region. */
  readonly clusters: readonly MemberCluster[];
  /** The Kubernetes group k8s/checker-rbac.yaml binds (config `kubernetesGroup`). */
  readonly kubernetesGroup: string;
}

/** An EKS access entry per cluster mapping the member role to the checker's Kubernetes group (no access policy). */
export class MemberAccessEntries extends Construct {
  readonly entries: CfnAccessEntry[];

  constructor(scope: Construct, id: string, props: MemberAccessEntriesProps) {
    super(scope, id);
    this.entries = props.clusters.map(
      (cluster) =>
        new CfnAccessEntry(this, cluster.name, {
          clusterName: cluster.name,
          principalArn: props.roleArn,
          kubernetesGroups: [props.kubernetesGroup],
          type: 'STANDARD',
        }),
    );
  }
}
