/**
 * How a fleet's per-cluster resources are split so that every template stays inside CloudFormation's
 * limits and the checker's role inside IAM's. Pure: plain objects in, plain objects out.
 *
 * Each watched cluster adds a schedule, a silence alarm and (usually) an access entry to a template,
 * and its ARN (and its AMP workspace's) to the role's grant. A template holds 500 resources; a role's
 * inline policies hold 10,240 characters in all (about 120 cluster ARNs, less what the rest of the
 * role needs), a customer-managed policy 6,144. So clusters are packed, in config order, into
 * shards of at most MAX_CLUSTERS_PER_SHARD clusters whose grant fits one managed policy; a fleet
 * that fits one shard stays in the parent stack as before, a larger one gets a nested stack per
 * shard, each with its own managed policy attached to the one checker role.
 */
import { assumedRoleFor, type CheckerConfig, type ClusterConfig } from '../lambda/config.js';

/**
 * At most 100 clusters per shard: 3 resources each (schedule, silence alarm, access entry) is 300 of
 * a template's 500, leaving room for a resource or two more per cluster. Measured (bench/results.md,
 * section 6): a shard of 50 access entries and 62 clusters is 151 resources and 150 KB, about 2.4 KB
 * a cluster, so a full shard stays near 0.25 MB of the 1 MB allowed. With names of ordinary length the
 * grant's size closes a shard first, at 60 to 90 clusters.
 */
export const MAX_CLUSTERS_PER_SHARD = 100;

/** IAM's limit on a customer-managed policy document, whitespace not counted. */
export const MANAGED_POLICY_LIMIT = 6_144;
/**
 * What a grant's document needs besides its ARNs: Version and three statements' Sid, Effect and
 * Action (AssumeRole, DescribeCluster, QueryMetrics) measure 311 characters with no resources.
 */
const POLICY_OVERHEAD = 330;
/** IAM's default quota of managed policies attached to one role (adjustable to 20). */
export const MANAGED_POLICIES_PER_ROLE = 10;
/** A 12-digit account id: the deployment's is a token at synth, and as long as any other. */
const ACCOUNT_LENGTH = 12;

/**
 * The longest partition name: a template's ARNs name the partition as \${AWS::Partition}, resolved
 * only where the stack deploys.
 */
const PARTITION_LENGTH = 'aws-iso-b'.length;

/** Characters an ARN adds to a grant once resolved (partition and account included), quoted, with its comma. */
export function arnCharacters(service: string, region: string, resource: string): number {
  return `arn::${service}:${region}::${resource}`.length + PARTITION_LENGTH + ACCOUNT_LENGTH + 3;
}

/** What the checker reads of one cluster through IAM: the cluster, and its AMP workspace if any. */
export interface GrantTarget {
  readonly name: string;
  readonly region: string;
  /** The cluster's account, when the config names one (else the deployment's). */
  readonly account?: string;
  readonly workspace?: { readonly workspaceId: string; readonly region: string };
}

export function grantTargetOf(cluster: ClusterConfig): GrantTarget {
  return {
    name: cluster.name,
    region: cluster.region,
    ...(cluster.account ? { account: cluster.account } : {}),
    ...(cluster.metrics.source === 'amp'
      ? {
          workspace: {
            workspaceId: cluster.metrics.workspaceId,
            region: cluster.metrics.region ?? cluster.region,
          },
        }
      : {}),
  };
}

/** Characters a cluster adds to a grant once resolved: its cluster ARN and its AMP workspace's, quoted, with commas. */
export function grantCharacters(target: GrantTarget): number {
  return (
    arnCharacters('eks', target.region, `cluster/${target.name}`) +
    (target.workspace
      ? arnCharacters('aps', target.workspace.region, `workspace/${target.workspace.workspaceId}`)
      : 0)
  );
}

/**
 * Items packed in order into groups of at most `limits.count` whose sizes sum to at most
 * `limits.characters` (an item larger than that alone gets a group of its own). An item's size may
 * depend on the group it would join.
 */
export function packInOrder<T>(
  items: readonly T[],
  sizeOf: (item: T, group: readonly T[]) => number,
  limits: { count: number; characters: number },
): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let characters = 0;
  for (const item of items) {
    let size = sizeOf(item, current);
    if (current.length > 0 && (current.length >= limits.count || characters + size > limits.characters)) {
      groups.push(current);
      current = [];
      characters = 0;
      size = sizeOf(item, current); // a new group may cost what the full one did not
    }
    current.push(item);
    characters += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** What one managed policy's ARNs may take: its limit less the document's own overhead. */
export const GRANT_CHARACTERS = MANAGED_POLICY_LIMIT - POLICY_OVERHEAD;

/**
 * The clusters of each shard, in config order. One shard: the parent stack holds them. A cluster
 * read through a member account's role (config `accounts`) adds no ARN of its own to the grant, only
 * its role's to the shard's sts:AssumeRole statement, once per shard.
 */
export function planShards(
  config: Pick<CheckerConfig, 'clusters' | 'accounts'>,
  limits = { clusters: MAX_CLUSTERS_PER_SHARD, grantCharacters: GRANT_CHARACTERS },
): ClusterConfig[][] {
  const { clusters } = config;
  const shards = packInOrder(
    clusters,
    (cluster, shard) => {
      const role = assumedRoleFor(config, cluster);
      if (!role) return grantCharacters(grantTargetOf(cluster));
      return shard.some((other) => other.account === cluster.account) ? 0 : role.roleArn.length + 3;
    },
    { count: limits.clusters, characters: limits.grantCharacters },
  );
  if (shards.length > MANAGED_POLICIES_PER_ROLE)
    throw new Error(
      `clusters: ${clusters.length} clusters need ${shards.length} shards, each with a managed policy on the checker's role, ` +
        `more than IAM's default quota of ${MANAGED_POLICIES_PER_ROLE} managed policies per role: ` +
        'split the clusters across two deployments (a config file and -c stackName each)',
    );
  return shards;
}
