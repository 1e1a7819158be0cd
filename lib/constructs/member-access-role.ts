import { Stack } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import { ArnPrincipal, ManagedPolicy, PolicyDocument, Role } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  GRANT_CHARACTERS,
  type GrantTarget,
  grantCharacters,
  MANAGED_POLICIES_PER_ROLE,
  MAX_CLUSTERS_PER_SHARD,
  packInOrder,
} from '../shards.js';
import { clusterGrantStatements } from './cluster-grants.js';

/** A cluster of the member account, and its AMP workspace if its metrics come from AMP. */
export type MemberCluster = Omit<GrantTarget, 'account'>;

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
 * their workspaces (one inline policy, or managed policies of at most 6,144 characters each for an
 * account of many clusters). Kubernetes access is the access entry's (`MemberAccessEntries`), not IAM's.
 */
export class MemberAccessRole extends Construct {
  readonly role: Role;

  constructor(scope: Construct, id: string, props: MemberAccessRoleProps) {
    super(scope, id);
    // One inline policy holds the grant of about 70 clusters; more get managed policies of the same
    // size (a role's inline policies hold 10,240 characters in all, a managed policy 6,144).
    const groups = packInOrder(props.clusters, grantCharacters, {
      count: MAX_CLUSTERS_PER_SHARD,
      characters: GRANT_CHARACTERS,
    });
    if (groups.length > MANAGED_POLICIES_PER_ROLE)
      throw new Error(
        `clusters: the member role's grant on ${props.clusters.length} clusters needs ${groups.length} managed policies, ` +
          `more than IAM's default quota of ${MANAGED_POLICIES_PER_ROLE} per role: split the account's clusters across two checker deployments`,
      );
    const documents = groups.map(
      (clusters) => new PolicyDocument({ statements: clusterGrantStatements(Stack.of(this), clusters) }),
    );
    this.role = new Role(this, 'Role', {
      roleName: props.roleName,
      ...(props.path ? { path: props.path } : {}),
      description:
        "Tenant reconciliation checker: read this account's watched EKS clusters (assumed by the checker)",
      assumedBy: new ArnPrincipal(props.checkerRoleArn).withConditions({
        StringEquals: { 'sts:ExternalId': props.externalId },
      }),
      ...(documents.length === 1 && documents[0]
        ? { inlinePolicies: { ReadWatchedClusters: documents[0] } }
        : {}),
    });
    if (documents.length > 1)
      for (const [index, document] of documents.entries())
        new ManagedPolicy(this, `ReadWatchedClusters${index + 1}`, {
          description: `Tenant reconciliation checker: read ${groups[index]?.length} watched EKS clusters of this account`,
          document,
          roles: [this.role],
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
