import { Stack, Token } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { assumedRoleFor, type CheckerConfig, type ClusterConfig } from '../../lambda/config.js';

export interface EksAccessProps {
  /** Clusters of the config, in its order (all of them, or a shard's). */
  readonly clusters: readonly ClusterConfig[];
  /** The whole config's: its member accounts (their clusters are mapped by the member stacks) and the index of a cluster in it. */
  readonly config: Pick<CheckerConfig, 'accounts' | 'clusters'>;
  readonly role: IRole;
  /** The Kubernetes group that k8s/checker-rbac.yaml binds to a read-only ClusterRole. */
  readonly kubernetesGroup: string;
}

/**
 * An EKS access entry per watched cluster of the deployment's account (existing clusters whose
 * authentication mode includes the EKS API) mapping the checker's role to a Kubernetes group. A
 * cluster of a member account is read as that account's role, which its member stack maps
 * (lib/member-account-stack.ts). No access policy is associated: what
 * the group may read is our own ClusterRole, because the managed view policy lacks nodes, the
 * operator's custom resources, the proxies for metrics and SubjectAccessReviews.
 */
export class EksAccess extends Construct {
  readonly entries: CfnAccessEntry[] = [];

  constructor(scope: Construct, id: string, props: EksAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    for (const cluster of props.clusters) {
      if (!cluster.createAccessEntry || assumedRoleFor(props.config, cluster)) continue;
      const index = props.config.clusters.indexOf(cluster);
      const elsewhere =
        (!Token.isUnresolved(stack.region) && cluster.region !== stack.region) ||
        (cluster.account !== undefined &&
          !Token.isUnresolved(stack.account) &&
          cluster.account !== stack.account);
      if (elsewhere) {
        const where = (account: string | undefined, region: string) =>
          account && !Token.isUnresolved(account) ? `account ${account}, ${region}` : region;
        throw new Error(
          `clusters[${index}].createAccessEntry: cluster ${cluster.name} is in ${where(cluster.account, cluster.region)} ` +
            `but the checker deploys to ${where(stack.account, stack.region)}; set "region" in the config to the ` +
            "clusters' region, or set createAccessEntry to false and create the access entry there",
        );
      }
      this.entries.push(
        new CfnAccessEntry(this, `${cluster.region}-${cluster.name}`, {
          clusterName: cluster.name,
          principalArn: props.role.roleArn,
          kubernetesGroups: [props.kubernetesGroup],
          type: 'STANDARD',
        }),
      );
    }
  }
}
